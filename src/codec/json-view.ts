import { Decimal } from 'decimal.js';
import type { MessageSpec } from '../spec/types.js';
import type { Fields } from './values.js';

/** A JSON-safe view of decoded fields: amounts become decimal strings ("15000", "12.50" with scale 2). */
export function toJsonFields(message: MessageSpec, fields: Fields): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const f of message.layout) {
    if (!(f.name in fields)) continue;
    const v = fields[f.name]!;
    out[f.name] = v instanceof Decimal ? v.toFixed(f.scale) : v;
  }
  return out;
}
