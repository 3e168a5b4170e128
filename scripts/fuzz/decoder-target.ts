import type { TelegramCodec } from '../../src/codec/telegram-codec.js';
import { DecodeError } from '../../src/codec/decode-error.js';
import { EncodeError } from '../../src/codec/encode-error.js';
import type { DecodedTelegram } from '../../src/codec/values.js';
import { charsetFor } from '../../src/encoding/korean-charset.js';
import { FirmbankError } from '../../src/errors/firmbank-error.js';
import type { FieldSpec, MessageSpec } from '../../src/spec/types.js';
import { buildCorpus, hectoCodecs } from './corpus.js';
import { Prng } from './prng.js';
import { Crash, type Fixture, type Outcome, type Runner } from './target.js';

/** Longest input: a little over two telegrams, enough for splices and extensions. */
const MAX = 1024;

/** Byte pairs that are not text in either charset (-1: the lead byte alone). */
const BAD_PAIRS: readonly (readonly [number, number])[] = [
  [0xb0, 0x20], // a lead byte followed by ASCII
  [0xb0, 0x41], // a UHC trail byte: CP949 only
  [0xc9, 0xa1], // the user-defined area of KS X 1001
  [0xfe, 0xfe],
  [0xa2, 0xe8], // unassigned in KS X 1001
  [0xa1, 0x7f],
  [0x81, 0x41], // UHC: valid in CP949, not in strict EUC-KR
  [0x80, -1],
  [0xff, -1],
  [0xc8, -1], // a lead byte cut by the end of the field
];
const NON_DIGITS = [0x20, 0x2b, 0x2d, 0x2e, 0x00, 0xff, 0x41, 0x3a, 0x2f, 0xa1, 0x7f, 0x09, 0x2c, 0x45];
const FILLS = [0x00, 0xff, 0x80, 0x20, 0x30, 0xa1, 0x39, 0x2d];
const CONTROLS = [0x00, 0x09, 0x0a, 0x0d, 0x1b, 0x7f, 0x80, 0xff];
const BAD_DATES = ['20240230', '00000000', '99999999', '20241301', '20230229', '20240229', '00010101', '0000 000', '2024-1-1', '00000001', '20240100', '19000229', '        '];
const BAD_TIMES = ['240000', '235960', '236000', '000000', '99 999', '-10000', '235959', '      '];
const SIGN_BYTES = [0x2b, 0x2d, 0x20, 0x30, 0x2a, 0x00, 0xad, 0x7e];
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const DATE_BYTES = BAD_DATES.map(ascii);
const TIME_BYTES = BAD_TIMES.map(ascii);

/** The fields of a message by what mutations do to them. */
interface Shape {
  readonly all: readonly FieldSpec[];
  readonly text: readonly FieldSpec[];
  readonly numeric: readonly FieldSpec[];
  readonly dates: readonly FieldSpec[];
  readonly times: readonly FieldSpec[];
  readonly signs: readonly FieldSpec[];
  /** 1 for every byte of a masked field: what an error message must never show. */
  readonly masked: Uint8Array;
}

function shapeOf(m: MessageSpec): Shape {
  const of = (...types: FieldSpec['type'][]) => m.layout.filter((f) => types.includes(f.type));
  const masked = new Uint8Array(m.length);
  for (const f of m.layout) if (f.mask) masked.fill(1, f.offset, f.offset + f.length);
  const none = m.layout.slice(0, 1);
  const or = (l: FieldSpec[]) => (l.length > 0 ? l : none);
  return { all: m.layout, text: or(of('X')), numeric: or(of('N', 'amount', 'date', 'time')), dates: or(of('date')), times: or(of('time')), signs: or(of('sign')), masked };
}

/**
 * `TelegramCodec.decode` on the Hecto spec (EUC-KR and CP949): mostly valid telegrams of every message
 * with 1–6 stacked mutations aimed at the layout (Hangul lead bytes at field boundaries, invalid EUC-KR,
 * non-digits in numeric fields, impossible dates and times, odd signs, truncation, extension, splices of
 * two telegrams, swapped keys, inserted and deleted bytes), some random bytes. Every failure must be a
 * FirmbankError; on a sample, an error's byte context must not show masked fields, and a telegram that
 * decodes must encode back to the same bytes.
 */
