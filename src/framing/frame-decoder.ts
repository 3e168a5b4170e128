import type { Framing } from '../spec/types.js';
import { FramingError } from './framing-error.js';

/**
 * Cuts a byte stream into frames as the spec's framing says: reassembles a frame split across reads and
 * splits several frames arriving in one read. Frames are returned without their length prefix, as views
 * of the received chunks (no copy).
 */
export class FrameDecoder {
  private pending: Buffer | null = null;
  private readonly headerBytes: number;
  /** The smallest frame any message could be (a poll, or the shortest telegram). */
  private readonly minLength: number;

  constructor(
    private readonly framing: Framing,
    minLength = 1,
  ) {
    this.headerBytes = framing.kind === 'length-prefix' ? framing.digits : framing.kind === 'binary-length' ? framing.bytes : 0;
    this.minLength = minLength;
  }

  /** Bytes held back waiting for the rest of a frame. */
  get buffered(): number {
    return this.pending?.length ?? 0;
  }

  /**
   * Feeds one chunk; returns the complete frames it finished. Throws {@link FramingError} on a bad length,
   * carrying the frames this chunk completed before it (`complete`).
   */
  push(chunk: Buffer): Buffer[] {
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    const frames: Buffer[] = [];
    let at = 0;
    for (;;) {
      const left = buf.length - at;
      if (left < this.headerBytes || left === 0) break;
      let length: number;
      try {
        length = this.frameLength(buf, at);
      } catch (e) {
        if (e instanceof FramingError) e.complete = frames;
        throw e;
      }
      if (left < this.headerBytes + length) break;
      frames.push(buf.subarray(at + this.headerBytes, at + this.headerBytes + length));
      at += this.headerBytes + length;
    }
    if (at < buf.length) this.pending = buf.subarray(at);
    return frames;
  }

  private frameLength(buf: Buffer, at: number): number {
    const f = this.framing;
    let length: number;
    switch (f.kind) {
      case 'fixed':
        return f.length;
      case 'binary-length':
        length = f.bytes === 2 ? buf.readUInt16BE(at) : buf.readUInt32BE(at);
        break;
      case 'length-prefix': {
        length = 0;
        for (let i = at; i < at + f.digits; i++) {
          const c = buf[i]!;
          if (c < 0x30 || c > 0x39) throw new FramingError('FB_FRAME_BAD_LENGTH', `length prefix "${buf.toString('latin1', at, at + f.digits)}" is not ${f.digits} ASCII digits`, buf.subarray(at));
          length = length * 10 + (c - 0x30);
        }
        break;
      }
    }
    if (length > f.maxLength) throw new FramingError('FB_FRAME_TOO_LONG', `length ${length} exceeds the maximum ${f.maxLength}`, buf.subarray(at));
    if (length < this.minLength) throw new FramingError('FB_FRAME_TOO_SHORT', `length ${length} is below the minimum ${this.minLength}`, buf.subarray(at));
    return length;
  }
}

/** The bytes to write for one frame: the prefix the framing wants, then the body. */
export function encodeFrame(framing: Framing, body: Uint8Array): Buffer {
  switch (framing.kind) {
    case 'fixed':
      if (body.length !== framing.length) throw new RangeError(`fixed framing needs ${framing.length} bytes, got ${body.length}`);
      return Buffer.from(body);
    case 'binary-length': {
      const out = Buffer.allocUnsafe(framing.bytes + body.length);
      if (framing.bytes === 2) out.writeUInt16BE(body.length, 0);
      else out.writeUInt32BE(body.length, 0);
      out.set(body, framing.bytes);
      return out;
    }
    case 'length-prefix': {
      const out = Buffer.allocUnsafe(framing.digits + body.length);
      out.write(String(body.length).padStart(framing.digits, '0'), 0, 'latin1');
      out.set(body, framing.digits);
      return out;
    }
  }
}
