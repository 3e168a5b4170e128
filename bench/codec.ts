import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { Decimal } from 'decimal.js';
import { TelegramCodec } from '../src/codec/telegram-codec.js';
import type { FieldInput } from '../src/codec/values.js';
import { loadSpecFile } from '../src/spec/load-spec.js';
import type { MessageSpec } from '../src/spec/types.js';
import { projectRoot } from '../src/paths.js';
import { formatRate, opsPerSecond } from './measure.js';

/**
 * The naive way: slice each field and run iconv-lite over it (decode), or iconv-encode each value and
 * concatenate padded buffers (encode). Same field semantics as ours for the types in a transfer.
 */
function naiveCodec(message: MessageSpec) {
  return {
    decode(buf: Buffer): Record<string, unknown> {
      const out: Record<string, unknown> = {};
      for (const f of message.layout) {
        const text = iconv.decode(buf.subarray(f.offset, f.offset + f.length), 'euc-kr');
        if (f.type === 'X') out[f.name] = text.trimEnd();
        else if (text.trim() === '') out[f.name] = null;
        else if (f.type === 'amount') out[f.name] = new Decimal(text);
        else out[f.name] = text;
      }
      return out;
    },
    encode(values: Record<string, FieldInput>): Buffer {
      const parts: Buffer[] = [];
      for (const f of message.layout) {
        const v = message.key[f.name] ?? values[f.name] ?? f.default;
        if (v === undefined || v === null) {
          parts.push(Buffer.alloc(f.length, 0x20));
          continue;
        }
        if (f.type === 'X') {
          const b = iconv.encode(String(v), 'euc-kr');
          parts.push(b, Buffer.alloc(f.length - b.length, 0x20));
        } else {
          const s = v instanceof Decimal ? v.toFixed(0) : String(v).replace(/[-:]/g, '');
          parts.push(iconv.encode(s.padStart(f.length, '0'), 'euc-kr'));
        }
      }
      return Buffer.concat(parts);
    },
  };
}

export interface CodecBenchResult {
  decodePerSec: number;
  encodePerSec: number;
  naiveDecodePerSec: number;
  naiveEncodePerSec: number;
}

/** Hecto 2000/100 with a Hangul memo and recipient name, one core. */
export function benchCodec(): CodecBenchResult {
  const root = projectRoot();
  const codec = new TelegramCodec(loadSpecFile(join(root, 'specs/hecto.yaml')));
  const sample = JSON.parse(readFileSync(join(root, 'specs/samples/transfer-request.json'), 'utf8')) as { fields: Record<string, string> };
  const values: Record<string, FieldInput> = { ...sample.fields, amount: new Decimal(sample.fields['amount']!) };
  const message = codec.message('transfer.request');
  const bytes = codec.encode('transfer.request', values);
  const naive = naiveCodec(message);
  if (!naive.encode(values).equals(bytes)) throw new Error('bench: the naive encoder disagrees with the codec');

  let sink = 0;
  const result = {
    decodePerSec: opsPerSecond(() => (sink += codec.decode(bytes).fields['seqNo'] === null ? 0 : 1)),
    encodePerSec: opsPerSecond(() => (sink += codec.encode('transfer.request', values).length)),
    naiveDecodePerSec: opsPerSecond(() => (sink += naive.decode(bytes)['seqNo'] === null ? 0 : 1), 20_000),
    naiveEncodePerSec: opsPerSecond(() => (sink += naive.encode(values).length), 20_000),
  };
  if (sink === 0) throw new Error('unreachable');
  return result;
}

export function codecTable(r: CodecBenchResult): string {
  return [
    '| Hecto 2000/100, Hangul memo + name, one core | firmbank | naive iconv-lite per field | ratio |',
    '|---|---:|---:|---:|',
    `| decode (telegrams/s) | ${formatRate(r.decodePerSec)} | ${formatRate(r.naiveDecodePerSec)} | ${(r.decodePerSec / r.naiveDecodePerSec).toFixed(1)}× |`,
    `| encode (telegrams/s) | ${formatRate(r.encodePerSec)} | ${formatRate(r.naiveEncodePerSec)} | ${(r.encodePerSec / r.naiveEncodePerSec).toFixed(1)}× |`,
  ].join('\n');
}