export async function openDecoderTarget(seed: number): Promise<Runner> {
  const codecs = hectoCodecs();
  const rng = new Prng();
  const corpus = buildCorpus(codecs, rng.reset(seed, -1), 24);
  const shapes = new Map<MessageSpec, Shape>();
  for (const c of codecs) for (const m of c.spec.messages.values()) shapes.set(m, shapeOf(m));
  const entryShapes = corpus.map((e) => shapes.get(e.message)!);
  const first = [...codecs[0]!.spec.messages.values()][0]!;
  const keyFields = first.layout.filter((f) => codecs[0]!.spec.keyFields.includes(f.name));
  const keyEnd = Math.max(...keyFields.map((f) => f.offset + f.length));
  // Valid double-byte characters, to write across field boundaries (똠 is CP949 only).
  const pairs = ['가', '홍', '동', '급', '１', '똠'].map((ch) => {
    const b = new Uint8Array(2);
    charsetFor('cp949').encodeInto(ch, b, 0, 2);
    return b;
  });

  const scratch = Buffer.alloc(MAX);
  // One view per length, made once: the loop allocates nothing for its input.
  const views = Array.from({ length: MAX + 1 }, (_, n) => scratch.subarray(0, n));
  let codec = codecs[0]!;

  const put = (at: number, n: number, bytes: Uint8Array) => {
    for (let k = 0; k < bytes.length && at + k < n; k++) scratch[at + k] = bytes[k]!;
  };

  function randomLength(): number {
    switch (rng.below(4)) {
      case 0:
        return rng.below(keyEnd + 2);
      case 1:
        return 298 + rng.below(5);
      default:
        return rng.below(MAX + 1);
    }
  }

  function mutate(shape: Shape, n: number): number {
    switch (rng.below(18)) {
      case 0:
        if (n > 0) scratch[rng.below(n)] = rng.below(256);
        return n;
      case 1:
        if (n > 0) scratch[rng.below(n)]! ^= 1 << rng.below(8);
        return n;
      case 2: {
        // A lead byte where a text field starts or ends: a double-byte character cut by the boundary.
        const f = rng.pick(shape.text);
        const at = f.offset + (rng.chance(0.5) ? 0 : f.length - 1 - rng.below(2));
        if (at >= 0 && at < n) scratch[at] = 0x81 + rng.below(0x7e);
        if (rng.chance(0.5) && at + 1 < n) scratch[at + 1] = rng.below(256);
        return n;
      }
      case 3: {
        const f = rng.pick(shape.text);
        const [a, b] = rng.pick(BAD_PAIRS);
        const at = f.offset + rng.below(f.length);
        if (at < n) scratch[at] = a;
        if (b >= 0 && at + 1 < n) scratch[at + 1] = b;
        return n;
      }
      case 4: {
        const f = rng.pick(shape.numeric);
        const at = f.offset + rng.below(f.length);
        if (at < n) scratch[at] = rng.pick(NON_DIGITS);
        return n;
      }
      case 5: {
        // Partly blank: some spaces in a numeric field that is not all spaces.
        const f = rng.pick(shape.numeric);
        const from = f.offset + rng.below(f.length);
        const to = Math.min(n, from + 1 + rng.below(f.offset + f.length - from));
        for (let k = from; k < to; k++) scratch[k] = 0x20;
        return n;
      }
      case 6:
        put(rng.pick(shape.dates).offset, n, rng.pick(DATE_BYTES));
        return n;
      case 7:
        put(rng.pick(shape.times).offset, n, rng.pick(TIME_BYTES));
        return n;
      case 8: {
        const at = rng.pick(shape.signs).offset;
        if (at < n) scratch[at] = rng.pick(SIGN_BYTES);
        return n;
      }
      case 9:
        switch (rng.below(5)) {
          case 0:
            return 0;
          case 1:
            return Math.min(n, keyEnd - 1);
          case 2:
            return Math.min(n, keyEnd);
          case 3:
            return Math.max(0, n - 1);
          default:
            return rng.below(n + 1);
        }
      case 10: {
        const extra = Math.min(MAX - n, 1 + rng.below(64));
        const spaces = rng.chance(0.5);
        for (let k = n; k < n + extra; k++) scratch[k] = spaces ? 0x20 : rng.below(256);
        return n + extra;
      }
      case 11: {
        // The start of this telegram, the rest of another (often of another message).
        const other = rng.pick(corpus).bytes;
        const cut = rng.below(n + 1);
        const start = rng.chance(0.5) ? cut : rng.below(other.length + 1);
        const len = Math.min(MAX, cut + other.length - start);
        for (let k = cut; k < len; k++) scratch[k] = other[start + k - cut]!;
        return len;
      }
      case 12: {
        // Another message's key on this layout.
        const other = rng.pick(corpus).bytes;
        for (const f of keyFields) for (let k = f.offset; k < f.offset + f.length && k < n; k++) scratch[k] = other[k]!;
        return n;
      }
      case 13: {
        const f = rng.pick(shape.all);
        const byte = rng.pick(FILLS);
        for (let k = f.offset; k < f.offset + f.length && k < n; k++) scratch[k] = byte;
        return n;
      }
      case 14: {
        const at = rng.below(n + 1);
        const k = Math.min(MAX - n, 1 + rng.below(4));
        scratch.copyWithin(at + k, at, n);
        for (let j = 0; j < k; j++) scratch[at + j] = rng.below(256);
        return n + k;
      }
      case 15: {
        const at = rng.below(n + 1);
        const k = Math.min(n - at, 1 + rng.below(4));
        scratch.copyWithin(at, at + k, n);
        return n - k;
      }
      case 16: {
        // A valid double-byte character straddling the end of a field.
        const f = rng.pick(shape.all);
        put(f.offset + f.length - 1, n, rng.pick(pairs));
        return n;
      }
      default: {
        const f = rng.pick(shape.text);
        const at = f.offset + rng.below(f.length);
        if (at < n) scratch[at] = rng.pick(CONTROLS);
        return n;
      }
    }
  }

  /** Writes input `index` into the scratch buffer, chooses the codec; returns its length. */
  function generate(index: number): number {
    rng.reset(seed, index);
    const r = rng.below(100);
    if (r < 3) {
      codec = rng.pick(codecs);
      const n = randomLength();
      for (let k = 0; k < n; k++) scratch[k] = rng.below(256);
      return n;
    }
    const i = rng.below(corpus.length);
    const entry = corpus[i]!;
    codec = entry.codec;
    scratch.set(entry.bytes);
    let n = entry.bytes.length;
    if (r < 6) {
      // The key kept, everything after it random: gets past the lookup every time.
      for (let k = keyEnd; k < n; k++) scratch[k] = rng.below(256);
      return n;
    }
    if (r < 8) return n;
    for (let t = rng.count(6); t > 0; t--) n = mutate(entryShapes[i]!, n);
    return n;
  }

  /** Masked bytes shown in an error's hex context (`**` is how they must appear). */
  function leak(c: TelegramCodec, bytes: Uint8Array, e: DecodeError): Crash | null {
    if (!e.context || !e.messageName) return null;
    const m = /^@(\d+): (.*)$/.exec(e.context);
    if (!m) return null;
    const masked = shapes.get(c.message(e.messageName))!.masked;
    const tokens = m[2]!.replace(/[[\]]/g, ' ').split(/\s+/).filter(Boolean);
    const from = Number(m[1]);
    for (let k = 0; k < tokens.length; k++) {
      const at = from + k;
      if (tokens[k] !== '**' && masked[at] === 1 && bytes[at] !== 0x20) {
        const field = c.message(e.messageName).layout.find((f) => at >= f.offset && at < f.offset + f.length)!;
        return new Crash('leak', `the context of an error in ${e.messageName}.${e.field} shows byte ${at} of the masked field ${field.name} (${field.mask}) in clear: ${e.message}`, e.stack, 'masked bytes in clear in the hex context of a DecodeError');
      }
    }
    return null;
  }

  function roundTrip(c: TelegramCodec, bytes: Uint8Array, d: DecodedTelegram): Outcome {
    let again: Buffer;
    try {
      again = c.encode(d.message, d.fields);
    } catch (e) {
      // Decoding takes what a bank may send (control characters in text, say) that encoding refuses to
      // write: counted, not a crasher. Anything but an EncodeError is one.
      if (e instanceof EncodeError) return `ok, not re-encodable: ${e.code}`;
      return new Crash('mismatch', `a decoded ${d.message} does not encode back: ${(e as Error).message}`, (e as Error).stack);
    }
    if (again.equals(bytes)) return 'ok';
    let at = 0;
    while (again[at] === bytes[at]) at++;
    const f = c.message(d.message).layout.find((x) => at >= x.offset && at < x.offset + x.length);
    return new Crash('mismatch', `a decoded ${d.message} encodes back differently from byte ${at} (field ${f?.name})`, undefined, 'a decoded telegram encodes back to other bytes');
  }

  /** Decodes; `deep` adds the (slower) leak and round-trip checks. */
  function check(c: TelegramCodec, bytes: Uint8Array, deep: boolean): Outcome {
    let d: DecodedTelegram;
    try {
      d = c.decode(bytes);
    } catch (e) {
      if (!(e instanceof FirmbankError)) return Crash.untyped(e);
      if (deep && e instanceof DecodeError) return leak(c, bytes, e) ?? e.code;
      return e.code;
    }
    return deep ? roundTrip(c, bytes, d) : 'ok';
  }

  return {
    step(index) {
      const n = generate(index);
      return check(codec, views[n]!, (index & 15) === 0);
    },
    fixture(index): Fixture {
      return { ext: 'bin', data: Buffer.from(views[generate(index)]!) };
    },
    replay(fixture) {
      // A kept input does not say which codec found it: both must hold.
      let outcome: Outcome = 'ok';
      for (const c of [...codecs].reverse()) {
        outcome = check(c, fixture.data, true);
        if (outcome instanceof Crash) return outcome;
      }
      return outcome;
    },
    close: async () => {},
  };
}
