import { TelegramCodec } from '../../codec/telegram-codec.js';
import { toJsonFields } from '../../codec/json-view.js';
import type { FieldInput } from '../../codec/values.js';
import { loadSpecFile } from '../../spec/load-spec.js';
import { parseHex, parseJson, readInput } from '../input.js';
import { UsageError } from '../usage-error.js';

export interface DecodeOptions {
  spec: string;
  hex: boolean;
  input?: string | undefined;
}

/** `firmbank decode`: one telegram (no length prefix) → `{"message", "fields"}` JSON. */
export function decodeCommand(opts: DecodeOptions): string {
  const codec = new TelegramCodec(loadSpecFile(opts.spec));
  const raw = readInput(opts.input);
  const source = opts.input ?? 'standard input';
  const bytes = opts.hex ? parseHex(raw.toString('latin1'), source) : raw;
  const decoded = codec.decode(bytes);
  return JSON.stringify({ message: decoded.message, fields: toJsonFields(codec.message(decoded.message), decoded.fields) }, null, 2);
}

export interface EncodeOptions {
  spec: string;
  message?: string | undefined;
  hex: boolean;
  input?: string | undefined;
}

/** `firmbank encode`: `{"message"?, "fields"}` JSON → one telegram (raw bytes, or hex text). */
export function encodeCommand(opts: EncodeOptions): Buffer | string {
  const codec = new TelegramCodec(loadSpecFile(opts.spec));
  const source = opts.input ?? 'standard input';
  const json = parseJson(readInput(opts.input), source);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new UsageError(`${source}: expected an object like {"fields": {...}}`);
  const { message, fields } = json as { message?: unknown; fields?: unknown };
  if (message !== undefined && typeof message !== 'string') throw new UsageError(`${source}: "message" must be a string`);
  if (opts.message && message && opts.message !== message) throw new UsageError(`--message ${opts.message} but ${source} says "${message}"`);
  const name = opts.message ?? message;
  if (!name) throw new UsageError('which message? give --message NAME or "message" in the JSON');
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) throw new UsageError(`${source}: "fields" must be an object of field name → value`);
  for (const [k, v] of Object.entries(fields)) {
    if (v !== null && typeof v !== 'string' && typeof v !== 'number') throw new UsageError(`${source}: field ${k} must be a string, a number or null`);
  }
  const bytes = codec.encode(name, fields as Record<string, FieldInput>);
  return opts.hex ? bytes.toString('hex') : bytes;
}
