import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { TOO_LONG, UNENCODABLE } from '../src/encoding/charset.js';
import { charsetFor } from '../src/encoding/korean-charset.js';

const eucKr = charsetFor('euc-kr');
const cp949 = charsetFor('cp949');

function encode(cs: typeof eucKr, text: string) {
  const buf = Buffer.alloc(64);
  const written = cs.encodeInto(text, buf, 0, 64);
  return written >= 0 ? buf.subarray(0, written) : written;
}

describe('Korean charsets', () => {
  it('strict euc-kr refuses UHC-only syllables that cp949 accepts', () => {
    for (const ch of ['똠', '햏', '뷁']) {
      expect(encode(eucKr, ch)).toBe(UNENCODABLE);
      expect(eucKr.firstUnencodable('ab' + ch)).toBe(2);
      expect(Buffer.isBuffer(encode(cp949, ch))).toBe(true);
    }
  });

  it('both refuse what iconv-lite would silently turn into "?"', () => {
    for (const ch of ['😀', '₩', 'ţ']) {
      expect(iconv.encode(ch, 'euc-kr').toString('latin1')).toContain('?'); // the trap this module exists for
      expect(encode(eucKr, ch)).toBe(UNENCODABLE);
      expect(encode(cp949, ch)).toBe(UNENCODABLE);
    }
  });

  it('agrees with iconv-lite on every double-byte code both accept, and round-trips it', () => {
    const pair = Buffer.alloc(2);
    let count = 0;
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      for (let trail = 0x41; trail <= 0xfe; trail++) {
        pair[0] = lead;
        pair[1] = trail;
        const ours = cp949.decode(pair, 0, 2);
        const theirs = iconv.decode(pair, 'cp949');
        if (typeof ours === 'number') {
          expect(theirs.length !== 1 || theirs === '\ufffd').toBe(true);
          continue;
        }
        count++;
        expect(ours).toBe(theirs);
        expect(encode(cp949, ours)).toEqual(Buffer.from(pair));
        expect(typeof eucKr.decode(pair, 0, 2)).toBe(lead >= 0xa1 && trail >= 0xa1 ? 'string' : 'number');
      }
    }
    expect(count).toBe(17048);
  });

  it('reports the offset of a byte that is not text, never U+FFFD', () => {
    expect(eucKr.decode(Buffer.from([0x41, 0x42, 0x80, 0x41]), 0, 4)).toBe(2);
    expect(eucKr.decode(Buffer.from([0x41, 0xb0]), 0, 2)).toBe(1); // cut in half
    expect(eucKr.decode(Buffer.from([0x8c, 0x63]), 0, 2)).toBe(0); // 똠 is not euc-kr
  });

  it('property: any encodable text round-trips and byteLength matches', () => {
    const ch = fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0xac00, max: 0xd7a3 })).map((c) => String.fromCharCode(c));
    fc.assert(
      fc.property(fc.array(ch, { maxLength: 30 }), (chars) => {
        const text = chars.join('');
        const buf = Buffer.alloc(64);
        const written = cp949.encodeInto(text, buf, 0, 64);
        expect(written).toBe(cp949.byteLength(text));
        expect(cp949.decode(buf, 0, written)).toBe(text);
      }),
    );
  });

  it('never writes past the room it is given', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('가', 'a', '나') }), fc.nat(20), (text, room) => {
        const buf = Buffer.alloc(room + 4, 0xee);
        const written = eucKr.encodeInto(text, buf, 2, room);
        expect(buf[0]).toBe(0xee);
        expect(buf[1]).toBe(0xee);
        if (written >= 0) expect(written).toBeLessThanOrEqual(room);
        else expect([written, eucKr.byteLength(text) > room]).toEqual([TOO_LONG, true]);
        expect(buf[room + 2]).toBe(0xee);
      }),
    );
  });
});
