import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder } from '../src/framing/frame-decoder.js';
import { FramingError } from '../src/framing/framing-error.js';
import type { Framing } from '../src/spec/types.js';

const FRAMINGS: Framing[] = [
  { kind: 'length-prefix', digits: 4, maxLength: 300 },
  { kind: 'binary-length', bytes: 2, maxLength: 300 },
  { kind: 'binary-length', bytes: 4, maxLength: 300 },
];

/** Cuts `stream` at the given points (any chunking, including 1-byte and empty chunks). */
function chunk(stream: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let at = 0;
  for (const p of [...points, stream.length]) {
    out.push(stream.subarray(at, p));
    at = p;
  }
  return out;
}

describe('framing', () => {
  for (const framing of FRAMINGS) {
    it(`${framing.kind}${'bytes' in framing ? ` ${framing.bytes}` : ''}: any chunking of a stream yields the same frames`, () => {
      fc.assert(
        fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { maxLength: 20 }), fc.array(fc.nat(10_000), { maxLength: 40 }), (bodies, cuts) => {
          const stream = Buffer.concat(bodies.map((b) => encodeFrame(framing, b)));
          const decoder = new FrameDecoder(framing);
          const frames = chunk(stream, cuts).flatMap((c) => decoder.push(c).map((f) => Buffer.from(f)));
          expect(frames).toEqual(bodies.map((b) => Buffer.from(b)));
          expect(decoder.buffered).toBe(0);
        }),
      );
    });
  }

  it('fixed-length records: any chunking yields the same records', () => {
    const framing: Framing = { kind: 'fixed', length: 7, maxLength: 7 };
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 7, maxLength: 7 }), { maxLength: 30 }), fc.array(fc.nat(500)), (records, cuts) => {
        const decoder = new FrameDecoder(framing);
        const frames = chunk(Buffer.concat(records), cuts).flatMap((c) => decoder.push(c).map((f) => Buffer.from(f)));
        expect(frames).toEqual(records.map((r) => Buffer.from(r)));
      }),
    );
  });

  it('refuses non-digit, absurd and too-short length prefixes with a hex dump', () => {
    const framing: Framing = { kind: 'length-prefix', digits: 4, maxLength: 300 };
    const bad = (text: string, code: string, min = 1) => {
      const d = new FrameDecoder(framing, min);
      let caught: unknown;
      try {
        d.push(Buffer.from(text, 'latin1'));
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(FramingError);
      expect(caught).toMatchObject({ code });
      return caught as FramingError;
    };
    expect(bad('03x0' + 'a'.repeat(10), 'FB_FRAME_BAD_LENGTH').hex).toBe('30 33 78 30 61 61 61 61 61 61 61 61 61 61');
    bad('-300', 'FB_FRAME_BAD_LENGTH');
    bad(' 300', 'FB_FRAME_BAD_LENGTH');
    bad('9999', 'FB_FRAME_TOO_LONG');
    bad('0000', 'FB_FRAME_TOO_SHORT');
    bad('0005hello', 'FB_FRAME_TOO_SHORT', 20);
    const binary = new FrameDecoder({ kind: 'binary-length', bytes: 4, maxLength: 300 });
    expect(() => binary.push(Buffer.from([0xff, 0xff, 0xff, 0xff]))).toThrowError(FramingError);
    // Whole frames before the bad bytes in the same read are handed on with the error, not lost.
    const after = bad('0005hello0003abc' + 'xyz!', 'FB_FRAME_BAD_LENGTH');
    expect(after.complete.map((f) => f.toString('latin1'))).toEqual(['hello', 'abc']);
    expect(bad('03x0', 'FB_FRAME_BAD_LENGTH').complete).toEqual([]);
  });

  it('property: arbitrary bytes either frame or raise FramingError, never anything else', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 10 }), (chunks) => {
        const d = new FrameDecoder({ kind: 'length-prefix', digits: 4, maxLength: 300 });
        try {
          for (const c of chunks) d.push(Buffer.from(c));
        } catch (e) {
          expect(e).toBeInstanceOf(FramingError);
        }
      }),
    );
  });
});
