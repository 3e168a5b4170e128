import { encodeFrame, FrameDecoder } from '../../src/framing/frame-decoder.js';
import { FramingError } from '../../src/framing/framing-error.js';
import type { Framing } from '../../src/spec/types.js';
import { buildCorpus, hectoCodecs } from './corpus.js';
import { Prng } from './prng.js';
import { Crash, outcomeOf, type Fixture, type Outcome, type Runner } from './target.js';

/** A framing as a link sets it up: the spec's framing and the shortest frame it accepts. */
interface FramingCase {
  readonly framing: Framing;
  readonly minLength: number;
}

/** Every kind the spec format has, with Hecto's as the link uses it (shortest frame: a 20-byte poll). */
const FRAMINGS: readonly FramingCase[] = [
  { framing: { kind: 'length-prefix', digits: 4, maxLength: 300 }, minLength: 20 },
  { framing: { kind: 'length-prefix', digits: 4, maxLength: 9999 }, minLength: 1 },
  { framing: { kind: 'length-prefix', digits: 3, maxLength: 600 }, minLength: 1 },
  { framing: { kind: 'length-prefix', digits: 9, maxLength: 100_000 }, minLength: 1 },
  { framing: { kind: 'binary-length', bytes: 2, maxLength: 300 }, minLength: 20 },
  { framing: { kind: 'binary-length', bytes: 2, maxLength: 65_535 }, minLength: 1 },
  { framing: { kind: 'binary-length', bytes: 4, maxLength: 300 }, minLength: 20 },
  { framing: { kind: 'binary-length', bytes: 4, maxLength: 0x7fffffff }, minLength: 1 },
  { framing: { kind: 'fixed', length: 300, maxLength: 300 }, minLength: 300 },
  { framing: { kind: 'fixed', length: 7, maxLength: 7 }, minLength: 1 },
];

/** One input: a stream, where it is cut into reads, and the frames it holds when it is valid. */
interface StreamCase extends FramingCase {
  readonly chunks: Buffer[];
  /** The frames a valid stream must yield, exactly; null for a broken stream. */
  readonly frames: Buffer[] | null;
}

const headerBytes = (f: Framing) => (f.kind === 'length-prefix' ? f.digits : f.kind === 'binary-length' ? f.bytes : 0);
const BAD_PREFIX_BYTES = [0x20, 0x2d, 0x2b, 0x2e, 0x00, 0xff, 0x41, 0x3a, 0x0a];

/**
 * `FrameDecoder` on streams of valid and broken frames for every framing kind, cut into reads anywhere
 * (one read, single bytes, empty reads, cuts inside the prefix, random cuts). A valid stream must yield
 * exactly its frames and hold nothing back; a broken one may fail only with a FramingError, and every
 * frame it yields before that must be the stream's own next bytes, within the length limits.
 */
