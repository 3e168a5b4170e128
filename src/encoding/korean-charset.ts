import iconv from 'iconv-lite';
import { asciiString, unitsString } from './ascii.js';
import { TOO_LONG, UNENCODABLE, type Charset, type CharsetName } from './charset.js';

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
  private readonly toUnicode = new Uint16Array(65536);
  /** UTF-16 code unit → (lead << 8 | trail); 0 = not encodable. ASCII is handled before the table. */
  private readonly fromUnicode = new Uint16Array(65536);
  /** Scratch for decoding double-byte text: one field never holds more characters than bytes. */
  private units = new Uint16Array(256);

  constructor(readonly name: CharsetName) {
    const strict = name === 'euc-kr';
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

  encodeInto(text: string, buf: Uint8Array, offset: number, max: number): number {
    const table = this.fromUnicode;
    const end = offset + max;
    let p = offset;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x80) {
        if (p >= end) return this.firstUnencodable(text) >= 0 ? UNENCODABLE : TOO_LONG;
        buf[p++] = c;
        continue;
      }
      const code = table[c]!;
      if (code === 0) return UNENCODABLE;
      if (p + 2 > end) return this.firstUnencodable(text) >= 0 ? UNENCODABLE : TOO_LONG;
      buf[p++] = code >> 8;
      buf[p++] = code & 0xff;
    }
    return p - offset;
  }

  decode(buf: Uint8Array, start: number, end: number): string | number {
    let i = start;
    while (i < end && buf[i]! < 0x80) i++;
    if (i === end) return asciiString(buf, start, end);
    const table = this.toUnicode;
    if (this.units.length < end - start) this.units = new Uint16Array(end - start);
    const units = this.units;
    let n = 0;
    for (i = start; i < end; i++) {
      const b = buf[i]!;
      if (b < 0x80) {
        units[n++] = b;
        continue;
      }
      if (i + 1 >= end) return i - start;
      const unit = table[(b << 8) | buf[i + 1]!]!;
      if (unit === 0) return i - start;
      units[n++] = unit;
      i++;
    }
    return unitsString(units, n);
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

  firstUnencodable(text: string): number {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80 && this.fromUnicode[c] === 0) return i;
    }
    return -1;
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
