import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TelegramCodec } from '../../src/codec/telegram-codec.js';
import type { FieldInput } from '../../src/codec/values.js';
import type { Charset } from '../../src/encoding/charset.js';
import { charsetFor } from '../../src/encoding/korean-charset.js';
import { projectRoot } from '../../src/paths.js';
import { parseSpec } from '../../src/spec/load-spec.js';
import type { FieldSpec, MessageSpec } from '../../src/spec/types.js';
import type { Prng } from './prng.js';

export const HECTO_SPEC = join(projectRoot(), 'specs', 'hecto.yaml');
export const HECTO_PROFILE = join(projectRoot(), 'specs', 'hecto.profile.yaml');

/**
 * The Hecto spec as shipped (strict EUC-KR) and the same layouts in CP949, so that the UHC half of the
 * charset tables (lead bytes 0x81–0xA0, trail bytes from 0x41) is fuzzed too.
 */
export function hectoCodecs(): TelegramCodec[] {
  const text = readFileSync(HECTO_SPEC, 'utf8');
  const cp949 = text.replace(/^encoding: euc-kr$/m, 'encoding: cp949');
  if (cp949 === text) throw new Error(`${HECTO_SPEC} no longer says "encoding: euc-kr": update the fuzz corpus`);
  return [new TelegramCodec(parseSpec(text, HECTO_SPEC)), new TelegramCodec(parseSpec(cp949, `${HECTO_SPEC} (as cp949)`))];
}

/** One valid telegram, with what mutations need to aim at its fields. */
export interface CorpusEntry {
  readonly codec: TelegramCodec;
  readonly message: MessageSpec;
  readonly bytes: Buffer;
}

const SYMBOLS = ['ㄱ', 'ㅎ', '１', 'Ａ', '－', '（', '）', '※', '★', '·', '℃', '㈜'];
const pools = new Map<Charset, string[]>();

/** Characters a text field of this charset may hold: printable ASCII, encodable Hangul, some symbols. */
function textPool(charset: Charset): string[] {
  let pool = pools.get(charset);
  if (!pool) {
    pool = [];
    for (let c = 0x20; c < 0x7f; c++) pool.push(String.fromCharCode(c));
    for (let c = 0xac00; c <= 0xd7a3; c++) if (charset.byteLength(String.fromCharCode(c)) === 2) pool.push(String.fromCharCode(c));
    pool.push(...SYMBOLS.filter((s) => charset.byteLength(s) === 2));
    pools.set(charset, pool);
  }
  return pool;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const digits = (rng: Prng, n: number) => Array.from({ length: n }, () => String(rng.below(10))).join('');

/** A value valid for `field`, as a caller would give it to encode. */
function validValue(rng: Prng, field: FieldSpec, charset: Charset): FieldInput {
  switch (field.type) {
    case 'X': {
      const pool = textPool(charset);
      // Half ASCII-only (accounts, codes), half mixed with Hangul: both paths of the text decoder.
      const asciiOnly = rng.chance(0.5);
      let s = '';
      let bytes = 0;
      const want = rng.below(field.length + 1);
      while (bytes < want) {
        const ch = asciiOnly ? pool[rng.below(0x5f)]! : rng.pick(pool);
        const n = ch.charCodeAt(0) < 0x80 ? 1 : 2;
        if (bytes + n > field.length) break;
        s += ch;
        bytes += n;
      }
      return s;
    }
    case 'N':
      return rng.chance(0.1) ? null : digits(rng, field.length);
    case 'amount':
      return rng.chance(0.1) ? null : digits(rng, rng.between(1, field.length));
    case 'date':
      return rng.chance(0.1) ? null : rng.chance(0.05) ? '0000-00-00' : `${pad(rng.between(1900, 2099), 4)}-${pad(rng.between(1, 12), 2)}-${pad(rng.between(1, 28), 2)}`;
    case 'time':
      return rng.chance(0.1) ? null : `${pad(rng.below(24), 2)}:${pad(rng.below(60), 2)}:${pad(rng.below(60), 2)}`;
    case 'sign':
      return rng.pick(['+', '-', null]);
    case 'filler':
      return undefined;
  }
}

/**
 * `perMessage` valid telegrams of every message of every codec, encoded by the codec itself from random
 * valid values (and checked to decode, or the corpus would be testing itself).
 */
export function buildCorpus(codecs: readonly TelegramCodec[], rng: Prng, perMessage: number): CorpusEntry[] {
  const out: CorpusEntry[] = [];
  for (const codec of codecs) {
    const charset = charsetFor(codec.spec.encoding);
    for (const message of codec.spec.messages.values()) {
      for (let k = 0; k < perMessage; k++) {
        const values: Record<string, FieldInput> = {};
        for (const f of message.layout) if (message.key[f.name] === undefined && f.value === undefined) values[f.name] = validValue(rng, f, charset);
        const bytes = codec.encode(message.name, values);
        codec.decode(bytes);
        out.push({ codec, message, bytes });
      }
    }
  }
  return out;
}