export async function openFramingTarget(seed: number): Promise<Runner> {
  const rng = new Prng();
  const telegrams = buildCorpus(hectoCodecs(), rng.reset(seed, -1), 4).map((e) => e.bytes);
  const poll = Buffer.from('HDRREQPOLL1124093000', 'latin1');

  function body(c: FramingCase): Buffer {
    const f = c.framing;
    if (f.kind === 'fixed') return telegramOr(f.length);
    const max = Math.min(f.maxLength, 700);
    switch (rng.below(5)) {
      case 0:
        return telegramOr(rng.between(c.minLength, max));
      case 1:
        return c.minLength <= poll.length && poll.length <= max ? poll : telegramOr(c.minLength);
      case 2:
        return telegramOr(rng.chance(0.5) ? c.minLength : max);
      default:
        return telegramOr(rng.between(c.minLength, Math.min(max, c.minLength + 40)));
    }
  }

  /** A Hecto telegram when the length is 300, else random bytes of that length. */
  function telegramOr(n: number): Buffer {
    if (n === 300 && rng.chance(0.7)) return rng.pick(telegrams);
    const b = Buffer.allocUnsafe(n);
    for (let k = 0; k < n; k++) b[k] = rng.below(256);
    return b;
  }

  /** Breaks a valid stream: a bad length somewhere, random bytes, a torn tail … */
  function breakStream(c: FramingCase, stream: Buffer, starts: number[]): Buffer {
    const f = c.framing;
    const at = starts.length > 0 ? rng.pick(starts) : 0;
    const h = headerBytes(f);
    switch (starts.length === 0 ? 2 : rng.below(7)) {
      case 0:
        if (f.kind === 'length-prefix') stream[at + rng.below(h)] = rng.pick(BAD_PREFIX_BYTES);
        else if (h > 0) stream[at] = 0xff;
        return stream;
      case 1: {
        // A length over the maximum, or under the minimum (zero included).
        if (h === 0) return stream;
        const big = rng.chance(0.5);
        const value = big ? Math.min(f.maxLength + 1 + rng.below(3), f.kind === 'binary-length' && f.bytes === 2 ? 0xffff : 999_999_999) : rng.below(c.minLength);
        writeLength(f, stream, at, value);
        return stream;
      }
      case 2: {
        const out = Buffer.allocUnsafe(rng.below(700));
        for (let k = 0; k < out.length; k++) out[k] = rng.below(256);
        return out;
      }
      case 3: {
        for (let t = rng.count(4); t > 0 && stream.length > 0; t--) stream[rng.below(stream.length)]! ^= 1 << rng.below(8);
        return stream;
      }
      case 4:
        // Torn: the stream stops inside a frame (nothing to yield for it, nothing to complain about yet).
        return stream.subarray(0, rng.below(stream.length + 1));
      case 5: {
        // A prefix in another framing's format (ASCII digits on a binary link and the other way round).
        const text = Buffer.from(String(rng.below(1000)).padStart(4, '0'), 'latin1');
        const bin = Buffer.from([0, 0, 1, 44]);
        return Buffer.concat([stream.subarray(0, at), f.kind === 'length-prefix' ? bin : text, stream.subarray(at)]);
      }
      default: {
        // Signs and spaces in an ASCII prefix: "-030", " 300", "+300", "03 0".
        if (f.kind !== 'length-prefix') return Buffer.concat([stream, Buffer.from([0xff, 0xff, 0xff, 0xff])]);
        const text = rng.pick(['-030', ' 300', '+300', '03 0', '3e2 ', '0x12', '    ']).padStart(f.digits, '0').slice(-f.digits);
        stream.write(text, at, 'latin1');
        return stream;
      }
    }
  }

  function cut(stream: Buffer, starts: number[], h: number): Buffer[] {
    const points: number[] = [];
    switch (rng.below(10)) {
      case 0:
        break; // one read
      case 1:
        if (stream.length <= 2000) for (let k = 1; k < stream.length; k++) points.push(k); // byte by byte
        break;
      case 2:
      case 3:
        // Inside every length prefix.
        for (const s of starts) points.push(s + 1 + rng.below(Math.max(1, h)));
        break;
      default:
        for (let t = rng.below(40); t > 0; t--) points.push(rng.below(stream.length + 1));
    }
    points.sort((a, b) => a - b);
    const chunks: Buffer[] = [];
    let from = 0;
    for (const p of points) {
      chunks.push(stream.subarray(from, p)); // equal points make empty reads, on purpose
      from = p;
    }
    chunks.push(stream.subarray(from));
    return chunks;
  }

  function generate(index: number): StreamCase {
    rng.reset(seed, index);
    const c = rng.pick(FRAMINGS);
    const frames: Buffer[] = [];
    for (let n = rng.below(13); n > 0; n--) frames.push(body(c));
    const parts = frames.map((b) => encodeFrame(c.framing, b));
    const starts: number[] = [];
    let at = 0;
    for (const p of parts) {
      starts.push(at);
      at += p.length;
    }
    let stream: Buffer = Buffer.concat(parts);
    const valid = rng.chance(0.6);
    if (!valid) stream = breakStream(c, Buffer.from(stream), starts);
    return { ...c, chunks: cut(stream, starts, headerBytes(c.framing)), frames: valid ? frames : null };
  }

  return {
    step: (index) => check(generate(index)),
    fixture: (index) => toFixture(generate(index)),
    replay: (fixture) => check(fromFixture(fixture)),
    close: async () => {},
  };
}

