import { isAscii } from 'node:buffer';
import { BankFileError } from './bank-file-error.js';
import type { LineEnding } from './bank-file-spec.js';

const LF = 0x0a;
const CR = 0x0d;

/** What follows a record: nothing, LF, CRLF; or the end of the file. */
const NONE = 0;
const LF_END = 1;
const CRLF_END = 2;
const EOF_END = 3;
const UNSET = -1;

const ENDING_WORDS = ['no line break', 'LF', 'CRLF'];
const EMPTY = Buffer.alloc(0);

/**
 * Cuts a byte stream into fixed-length records, chunk by chunk: a record that straddles two chunks is
 * carried over (the tail of one chunk joined to the next: at most one record and its line ending are ever
 * copied), every other record is read where it lies. Holds the line-ending rule: records must not contain a
 * line break (a line of 79 bytes in an 80-byte file), and what follows each record must be what the spec
 * says — or, with `any`, what followed the first record.
 *
 * Use: `push(chunk)` then `next()` until it returns -1; at the end of the input `end()` and `next()` again.
 * `next()` returns the offset in `buf` of the next complete record.
 */
export class RecordFramer {
  /** The bytes being cut; records are at the offsets `next()` returns. */
  buf: Buffer = EMPTY;
  /** Offset in the file of buf[0]. */
  fileOffset = 0;
  /** Records cut so far (the last one returned by next() has this number). */
  recordNo = 0;
  /** Every byte of `buf` is below 0x80 (checked once per chunk, natively): no record in it holds Hangul. */
  ascii = true;
  private pos = 0;
  private ended = false;
  private style: number;
  /** First LF or CR at or after pos in buf (buf.length when none), or -1 when not looked for yet. */
  private nextBreak = -1;

  constructor(
    private readonly file: string,
    private readonly length: number,
    private readonly lineEnding: LineEnding,
  ) {
    this.style = lineEnding === 'none' ? NONE : lineEnding === 'lf' ? LF_END : lineEnding === 'crlf' ? CRLF_END : UNSET;
  }

  /** Bytes read from the file so far. */
  get bytesSeen(): number {
    return this.fileOffset + this.buf.length;
  }

  push(chunk: Buffer): void {
    this.fileOffset += this.pos;
    this.buf = this.pos < this.buf.length ? Buffer.concat([this.buf.subarray(this.pos), chunk]) : chunk;
    this.ascii = isAscii(this.buf);
    this.pos = 0;
    this.nextBreak = -1;
  }

  end(): void {
    this.ended = true;
  }

  next(): number {
    const { buf, pos, length: L } = this;
    const avail = buf.length - pos;
    if (avail === 0) return -1;
    // Two bytes beyond the record show its line ending; wait for them unless the file has ended.
    if (!this.ended && avail < L + 2) return -1;
    if (avail < L) return this.tail();

    let br = this.nextBreak;
    if (br < pos) br = this.nextBreak = this.findBreak(pos);
    const no = this.recordNo + 1;
    if (br < pos + L) {
      throw this.error(no, pos, `the record is ${br - pos} bytes long, then a line break: every record of this file is ${L} bytes`);
    }
    const t = pos + L;
    let end: number;
    let size = 0;
    const b0 = buf[t];
    if (b0 === undefined) end = EOF_END;
    else if (b0 === LF) {
      end = LF_END;
      size = 1;
    } else if (b0 === CR) {
      if (buf[t + 1] !== LF) throw this.error(no, t, 'the record is followed by a CR without an LF: line breaks are LF or CRLF');
      end = CRLF_END;
      size = 2;
    } else end = NONE;

    if (end !== EOF_END && end !== this.style) {
      const last = this.ended && t + size === buf.length;
      // A line break that ends the bytes so far may be the file's last: wait for the end (or more bytes).
      if (this.style === NONE && !this.ended && t + size === buf.length) return -1;
      if (this.style === UNSET) this.style = end;
      // A file of concatenated records may end with one line break (an editor's or a transfer's).
      else if (!(this.style === NONE && last)) throw this.lineEndingError(no, pos, end);
    }
    this.recordNo = no;
    this.pos = t + size;
    return pos;
  }

  /** The end of the file came inside a record: one more line break (an empty last line) is tolerated, anything else is a fault. */
  private tail(): number {
    const { buf, pos } = this;
    const rest = buf.length - pos;
    const lineBreak = (rest === 1 && buf[pos] === LF) || (rest === 2 && buf[pos] === CR && buf[pos + 1] === LF);
    if (lineBreak && this.recordNo > 0) {
      this.pos = buf.length;
      return -1;
    }
    const br = this.findBreak(pos);
    const no = this.recordNo + 1;
    if (br < buf.length) throw this.error(no, pos, `the record is ${br - pos} bytes long, then a line break: every record of this file is ${this.length} bytes`);
    throw this.error(no, pos, `the file ends inside the record: ${rest} of ${this.length} bytes (the file is truncated; ask for it again)`);
  }

  private lineEndingError(no: number, pos: number, end: number): BankFileError {
    const at = pos + this.length;
    if (end === NONE) {
      const lf = this.buf.indexOf(LF, at);
      const line = lf < 0 ? `longer than ${this.length} bytes` : `${lf - pos - (this.buf[lf - 1] === CR ? 1 : 0)} bytes long`;
      return this.error(no, at, `the record is not followed by a line break (${ENDING_WORDS[this.style]} expected): its line is ${line}, every record of this file is ${this.length} bytes`);
    }
    if (this.lineEnding === 'any') {
      return this.error(no, at, `mixed line endings: record 1 is followed by ${ENDING_WORDS[this.style]}, this record by ${ENDING_WORDS[end]}`);
    }
    return this.error(no, at, `the record is followed by ${ENDING_WORDS[end]}, but the spec says ${this.lineEnding === 'none' ? 'records are not separated (lineEnding: none)' : `${ENDING_WORDS[this.style]} (lineEnding: ${this.lineEnding})`}`);
  }

  private findBreak(from: number): number {
    const lf = this.buf.indexOf(LF, from);
    const cr = this.buf.indexOf(CR, from);
    const n = this.buf.length;
    return Math.min(lf < 0 ? n : lf, cr < 0 ? n : cr);
  }

  private error(recordNo: number, at: number, reason: string): BankFileError {
    return new BankFileError('FB_FILE_INVALID', reason, { file: this.file, recordNo, byteOffset: this.fileOffset + at });
  }
}
