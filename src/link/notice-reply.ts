import type { TelegramCodec } from '../codec/telegram-codec.js';
import type { DecodedTelegram, FieldInput } from '../codec/values.js';
import { LinkUsageError } from './link-usage-error.js';

/** Accepts a notice the bank sent (after persisting it) and may add fields to the reply. */
export type NoticeHandler = (notice: DecodedTelegram, raw: Buffer) => Promise<Record<string, FieldInput> | void>;

/**
 * The reply to a bank's notice (4000/100 → 4100/100): every field of the notice that the reply also has,
 * echoed byte for byte from `raw` (the spec's `echo` areas above all), the success response code, then
 * `extra`. Echoed bytes are copied, not decoded and encoded again: they are the bank's, and whatever they
 * hold (a control character in a name, say, which we would never write ourselves) goes back unchanged.
 */
export function buildNoticeReply(codec: TelegramCodec, notice: DecodedTelegram, raw: Uint8Array, extra: Record<string, FieldInput> = {}): { message: string; raw: Buffer } {
  const session = codec.spec.session;
  const spec = codec.message(notice.message);
  if (!session || !spec.response) throw new LinkUsageError(`${notice.message} has no reply in ${codec.spec.file}`);
  const reply = codec.message(spec.response);
  const from = new Map(spec.layout.map((f) => [f.name, f]));
  const values: Record<string, FieldInput> = { [session.responseCode]: session.successCodes[0], ...extra };
  const copies: { from: number; to: number; length: number }[] = [];
  for (const f of reply.layout) {
    const src = from.get(f.name);
    if (!src || reply.key[f.name] !== undefined || f.name in values) continue;
    if (src.length === f.length) copies.push({ from: src.offset, to: f.offset, length: f.length });
    else values[f.name] = notice.fields[f.name];
  }
  const out = codec.encode(reply.name, values);
  for (const c of copies) out.set(raw.subarray(c.from, c.from + c.length), c.to);
  return { message: reply.name, raw: out };
}
