import { Decimal } from 'decimal.js';
import type { ValueTransformer } from 'typeorm';

/**
 * Won amounts are whole numbers of at most 13 digits (the telegram's 9(13)), stored as BIGINT: exact in
 * PostgreSQL and in SQLite (whose DECIMAL would be a float). Read back as Decimal whatever the driver gives
 * (pg returns BIGINT as a string, better-sqlite3 as a number, exact below 2^53).
 */
export const wonTransformer: ValueTransformer = {
  to(value: Decimal | null | undefined): string | null | undefined {
    if (value === null || value === undefined) return value;
    if (!value.isInteger()) throw new RangeError(`won amounts are whole numbers, got ${value.toFixed()}`);
    return value.toFixed(0);
  },
  from(value: string | number | null): Decimal | null {
    return value === null ? null : new Decimal(String(value));
  },
};
