import { maskFields } from '../codec/mask-fields.js';
import type { TelegramCodec } from '../codec/telegram-codec.js';
import type { KeptTelegram } from '../domain/transfer.js';

/**
 * A kept telegram as a caller may see it: decoded from its bytes, masked. The raw bytes stay in the
 * ledger (they hold account numbers in clear).
 */
export function telegramView(codec: TelegramCodec, row: KeptTelegram) {
  let fields: Record<string, string | null> | string;
  try {
    const d = codec.decode(row.raw);
    fields = maskFields(codec.message(d.message), d.fields);
  } catch (e) {
    fields = `not decodable: ${(e as Error).message}`;
  }
  return { direction: row.direction, message: row.message, seqNo: row.seqNo, sendDate: row.sendDate, at: row.at, length: row.raw.length, fields };
}
