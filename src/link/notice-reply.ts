import type { TelegramCodec } from '../codec/telegram-codec.js';
import type { DecodedTelegram, FieldInput } from '../codec/values.js';
import { LinkUsageError } from './link-usage-error.js';

/** Accepts a notice the bank sent (after persisting it) and may add fields to the reply. */
export type NoticeHandler = (notice: DecodedTelegram, raw: Buffer) => Promise<Record<string, FieldInput> | void>;

/**
 * The reply to a bank's notice (4000/100 → 4100/100): every field of the notice that the reply also has,
 * echoed unchanged (the spec's `echo` areas above all), the success response code, then `extra`.
 */
export function buildNoticeReply(codec: TelegramCodec, notice: DecodedTelegram, extra: Record<string, FieldInput> = {}): { message: string; raw: Buffer } {
  const session = codec.spec.session;
  const spec = codec.message(notice.message);
  if (!session || !spec.response) throw new LinkUsageError(`${notice.message} has no reply in ${codec.spec.file}`);
  const reply = codec.message(spec.response);
  const fields: Record<string, FieldInput> = {};
  for (const f of reply.layout) {
    if (reply.key[f.name] === undefined && f.name in notice.fields) fields[f.name] = notice.fields[f.name];
  }
  fields[session.responseCode] = session.successCodes[0];
  return { message: reply.name, raw: codec.encode(reply.name, { ...fields, ...extra }) };
}
