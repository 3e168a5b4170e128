import { readFileSync } from 'node:fs';
import { TelegramCodec } from '../../src/codec/telegram-codec.js';
import { FirmbankError } from '../../src/errors/firmbank-error.js';
import { encodeFrame, FrameDecoder } from '../../src/framing/frame-decoder.js';
import { parseSpec } from '../../src/spec/load-spec.js';
import { SpecError } from '../../src/spec/spec-error.js';
import { HECTO_SPEC } from './corpus.js';
import { Prng } from './prng.js';
import { Crash, type Fixture, type Outcome, type Runner } from './target.js';

/** The name mutated specs are parsed under: every complaint must name it with a line or a path. */
const FUZZ_SPEC_FILE = 'fuzz.yaml';

const TYPES = ['X', 'N', 'amount', 'date', 'time', 'sign', 'filler', 'x', 'AN', '9', 'string', '""', 'null'];
const NUMBERS = ['0', '-1', '1', '2', '7', '8', '99', '300', '301', '65536', '1.5', '1e3', '.inf', '.nan', '0x12C', '0o454', '9007199254740993', '"300"', '~', '99999999999999999999'];
const VALUES = ['null', '~', '[]', '{}', 'true', 'false', '""', "''", '"가"', '😀', '*spareBody', '&x', '!!binary AAAA', '!!str 1', '|', '>', '- a', '? x', '"\\u0000"', "'2000'", '2000', '"2000 "'];
const KEYS = ['name', 'type', 'length', 'key', 'fields', 'header', 'messages', 'session', 'framing', 'kind', 'digits', 'bytes', 'maxLength', 'mask', 'default', 'value', 'scale', 'controls', 'response', 'from', 'match', 'seqNo', 'echo', 'polling', 'encoding', 'institution'];
const JUNK = [':', ' :', '&', '*', '{', '}', '[', ']', '!', '!!', '|', '>', '#', '%', '@', '`', '"', "'", '\t', ',', '? ', '- ', '<<: ', '\\', '\u00a0', '가'];

/**
 * The spec loader on mutations of specs/hecto.yaml, line-wise and token-wise: lines deleted, duplicated,
 * swapped, re-indented; numbers, types, keys and values replaced; quotes dropped; anchors and aliases
 * broken; YAML punctuation inserted; the text cut short. A failure must be a SpecError saying where (a
 * line or a path in the file); a spec that loads must compile, and every message must encode blank, be
 * framed by the spec's own framing and decode back as itself.
 */
export async function openSpecTarget(seed: number): Promise<Runner> {
  const lines = readFileSync(HECTO_SPEC, 'utf8').split('\n');
  const rng = new Prng();

  function mutateLine(text: string[]): void {
    const i = rng.below(text.length);
    const line = text[i]!;
    switch (rng.below(14)) {
      case 0:
        text.splice(i, 1);
        return;
      case 1:
        text.splice(i, 0, line);
        return;
      case 2:
        if (i + 1 < text.length) [text[i], text[i + 1]] = [text[i + 1]!, line];
        return;
      case 3:
        text[i] = rng.pick(['', ' ', '  ', '\t', '    ']) + line;
        return;
      case 4:
        text[i] = line.replace(/^ {1,2}/, '');
        return;
      case 5:
        text[i] = replaceOne(line, /\b\d+\b/g, () => rng.pick(NUMBERS));
        return;
      case 6:
        text[i] = replaceOne(line, /type: *[A-Za-z]+/g, () => `type: ${rng.pick(TYPES)}`);
        return;
      case 7:
        text[i] = replaceOne(line, /\b[a-zA-Z]+(?=:)/g, () => rng.pick(KEYS));
        return;
      case 8:
        text[i] = replaceOne(line, /: *("[^"]*"|[^,{}[\]\s]+)/g, () => `: ${rng.pick(VALUES)}`);
        return;
      case 9:
        text[i] = line.replace(/"/g, '');
        return;
      case 10: {
        const at = rng.below(line.length + 1);
        text[i] = line.slice(0, at) + rng.pick(JUNK) + line.slice(at);
        return;
      }
      case 11:
        // Anchors and aliases: a misspelt alias, an alias before its anchor, an anchor defined twice.
        text[i] = replaceOne(line, /[*&][A-Za-z]+/g, (m) => (rng.chance(0.5) ? m + 'X' : m[0] === '*' ? '&' + m.slice(1) : '*' + m.slice(1)));
        return;
      case 12:
        text.length = Math.max(1, i);
        return;
      default: {
        // A line from elsewhere in the file.
        text[i] = text[rng.below(text.length)]!;
      }
    }
  }

  function replaceOne(line: string, re: RegExp, by: (m: string) => string): string {
    const all = [...line.matchAll(re)];
    if (all.length === 0) return line;
    const m = rng.pick(all);
    return line.slice(0, m.index) + by(m[0]) + line.slice(m.index! + m[0].length);
  }

  function generate(index: number): string {
    rng.reset(seed, index);
    const text = [...lines];
    for (let t = rng.count(4); t > 0; t--) mutateLine(text);
    return text.join('\n');
  }

  return {
    step: (index) => check(generate(index)),
    fixture: (index) => ({ ext: 'yaml', data: Buffer.from(generate(index)) }),
    replay: (fixture: Fixture) => check(fixture.data.toString('utf8')),
    close: async () => {},
  };
}

/** Loads the text; checks the error says where, or that what loaded works. */
function check(text: string): Outcome {
  let codec: TelegramCodec;
  try {
    codec = new TelegramCodec(parseSpec(text, FUZZ_SPEC_FILE));
  } catch (e) {
    if (e instanceof SpecError) {
      if (e.location.file !== FUZZ_SPEC_FILE || (e.location.line === undefined && e.location.path === '')) {
        return new Crash('unlocated', `a SpecError that does not say where: ${e.message}`, e.stack);
      }
      return e.code;
    }
    if (e instanceof FirmbankError) return new Crash('unlocated', `${e.code} from the spec loader is not a SpecError: ${e.message}`, e.stack);
    return Crash.untyped(e);
  }
  try {
    const decoder = new FrameDecoder(codec.spec.framing);
    for (const m of codec.spec.messages.values()) {
      const bytes = codec.encode(m.name, {});
      const frames = decoder.push(encodeFrame(codec.spec.framing, bytes));
      if (frames.length !== 1 || !frames[0]!.equals(bytes)) return new Crash('mismatch', `a loaded spec does not frame ${m.name} as itself`, undefined, 'a loaded spec does not frame a message as itself');
      const d = codec.decode(frames[0]!);
      if (d.message !== m.name) return new Crash('mismatch', `a loaded spec decodes a blank ${m.name} as ${d.message}`, undefined, 'a loaded spec decodes a blank message as another');
    }
  } catch (e) {
    const err = e as Error;
    return new Crash(e instanceof FirmbankError ? 'mismatch' : 'untyped', `a spec that loads cannot carry its own messages: ${err.name}: ${err.message}`, err.stack);
  }
  return 'ok';
}
