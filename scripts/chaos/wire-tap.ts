import { connect, createServer, type Server, type Socket } from 'node:net';
import type { TelegramCodec } from '../../src/codec/telegram-codec.js';
import { FrameDecoder } from '../../src/framing/frame-decoder.js';
import { bankKey } from './verdict.js';

/**
 * A TCP relay between the gateways and the simulator that notes every transfer telegram on its way to
 * the bank (`--tap`): which 전문번호 reached the bank's port, and how often. It tells apart "the gateway
 * wrote one telegram twice" from "the bank processed one telegram twice" when the bank's books show a
 * number processed twice. Bytes pass unchanged; a connection closed on one side is closed on the other.
 */
export class WireTap {
  /** `date|seqNo` of each transfer telegram that went to the bank, with how many times it did. */
  readonly transfers = new Map<string, number>();
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly codec: TelegramCodec,
    private readonly bankPort: number,
  ) {
    this.server = createServer((down) => this.relay(down));
  }

  /** Listens on a free port on 127.0.0.1; resolves with it. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve((this.server.address() as { port: number }).port));
    });
  }

  /** Telegrams that went to the bank more than once, as `date|seqNo ×n`. */
  repeated(): string[] {
    return [...this.transfers].filter(([, n]) => n > 1).map(([k, n]) => `${k} ×${n}`);
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private relay(down: Socket): void {
    const up = connect({ host: '127.0.0.1', port: this.bankPort });
    for (const s of [down, up]) {
      this.sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        this.sockets.delete(s);
        down.destroy();
        up.destroy();
      });
    }
    const frames = new FrameDecoder(this.codec.spec.framing, 1);
    let reading = true;
    down.on('data', (chunk: Buffer) => {
      up.write(chunk);
      if (!reading) return;
      try {
        for (const f of frames.push(chunk)) this.note(f);
      } catch {
        reading = false; // not telegrams any more (the gateway will notice too): relay without reading
      }
    });
    up.on('data', (chunk: Buffer) => down.write(chunk));
  }

  private note(frame: Buffer): void {
    const session = this.codec.spec.session!;
    try {
      const t = this.codec.decode(frame);
      if (t.message !== 'transfer.request') return;
      const key = bankKey(String(t.fields[session.sendDate]), String(t.fields[session.seqNo]));
      this.transfers.set(key, (this.transfers.get(key) ?? 0) + 1);
    } catch {
      // a poll, or bytes that do not decode: not a transfer
    }
  }
}
