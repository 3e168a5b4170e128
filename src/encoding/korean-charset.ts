import iconv from 'iconv-lite';
import type { Charset, CharsetName, DecodeResult, EncodeResult } from './charset.js';

/**
 * EUC-KR / CP949 with our own lookup tables.
 *
 * Why not iconv-lite directly: its `euc-kr` is really CP949, and it replaces what it cannot encode with
 * `?` and what it cannot decode with U+FFFD, silently. We take its CP949 table as the source of truth once,
 * then encode and decode through two flat Uint16Arrays: strict (every miss is reported) and fast (no
 * intermediate buffers per field).
 */
class KoreanCharset implements Charset {
  /** (lead << 8 | trail) → UTF-16 code unit; 0 = not a character of this charset. */
  private readonly toUnicode: Uint16Array;
  /** UTF-16 code unit → (lead << 8 | trail); 0 = not encodable. ASCII is handled before the table. */
  private readonly fromUnicode: Uint16Array;

  constructor(readonly name: CharsetName) {
    const strict = name === 'euc-kr';
    this.toUnicode = new Uint16Array(65536);
    this.fromUnicode = new Uint16Array(65536);
    const pair = Buffer.alloc(2);
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      if (strict && lead < 0xa1) continue;
      for (let trail = strict ? 0xa1 : 0x41; trail <= 0xfe; trail++) {
        pair[0] = lead;
        pair[1] = trail;
        const s = iconv.decode(pair, 'cp949');
        if (s.length !== 1 || s === '\ufffd') continue;
        const unit = s.charCodeAt(0);
        const code = (lead << 8) | trail;
        this.toUnicode[code] = unit;
        if (this.fromUnicode[unit] === 0) this.fromUnicode[unit] = code;
      }
    }
  }

  encodeInto(text: string, buf: Uint8Array, offset: number, max: number): EncodeResult {
    const table = this.fromUnicode;
    const end = offset + max;
    let p = offset;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x80) {
        if (p >= end) return { ok: false, reason: 'too-long', needed: this.byteLength(text) };
        buf[p++] = c;
        continue;
      }
      const code = table[c]!;
      if (code === 0) return { ok: false, reason: 'unencodable', index: i, char: String.fromCodePoint(text.codePointAt(i)!) };
      if (p + 2 > end) return { ok: false, reason: 'too-long', needed: this.byteLength(text) };
      buf[p++] = code >> 8;
      buf[p++] = code & 0xff;
    }
    return { ok: true, written: p - offset };
  }

  decode(buf: Uint8Array, start: number, end: number): DecodeResult {
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (buf[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return { ok: true, text: Buffer.prototype.latin1Slice.call(buf, start, end) as string };
    const table = this.toUnicode;
    const units: number[] = [];
    for (let i = start; i < end; i++) {
      const b = buf[i]!;
      if (b < 0x80) {
        units.push(b);
        continue;
      }
      if (i + 1 >= end) return { ok: false, at: i - start };
      const unit = table[(b << 8) | buf[i + 1]!]!;
      if (unit === 0) return { ok: false, at: i - start };
      units.push(unit);
      i++;
    }
    return { ok: true, text: String.fromCharCode(...units) };
  }

  byteLength(text: string): number {
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x80) n += 1;
      else if (this.fromUnicode[c] !== 0) n += 2;
      else return -1;
    }
    return n;
  }
}

const cache = new Map<CharsetName, Charset>();

/** The charset named by a spec; tables are built once per process, on first use. */
export function charsetFor(name: CharsetName): Charset {
  let cs = cache.get(name);
  if (!cs) {
    cs = new KoreanCharset(name);
    cache.set(name, cs);
  }
  return cs;
}