function writeLength(f: Framing, stream: Buffer, at: number, value: number): void {
  if (f.kind === 'length-prefix') stream.write(String(value).padStart(f.digits, '0').slice(-f.digits), at, 'latin1');
  else if (f.kind === 'binary-length' && f.bytes === 2) stream.writeUInt16BE(value & 0xffff, at);
  else if (f.kind === 'binary-length') stream.writeUInt32BE(value >>> 0, at);
}

/** Feeds the reads and checks what comes out. */
function check(c: StreamCase): Outcome {
  const decoder = new FrameDecoder(c.framing, c.minLength);
  const stream = Buffer.concat(c.chunks);
  const got: Buffer[] = [];
  let consumed = 0;
  let failure: Outcome | null = null;
  for (const chunk of c.chunks) {
    let frames: Buffer[];
    try {
      frames = decoder.push(chunk);
    } catch (e) {
      if (!(e instanceof FramingError)) {
        const o = outcomeOf(e);
        return o instanceof Crash ? o : new Crash('untyped', `${o} is not a FramingError: ${(e as Error).message}`, (e as Error).stack);
      }
      failure = e.code;
      break;
    }
    for (const f of frames) {
      // Each frame must be the stream's next frame, prefix and all, and within the limits.
      const framed = encodeFrame(c.framing, f);
      if (!stream.subarray(consumed, consumed + framed.length).equals(framed)) {
        return new Crash('mismatch', `frame ${got.length} (${f.length} bytes) is not the next ${framed.length} bytes of the stream at ${consumed}`);
      }
      if (c.framing.kind !== 'fixed' && (f.length > c.framing.maxLength || f.length < c.minLength)) {
        return new Crash('mismatch', `frame ${got.length} is ${f.length} bytes, outside ${c.minLength}–${c.framing.maxLength}`);
      }
      consumed += framed.length;
      got.push(f);
    }
  }
  if (failure === null && decoder.buffered !== stream.length - consumed) {
    return new Crash('mismatch', `holds ${decoder.buffered} bytes back, but ${stream.length - consumed} of the stream are not yet framed`);
  }
  if (c.frames) {
    if (failure !== null) return new Crash('mismatch', `a valid stream failed with ${String(failure)}`);
    if (got.length !== c.frames.length || got.some((f, i) => !f.equals(c.frames![i]!))) {
      return new Crash('mismatch', `a valid stream of ${c.frames.length} frames in ${c.chunks.length} reads yielded ${got.length} frames, not the same`);
    }
    return 'ok';
  }
  return failure ?? 'ok';
}

function toFixture(c: StreamCase): Fixture {
  const json = { framing: c.framing, minLength: c.minLength, chunks: c.chunks.map((b) => b.toString('hex')), frames: c.frames?.map((b) => b.toString('hex')) ?? null };
  return { ext: 'json', data: Buffer.from(JSON.stringify(json, null, 1) + '\n') };
}

function fromFixture(f: Fixture): StreamCase {
  const j = JSON.parse(f.data.toString('utf8')) as { framing: Framing; minLength: number; chunks: string[]; frames: string[] | null };
  return { framing: j.framing, minLength: j.minLength, chunks: j.chunks.map((h) => Buffer.from(h, 'hex')), frames: j.frames?.map((h) => Buffer.from(h, 'hex')) ?? null };
}
