import { Decimal } from 'decimal.js';
import { maskText } from '../codec/mask.js';
import type { TelegramCodec } from '../codec/telegram-codec.js';
import type { FieldValue } from '../codec/values.js';
import type { KeptTelegram } from '../domain/transfer.js';
import type { FieldSpec, MessageSpec } from '../spec/types.js';

/** One field of a dumped telegram: where its bytes are, and what they say (masked unless unmasked). */
export interface TelegramFieldDump {
  readonly name: string;
  /** The spec's name of the field (the Korean name its description starts with). */
  readonly label: string;
  /** First byte of the field in the telegram, as the spec's layout derives it. */
  readonly offset: number;
  readonly length: number;
  readonly value: string | null;
  readonly masked: boolean;
}

/** A kept telegram as the console shows it (the Telegram schema of admin/openapi.yaml). */
export interface TelegramDump {
  readonly direction: 'out' | 'in';
  readonly message: string;
  readonly seqNo: string | null;
  readonly at: string;
  readonly length: number;
  /** The kept bytes in hex; every masked field's bytes are `2a` ('*'). */
  readonly hex: string;
  readonly fields: TelegramFieldDump[];
  /** Why the bytes could not be decoded (then `fields` is empty). */
  readonly error: string | null;
}

const STAR = 0x2a;
const BLANK = 0x20;

/**
 * A kept telegram byte by byte beside its decoded fields: each field with its offset and length in the
 * telegram (the spec's layout, as `firmbank spec show` prints it) and its value, masked by the spec's
 * mask rules (an account keeps its last 4 characters, a name its first) unless `unmask`. A `mask: secret`
 * field is masked always: its bytes were overwritten before the telegram was kept. Wherever a value is
 * masked, its bytes in `hex` are overwritten with `2a` too, so the hex never shows what the fields hide.
 *
 * Never throws: bytes that do not decode give no fields and the reason in `error`; their hex is then
 * masked by the layout of the message their key names, if any, and otherwise (masked views only) every
 * run of 6 or more digits and every byte outside ASCII (an account, a name in EUC-KR) is overwritten.
 */
export function telegramDump(codec: TelegramCodec, row: KeptTelegram, unmask: boolean): TelegramDump {
  const bytes = Buffer.from(row.raw);
  const base = { direction: row.direction, seqNo: row.seqNo, at: row.at.toISOString(), length: bytes.length };
  let decoded: { message: string; fields: Record<string, FieldValue> };
  try {
    decoded = codec.decode(bytes);
  } catch (e) {
    const layout = identified(codec, bytes);
    if (layout) for (const f of layout.layout) if (hides(f, unmask)) overwrite(bytes, f);
    if (!layout && !unmask) scrubUnknown(bytes);
    return { ...base, message: layout?.name ?? row.message, hex: bytes.toString('hex'), fields: [], error: (e as Error).message };
  }
  const spec = codec.message(decoded.message);
  const fields = spec.layout.map((f): TelegramFieldDump => {
    const text = valueText(f, decoded.fields[f.name]);
    // a secret is masked even blank (it says nothing then); an account or a name only when there is one
    const masked = hides(f, unmask) && (f.mask === 'secret' || (text !== null && text !== ''));
    if (masked) overwrite(bytes, f);
    return { name: f.name, label: labelOf(f), offset: f.offset, length: f.length, value: masked && text ? maskText(f.mask!, text) : text, masked };
  });
  return { ...base, message: decoded.message, hex: bytes.toString('hex'), fields, error: null };
}

/** Whether a view hides this field: a secret always, an account or a name unless unmasked. */
function hides(f: FieldSpec, unmask: boolean): boolean {
  return f.mask === 'secret' || (f.mask !== undefined && !unmask);
}

/** A field's decoded value as text: amounts to their scale, fillers (never read) null. */
function valueText(f: FieldSpec, v: FieldValue | undefined): string | null {
  if (f.type === 'filler' || v === undefined || v === null) return null;
  return v instanceof Decimal ? v.toFixed(f.scale) : v;
}

/** The field's bytes become '*' (blank ones stay blank, so a reader still sees whether one was sent). */
function overwrite(bytes: Buffer, f: FieldSpec): void {
  const end = Math.min(f.offset + f.length, bytes.length);
  if (f.offset < end && !isBlank(bytes, f)) bytes.fill(STAR, f.offset, end);
}

function isBlank(bytes: Buffer, f: FieldSpec): boolean {
  const end = Math.min(f.offset + f.length, bytes.length);
  for (let i = f.offset; i < end; i++) if (bytes[i] !== BLANK) return false;
  return true;
}

/** The message these bytes' key names, even when they do not decode (a wrong length, a bad field). */
function identified(codec: TelegramCodec, bytes: Buffer): MessageSpec | null {
  try {
    return codec.identify(bytes);
  } catch {
    return null;
  }
}

/** Bytes of no known layout, in a masked view: digit runs of 6 or more and non-ASCII bytes become '*'. */
function scrubUnknown(bytes: Buffer): void {
  let run = 0;
  for (let i = 0; i <= bytes.length; i++) {
    const digit = i < bytes.length && bytes[i]! >= 0x30 && bytes[i]! <= 0x39;
    if (digit) {
      run++;
      continue;
    }
    if (run >= 6) bytes.fill(STAR, i - run, i);
    run = 0;
    if (i < bytes.length && bytes[i]! >= 0x80) bytes[i] = STAR;
  }
}

/** The Korean name a field's description starts with (`"출금계좌번호 (모계좌)"` → 출금계좌번호), or its name. */
function labelOf(f: FieldSpec): string {
  const d = f.description?.trim();
  if (!d) return f.name;
  const cut = d.split(/\s+[–(-]/u)[0]!.trim();
  return cut || f.name;
}
