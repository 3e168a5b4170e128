import { Decimal } from 'decimal.js';
import type { DataSource } from 'typeorm';
import { TRANSFER_STATES, type TransferState } from '../../domain/transfer-state.js';
import type { Transfer, TransferKind } from '../../domain/transfer.js';
import { ValidationError } from '../../flows/validation-error.js';
import { transferFromRow } from '../ledger.js';
import { Sql } from '../sql.js';
import { newestByTime, type Page, type PageRequest } from './newest-first.js';

/** What the console searches transfers (and collections) by. Every field is optional; those given must all hold. */
export interface TransferSearch {
  readonly state?: TransferState;
  readonly kind?: TransferKind;
  readonly institution?: string;
  readonly service?: string;
  readonly requestId?: string;
  /** The last 1–6 digits of the deposit account. */
  readonly accountSuffix?: string;
  /** At least this many won (a decimal string or a Decimal, inclusive). */
  readonly minAmount?: string | Decimal;
  /** At most this many won (a decimal string or a Decimal, inclusive). */
  readonly maxAmount?: string | Decimal;
  /** Created at or after this instant. */
  readonly from?: Date;
  /** Created before this instant (half-open: [from, to)). */
  readonly to?: Date;
}

const LISTING = 'transfers';
const KINDS: readonly TransferKind[] = ['transfer', 'collection'];
const AMOUNT = /^\d{1,15}(\.\d+)?$/;

/**
 * The console's transfer search, newest first: (created_at DESC, id DESC), in keyset pages. Each page
 * seeks below the last row of the one before in `ix_transfers_created_id` (migration 0004) read
 * backwards, so a page 200 pages deep costs what the first does, and rows created while an operator pages
 * never show up twice nor push others off a page: a row newer than the cursor is simply not on the pages
 * that follow. Filters that the order index cannot serve alone have indexes of their own on PostgreSQL
 * (migration 0012); the planner picks between them and the order index.
 */
export class TransferSearchQuery {
  private readonly sql: Sql;

  constructor(private readonly ds: DataSource) {
    this.sql = new Sql(ds);
  }

  /**
   * One page of the transfers matching `filter`, newest first.
   * @throws ValidationError `FB_VALIDATION` naming the field at fault: `after` for a cursor this search
   *   did not hand out, `limit` outside 1–200, or a filter value that cannot be.
   */
  async page(filter: TransferSearch, page: PageRequest): Promise<Page<Transfer>> {
    const params: unknown[] = [];
    const where = this.conditions(filter, params);
    const rows = await newestByTime(this.sql, this.ds, { listing: LISTING, select: '*', from: 'transfers', where, params }, 'created_at', 'id', page);
    return { items: rows.items.map(transferFromRow), next: rows.next };
  }

  /** The SQL conditions of `filter`, its values appended to `params`. */
  private conditions(f: TransferSearch, params: unknown[]): string[] {
    const where: string[] = [];
    const param = (v: unknown): string => `$${params.push(v)}`;
    if (f.state !== undefined) {
      if (!TRANSFER_STATES.includes(f.state)) throw new ValidationError('state', `"${String(f.state)}" is not a transfer state (${TRANSFER_STATES.join(', ')})`);
      where.push(`state = ${param(f.state)}`);
    }
    if (f.kind !== undefined) {
      if (!KINDS.includes(f.kind)) throw new ValidationError('kind', `must be transfer or collection, got "${String(f.kind)}"`);
      where.push(`kind = ${param(f.kind)}`);
    }
    for (const [field, column] of [['institution', 'institution'], ['service', 'service'], ['requestId', 'request_id']] as const) {
      const v = f[field];
      if (v === undefined) continue;
      if (typeof v !== 'string' || v === '') throw new ValidationError(field, 'must not be empty');
      where.push(`${column} = ${param(v)}`);
    }
    if (f.accountSuffix !== undefined) {
      if (!/^\d{1,6}$/.test(f.accountSuffix)) throw new ValidationError('accountSuffix', `must be 1 to 6 digits, got "${String(f.accountSuffix)}"`);
      // Digits only, so no LIKE wildcard comes in. PostgreSQL reads the account backwards, so that the
      // suffix is a prefix: a range in ix_transfers_account_suffix (migration 0012), not a scan.
      where.push(this.sql.postgres ? `reverse(deposit_account) LIKE ${param(`${[...f.accountSuffix].reverse().join('')}%`)}` : `deposit_account LIKE ${param(`%${f.accountSuffix}`)}`);
    }
    // Decimal bounds, compared exactly: PostgreSQL compares the amount as a NUMERIC, the expression of
    // ix_transfers_amount (migration 0012); SQLite rounds the bounds inwards and compares whole won.
    for (const [field, op] of [['minAmount', '>='], ['maxAmount', '<=']] as const) {
      const v = f[field];
      if (v === undefined) continue;
      const bound = amount(field, v);
      if (this.sql.postgres) where.push(`CAST(amount AS NUMERIC) ${op} CAST(${param(bound.toFixed())} AS NUMERIC)`);
      else where.push(`amount ${op} CAST(${param((op === '>=' ? bound.ceil() : bound.floor()).toFixed(0))} AS BIGINT)`);
    }
    if (f.from !== undefined) where.push(`created_at >= ${this.time(param(time('from', f.from)))}`);
    if (f.to !== undefined) where.push(`created_at < ${this.time(param(time('to', f.to)))}`);
    return where;
  }

  private time(placeholder: string): string {
    return this.sql.postgres ? `CAST(${placeholder} AS TIMESTAMPTZ)` : placeholder;
  }
}

function amount(field: string, v: string | Decimal): Decimal {
  if (Decimal.isDecimal(v) && v.isFinite() && !v.isNegative()) return v;
  if (typeof v !== 'string' || !AMOUNT.test(v)) throw new ValidationError(field, `must be a decimal number of won, got "${String(v)}"`);
  return new Decimal(v);
}

function time(field: string, d: Date): Date {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new ValidationError(field, 'must be a valid time');
  return d;
}
