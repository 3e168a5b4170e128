import type { Decimal } from 'decimal.js';

/**
 * A decoded field value:
 * X → string (right-trimmed); N → digit string ("004"); amount → Decimal; date → "YYYY-MM-DD";
 * time → "hh:mm:ss"; sign → "+" | "-"; a blank numeric, date, time or sign → null.
 */
export type FieldValue = string | Decimal | null;

/** What a caller may give for a field. Amounts also accept digit strings and bigint, never unsafe numbers. */
export type FieldInput = string | Decimal | bigint | number | null | undefined;

/** Header and body fields together, by name. */
export type Fields = Record<string, FieldValue>;

export interface DecodedTelegram {
  /** The spec's message name, e.g. `transfer.request`. */
  readonly message: string;
  readonly fields: Fields;
}
