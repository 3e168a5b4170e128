import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import type { Charset } from '../../src/encoding/charset.js';
import type { FieldSpec, MessageSpec } from '../../src/spec/types.js';
import type { FieldValue } from '../../src/codec/values.js';

/** Characters that every test may put in a text field of this charset: ASCII and encodable Hangul. */
export function textChars(charset: Charset): fc.Arbitrary<string> {
  const hangul = fc
    .integer({ min: 0xac00, max: 0xd7a3 })
    .map((c) => String.fromCharCode(c))
    .filter((c) => charset.byteLength(c) === 2);
  const symbols = fc.constantFrom('ㄱ', 'ㅎ', '１', 'Ａ', '－', '（', '）', '※', '★', '가');
  return fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) }, { weight: 2, arbitrary: hangul }, { weight: 1, arbitrary: symbols });
}

/** Text that fits `length` bytes and survives the right-trim of decoding (no trailing spaces). */
export function fittingText(charset: Charset, length: number): fc.Arbitrary<string> {
  return fc.array(textChars(charset), { maxLength: length }).map((chars) => {
    let s = '';
    let bytes = 0;
    for (const ch of chars) {
      const n = charset.byteLength(ch);
      if (bytes + n > length) break;
      s += ch;
      bytes += n;
    }
    return s.trimEnd();
  });
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

const dateArb = fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const timeArb = fc.tuple(fc.nat(23), fc.nat(59), fc.nat(59)).map(([h, m, s]) => `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}`);

/** A valid decoded value for a field, as decode would return it. */
export function fieldValue(field: FieldSpec, charset: Charset): fc.Arbitrary<FieldValue> {
  const orNull = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 5 });
  switch (field.type) {
    case 'X':
      return fittingText(charset, field.length);
    case 'N':
      return orNull(fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: field.length, maxLength: field.length }));
    case 'amount':
      return orNull(
        fc.bigInt({ min: 0n, max: 10n ** BigInt(field.length) - 1n }).map((units) => new Decimal(units.toString()).div(new Decimal(10).pow(field.scale))),
      );
    case 'date':
      return orNull(dateArb);
    case 'time':
      return orNull(timeArb);
    case 'sign':
      return fc.constantFrom('+', '-', null);
    case 'filler':
      return fc.constant(null);
  }
}

/** All values of a message (header and body) except its key fields, which the spec fixes. */
export function messageValues(message: MessageSpec, charset: Charset): fc.Arbitrary<Record<string, FieldValue>> {
  const record: Record<string, fc.Arbitrary<FieldValue>> = {};
  for (const f of message.layout) {
    if (f.type === 'filler' || message.key[f.name] !== undefined || f.value !== undefined) continue;
    record[f.name] = fieldValue(f, charset);
  }
  return fc.record(record);
}

const SPACES = (n: number) => new Uint8Array(n).fill(0x20);
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** Valid wire bytes for one field: what a bank could legitimately send. */
export function fieldBytes(field: FieldSpec, charset: Charset, message: MessageSpec): fc.Arbitrary<Uint8Array> {
  const key = message.key[field.name] ?? field.value;
  if (key !== undefined) return fc.constant(ascii(key.padEnd(field.length)));
  const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: field.length, maxLength: field.length }).map(ascii);
  switch (field.type) {
    case 'X': {
      // Any printable ASCII (controls too where the spec allows them) and Hangul, padded with spaces:
      // trailing non-spaces are allowed here. Controls elsewhere: see controlBytes.
      const anyAscii = fc.integer({ min: field.controls ? 0 : 0x20, max: field.controls ? 0x7f : 0x7e }).map((c) => String.fromCharCode(c));
      return fc.array(fc.oneof(anyAscii, textChars(charset)), { maxLength: field.length }).map((chars) => {
        const out = SPACES(field.length);
        let p = 0;
        for (const ch of chars) {
          const written = charset.encodeInto(ch, out, p, field.length - p);
          if (written < 0) break;
          p += written;
        }
        return out;
      });
    }
    case 'N':
    case 'amount':
      return fc.oneof(digits, fc.constant(SPACES(field.length)));
    case 'date':
      return fc.oneof(dateArb.map((d) => ascii(d.replace(/-/g, ''))), fc.constant(ascii('00000000')), fc.constant(SPACES(8)));
    case 'time':
      return fc.oneof(timeArb.map((t) => ascii(t.replace(/:/g, ''))), fc.constant(SPACES(6)));
    case 'sign':
      return fc.constantFrom(ascii('+'), ascii('-'), ascii(' '));
    case 'filler':
      return fc.constant(SPACES(field.length));
  }
}

/** A whole valid telegram of this message. */
export function telegramBytes(message: MessageSpec, charset: Charset): fc.Arbitrary<Buffer> {
  return fc.tuple(...message.layout.map((f) => fieldBytes(f, charset, message))).map((parts) => Buffer.concat(parts));
}
