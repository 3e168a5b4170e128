import { Decimal } from 'decimal.js';
import type { MessageSpec } from '../spec/types.js';
import { maskText } from './mask.js';
import type { Fields } from './values.js';

/** Decoded fields as they may appear in logs and screens: masked fields hidden, amounts as strings. */
export function maskFields(message: MessageSpec, fields: Fields): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const f of message.layout) {
    if (!(f.name in fields)) continue;
    const v = fields[f.name]!;
    const text = v instanceof Decimal ? v.toFixed(f.scale) : v;
    out[f.name] = text !== null && f.mask && text !== '' ? maskText(f.mask, text) : text;
  }
  return out;
}
