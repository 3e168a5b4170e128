import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../src/codec/decode-error.js';
import { EncodeError } from '../src/codec/encode-error.js';
import { charsetFor } from '../src/encoding/korean-charset.js';
import { messageValues, telegramBytes } from './helpers/arbitraries.js';
import { shippedCodecs } from './helpers/specs.js';

const normalise = (fields: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v instanceof Decimal ? `D:${v.toFixed()}` : v]));

for (const { file, codec } of shippedCodecs()) {
  const charset = charsetFor(codec.spec.encoding);
  describe(`${file}: every message`, () => {
    for (const message of codec.spec.messages.values()) {
      describe(message.name, () => {
        it('encode then decode gives back the same values', () => {
          fc.assert(
            fc.property(messageValues(message, charset), (values) => {
              const bytes = codec.encode(message.name, values);
              expect(bytes.length).toBe(message.length);
              const decoded = codec.decode(bytes);
              expect(decoded.message).toBe(message.name);
              const expected = { ...values, ...message.key };
              expect(normalise(decoded.fields)).toEqual(normalise(expected));
            }),
            { numRuns: 150 },
          );
        });

        it('decode then encode gives back the same bytes', () => {
          fc.assert(
            fc.property(telegramBytes(message, charset), (bytes) => {
              const decoded = codec.decode(bytes);
              expect(decoded.message).toBe(message.name);
              expect(codec.encode(message.name, decoded.fields).equals(bytes)).toBe(true);
            }),
            { numRuns: 150 },
          );
        });

        it('arbitrary bytes under its key either decode or raise DecodeError', () => {
          const keyed = fc.uint8Array({ minLength: message.length, maxLength: message.length }).map((raw) => {
            const buf = Buffer.from(raw);
            for (const [name, value] of Object.entries(message.key)) {
              const f = message.layout.find((x) => x.name === name)!;
              buf.write(value.padEnd(f.length), f.offset, 'latin1');
            }
            return buf;
          });
          fc.assert(
            fc.property(keyed, (bytes) => {
              try {
                expect(codec.decode(bytes).message).toBe(message.name);
              } catch (e) {
                expect(e).toBeInstanceOf(DecodeError);
                const d = e as DecodeError;
                expect(d.messageName).toBe(message.name);
                expect(d.field).toBeDefined();
                expect(d.offset).toBeGreaterThanOrEqual(0);
                expect(d.offset).toBeLessThan(message.length);
              }
            }),
            { numRuns: 200 },
          );
        });

        it('over-long text, digits and amounts raise FB_ENCODE_TOO_LONG naming the field', () => {
          const sized = message.layout.filter((f) => ['X', 'N', 'amount'].includes(f.type) && message.key[f.name] === undefined && f.value === undefined);
          fc.assert(
            fc.property(fc.constantFrom(...sized), fc.integer({ min: 1, max: 20 }), (field, extra) => {
              const value = field.type === 'X' ? 'A'.repeat(field.length + extra) : '1'.repeat(field.length - field.scale + extra);
              expect(() => codec.encode(message.name, { [field.name]: value })).toThrowError(
                expect.objectContaining({ code: 'FB_ENCODE_TOO_LONG', field: field.name, offset: field.offset }),
              );
            }),
          );
        });

        it('characters the charset cannot hold raise FB_ENCODE_UNENCODABLE naming the field', () => {
          const texts = message.layout.filter((f) => f.type === 'X' && message.key[f.name] === undefined && f.value === undefined && f.length >= 2);
          const foreign = fc.constantFrom('😀', '₩', '\u{20000}', 'ﬀ', '\u0301', '\ud800');
          fc.assert(
            fc.property(fc.constantFrom(...texts), foreign, (field, ch) => {
              let caught: unknown;
              try {
                codec.encode(message.name, { [field.name]: ch });
              } catch (e) {
                caught = e;
              }
              expect(caught).toBeInstanceOf(EncodeError);
              expect(caught).toMatchObject({ code: 'FB_ENCODE_UNENCODABLE', field: field.name, offset: field.offset });
            }),
          );
        });

        it('control characters (NUL, TAB, CR, LF, ESC, DEL) in text are refused naming the field; the same bytes from a bank still decode', () => {
          const texts = message.layout.filter((f) => f.type === 'X' && !f.controls && message.key[f.name] === undefined && f.value === undefined && f.length >= 3);
          if (texts.length === 0) return;
          const control = fc.constantFrom('\u0000', '\t', '\r', '\n', '\u001b', '\u007f', '\u0001');
          fc.assert(
            fc.property(fc.constantFrom(...texts), control, fc.constantFrom('', 'a', '한'), (field, ch, before) => {
              const text = before + ch;
              expect(() => codec.encode(message.name, { [field.name]: text })).toThrowError(
                expect.objectContaining({ code: 'FB_ENCODE_INVALID_VALUE', field: field.name, offset: field.offset }),
              );
              const bytes = codec.encode(message.name, {});
              bytes.write(before, field.offset, 'latin1'); // ASCII or a lead byte: placement only matters
              bytes[field.offset + (before === '' ? 0 : 2)] = ch.charCodeAt(0);
              if (before === '한') bytes.set([0xc7, 0xd1], field.offset);
              expect(String(codec.decode(bytes).fields[field.name])).toContain(ch);
            }),
            { numRuns: 60 },
          );
        });

        it('Hangul filling each text field to its last byte fits; one byte more is refused, never cut', () => {
          for (const field of message.layout) {
            if (field.type !== 'X' || message.key[field.name] !== undefined || field.value !== undefined) continue;
            const fits = '한'.repeat(Math.floor(field.length / 2)) + (field.length % 2 ? 'a' : '');
            const decoded = codec.decode(codec.encode(message.name, { [field.name]: fits }));
            expect(decoded.fields[field.name]).toBe(fits);
            const over = '한'.repeat(Math.floor(field.length / 2) + 1);
            expect(() => codec.encode(message.name, { [field.name]: over })).toThrowError(expect.objectContaining({ code: 'FB_ENCODE_TOO_LONG' }));
            if (field.length % 2 === 1) {
              // An odd field: one more syllable after the ASCII would end half-way through the last byte.
              expect(() => codec.encode(message.name, { [field.name]: 'a' + '한'.repeat(Math.floor(field.length / 2)) + '한' })).toThrowError(
                expect.objectContaining({ code: 'FB_ENCODE_TOO_LONG' }),
              );
            }
          }
        });

        it('a double-byte character cut at the end of a text field is a decode error for that field', () => {
          const fields = message.layout.filter((f) => f.type === 'X' && message.key[f.name] === undefined && f.value === undefined);
          for (const field of fields) {
            const bytes = codec.encode(message.name, {});
            bytes[field.offset + field.length - 1] = 0xb0; // a lead byte with its trail byte in the next field
            expect(() => codec.decode(bytes)).toThrowError(
              expect.objectContaining({ code: 'FB_DECODE_INVALID_BYTES', field: field.name, offset: field.offset + field.length - 1 }),
            );
          }
        });
      });
    }
  });

  describe(`${file}: any bytes at all`, () => {
    it('decode returns a telegram or raises DecodeError, nothing else', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 400 }), (raw) => {
          try {
            codec.decode(raw);
          } catch (e) {
            expect(e).toBeInstanceOf(DecodeError);
          }
        }),
        { numRuns: 500 },
      );
    });
  });
}
