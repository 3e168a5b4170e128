import type { TelegramCodec } from '../codec/telegram-codec.js';
import { charsetFor } from '../encoding/korean-charset.js';
import type { InstitutionProfile } from '../institution/profile.js';

/**
 * What a telegram of an institution is kept as: its `mask: secret` fields overwritten, and — since a
 * one-won code travels in the memo of an ordinary transfer and its answer — the part of a transfer memo
 * after the one-won prefix overwritten with `*`. The prefix stays, so the kept telegram still says it was a
 * one-won transfer. A memo of another transfer that happens to start with the prefix is masked the same
 * way: the side that keeps no secret.
 */
export function keepableTelegram(codec: TelegramCodec, profile: InstitutionProfile, oneWonPrefix: string): (raw: Buffer) => Buffer {
  const charset = charsetFor(codec.spec.encoding);
  const prefix = Buffer.alloc(Math.max(charset.byteLength(oneWonPrefix), 0));
  charset.encodeInto(oneWonPrefix, prefix, 0, prefix.length);
  // Where the memo sits in every message that carries a transfer (당행, 타행, their answers).
  const memoAt = new Map<string, { offset: number; length: number }>();
  const memoField = profile.supports('transfer') ? profile.binding('transfer').request['memo'] : undefined;
  for (const m of codec.spec.messages.values()) {
    const f = memoField && profile.operationOf(m.name)?.operation === 'transfer' ? m.layout.find((x) => x.name === memoField) : undefined;
    if (f) memoAt.set(m.name, { offset: f.offset, length: f.length });
  }
  return (raw) => {
    const kept = codec.redactSecrets(raw);
    if (prefix.length === 0 || memoAt.size === 0) return kept;
    let at: { offset: number; length: number } | undefined;
    try {
      at = memoAt.get(codec.identify(kept).name);
    } catch {
      return kept; // not a telegram we can read: kept as the bank sent it
    }
    if (!at || at.offset + at.length > kept.length || !kept.subarray(at.offset, at.offset + prefix.length).equals(prefix)) return kept;
    const out = kept === raw ? Buffer.from(raw) : kept;
    for (let i = at.offset + prefix.length; i < at.offset + at.length; i++) if (out[i] !== 0x20) out[i] = 0x2a;
    return out;
  };
}
