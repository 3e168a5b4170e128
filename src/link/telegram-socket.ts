import type { Socket } from 'node:net';
import { DecodeError } from '../codec/decode-error.js';
import type { TelegramCodec } from '../codec/telegram-codec.js';
import type { DecodedTelegram } from '../codec/values.js';
import { encodeFrame, FrameDecoder } from '../framing/frame-decoder.js';
import { FramingError } from '../framing/framing-error.js';

/** What a {@link TelegramSocket} reports. Every frame ends up in exactly one of these. */
export interface TelegramSocketHandlers {
  /** A telegram of the spec; `raw` is the telegram without its length prefix. */
  telegram(t: DecodedTelegram, raw: Buffer): void;
  /** A line poll: a request to answer, or the answer to ours; `stamp` is the MMDDhhmmss it carries. */
  poll(kind: 'request' | 'response', stamp: string): void;
  /** A well-framed telegram that does not decode: reported, and the connection goes on. */
  badTelegram(error: DecodeError, raw: Buffer): void;
  /** The stream cannot be trusted any more: reported, then this connection (only) is closed. */
  framingError(error: FramingError): void;
  /** The `telegram` handler threw: a bug or a telegram it could not handle; reported, the connection goes on. */
  handlerError(error: unknown, raw: Buffer): void;
  close(): void;
}

/** Bytes queued in one turn past which they are written at once rather than at the end of the turn. */
const EARLY_FLUSH_BYTES = 16 * 1024;

/**
 * One TCP connection carrying framed telegrams, either side. Knows framing, polls and the codec; knows
 * nothing of requests, sessions or storage. Writes are coalesced per event-loop turn and respect
 * backpressure: nothing more is handed to the socket while it asks us to wait for 'drain'.
 */
export class TelegramSocket {
  private readonly frames: FrameDecoder;
  private readonly queue: QueuedFrame[] = [];
  private flushScheduled = false;
  private queuedBytes = 0;
  private waitingForDrain = false;
  private closed = false;

  constructor(
    readonly socket: Socket,
    private readonly codec: TelegramCodec,
    private readonly handlers: TelegramSocketHandlers,
  ) {
    const polling = codec.spec.session?.polling;
    const shortest = Math.min(...[...codec.spec.messages.values()].map((m) => m.length), polling ? polling.request.length + 10 : Infinity);
    this.frames = new FrameDecoder(codec.spec.framing, shortest);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('drain', () => {
      this.waitingForDrain = false;
      this.flush();
    });
    socket.on('error', () => {}); // 'close' follows; the owner learns of it there
    socket.on('close', () => {
      this.closed = true;
      this.queue.length = 0;
      this.queuedBytes = 0;
      handlers.close();
    });
  }

  get isOpen(): boolean {
    return !this.closed && !this.socket.destroyed;
  }

  /** Frames sent but not yet handed to the socket (backpressure). */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * Queues one telegram (without prefix). `written` runs when its bytes are handed to the socket: from
   * then on the other side may have them. Returns null, and never calls `written`, if closed; the frame
   * returned can be cancelled until it is written.
   */
  send(telegram: Uint8Array, written?: () => void): QueuedFrame | null {
    if (!this.isOpen) return null;
    const frame = new QueuedFrame(encodeFrame(this.codec.spec.framing, telegram), written);
    this.queue.push(frame);
    this.queuedBytes += frame.bytes.length;
    // A busy turn (answers to a whole read of requests) hands its first frames over early: the other side
    // starts on them while this one goes on, instead of both waiting in turn.
    if (this.queuedBytes >= EARLY_FLUSH_BYTES) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
    return frame;
  }

  /** Sends a poll request or answer with its MMDDhhmmss stamp. */
  sendPoll(kind: 'request' | 'response', stamp: string): void {
    const polling = this.codec.spec.session?.polling;
    if (polling) this.send(Buffer.from((kind === 'request' ? polling.request : polling.response) + stamp, 'latin1'));
  }

  /** Raw bytes, unframed: for the simulator's fault injection only. */
  sendRaw(bytes: Uint8Array): void {
    if (this.isOpen) this.socket.write(bytes);
  }

  /** Closes after what is queued has been written. */
  end(): void {
    this.flush();
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private flush(): void {
    if (this.waitingForDrain || !this.isOpen || this.queue.length === 0) return;
    this.socket.cork();
    let i = 0;
    while (i < this.queue.length) {
      const item = this.queue[i++]!;
      this.queuedBytes -= item.bytes.length;
      if (item.cancelled) continue;
      const more = this.socket.write(item.bytes);
      item.markWritten();
      if (!more) {
        this.waitingForDrain = true;
        break;
      }
    }
    this.queue.splice(0, i);
    this.socket.uncork();
  }

  private receive(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.frames.push(chunk);
    } catch (e) {
      if (!(e instanceof FramingError)) throw e;
      this.deliver(e.complete); // what came whole before the bad bytes is still the bank's word
      this.handlers.framingError(e);
      this.socket.destroy();
      return;
    }
    this.deliver(frames);
  }

  private deliver(frames: readonly Buffer[]): void {
    const polling = this.codec.spec.session?.polling;
    for (const frame of frames) {
      if (polling && frame.length === polling.request.length + 10) {
        const head = frame.toString('latin1', 0, polling.request.length);
        if (head === polling.request || head === polling.response) {
          this.handlers.poll(head === polling.request ? 'request' : 'response', frame.toString('latin1', polling.request.length));
          continue;
        }
      }
      let decoded: DecodedTelegram;
      try {
        decoded = this.codec.decode(frame);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        this.handlers.badTelegram(e, frame);
        continue;
      }
      try {
        this.handlers.telegram(decoded, frame);
      } catch (e) {
        this.handlers.handlerError(e, frame);
      }
      if (this.closed) return;
    }
  }
}

/** A frame waiting for the socket. Once written it cannot be taken back; before that it can. */
export class QueuedFrame {
  cancelled = false;
  written = false;

  constructor(
    readonly bytes: Buffer,
    private readonly onWritten?: () => void,
  ) {}

  /** Withdraws the frame if it has not reached the socket yet; true if it never will. */
  cancel(): boolean {
    if (!this.written) this.cancelled = true;
    return this.cancelled;
  }

  markWritten(): void {
    this.written = true;
    this.onWritten?.();
  }
}
