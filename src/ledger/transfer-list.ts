import { Decimal } from 'decimal.js';
import type { DataSource } from 'typeorm';
import { FirmbankError } from '../errors/firmbank-error.js';
import { TRANSFER_STATES, type TransferState } from '../domain/transfer-state.js';
import type { Transfer } from '../domain/transfer.js';
import { transferFromRow } from './ledger.js';
import { Sql } from './sql.js';

/** Which transfers to list. Every field is optional; those given must all hold. */
export interface TransferFilter {
  readonly institution?: string;
  readonly service?: string;
  /** Any of these states (an empty list matches nothing). */
  readonly states?: readonly TransferState[];
  /** Created at or after this instant. */
  readonly createdFrom?: Date;
  /** Created before this instant (half-open: [createdFrom, createdTo)). */
  readonly createdTo?: Date;
  /** The 전문 send date of the transfer's 2000/100, `YYYY-MM-DD`. */
  readonly sendDate?: string;
  /** The last 1–6 digits of the deposit account. */
  readonly accountSuffix?: string;
  readonly requestId?: string;
  /** At least this many won (inclusive). */
  readonly minAmount?: Decimal;
  /** At most this many won (inclusive). */
  readonly maxAmount?: Decimal;
}

export interface TransferPageOptions {
  /** The `next` of the previous page; absent for the first page. */
  readonly after?: string;
  /** Transfers per page, 1–1000. */
  readonly limit: number;
}

export interface TransferPage {
  readonly items: Transfer[];
  /** Cursor of the following page, or null if this page is the last. */
  readonly next: string | null;
}

export const MAX_PAGE = 1000;

/** Where a page ends: the created_at the database orders by (as ISO 8601, UTC, to its full precision) and the id. */
interface Position {
  readonly at: string;
  readonly id: string;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?Z$/;
/** How SQLite keeps times (written by Sql and TypeORM; without the fraction by a CURRENT_TIMESTAMP default). */
const SQLITE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$/;
const ID = /^[\x21-\x7e]{1,36}$/;

/**
 * Lists transfers page by page in the order they were created, (created_at, id) ascending, for the
 * nightly reconciliation and the operators' console. Pages are keyset pages: each one seeks past the last
 * row of the one before in the index `ix_transfers_created_id` (migration 0004), so a page deep in the
 * table costs what the first does, and rows created while someone pages are neither skipped nor repeated:
 * a row that sorts after the cursor shows up on a later page, one that sorts before it never does.
 */
export class TransferList {
  private readonly sql: Sql;

  constructor(private readonly ds: DataSource) {
    this.sql = new Sql(ds);
  }

  /**
   * One page of the transfers matching `filter`, from the start or after the cursor `options.after`.
   * `next` is the cursor of the following page (opaque: pass it back as `after`), or null when there is
   * none. Throws a {@link FirmbankError} `FB_BAD_LIMIT` for a limit that is not a whole number from 1 to
   * 1000, `FB_BAD_CURSOR` for a cursor this class did not make, and `FB_BAD_FILTER` for a filter value that
   * cannot be (a state that does not exist, an invalid date, a suffix that is not 1–6 digits…).
   */
  async page(filter: TransferFilter, options: TransferPageOptions): Promise<TransferPage> {
    const { limit } = options;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new FirmbankError('FB_BAD_LIMIT', `the page limit must be a whole number from 1 to ${MAX_PAGE}, got ${String(limit)}`);
    const after = options.after === undefined ? null : parseCursor(options.after);
    const params: unknown[] = [];
    const where = this.conditions(filter, params);
    if (after) where.push(this.pastCursor(after, params));
    // The cursor has to be the value the database orders by, to the microsecond on PostgreSQL.
    const at = this.sql.postgres ? `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` : 'created_at';
    params.push(limit + 1);
    // Whole rows, mapped as the Ledger maps them (transferFromRow): one query per page.
    const rows = await this.sql.rows(
      this.ds,
      `SELECT *, ${at} AS cursor_at FROM transfers${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, id LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, limit);
    // every row's position, so a created_at the ledger could not have written is refused wherever it is
    const positions = page.map((r) => this.position(r));
    const items: Transfer[] = page.map(transferFromRow);
    const last = positions[positions.length - 1];
    return { items, next: rows.length > limit && last ? formatCursor(last) : null };
  }

  /** The SQL conditions of `filter`, its values appended to `params`. */
  private conditions(filter: TransferFilter, params: unknown[]): string[] {
    const where: string[] = [];
    const param = (v: unknown): string => {
      params.push(v);
      return `$${params.length}`;
    };
    if (filter.institution !== undefined) where.push(`institution = ${param(filter.institution)}`);
    if (filter.service !== undefined) where.push(`service = ${param(filter.service)}`);
    if (filter.requestId !== undefined) where.push(`request_id = ${param(filter.requestId)}`);
    if (filter.states !== undefined) {
      for (const s of filter.states) if (!TRANSFER_STATES.includes(s)) badFilter(`"${String(s)}" is not a transfer state`);
      where.push(filter.states.length === 0 ? '1 = 0' : `state IN (${[...new Set(filter.states)].map(param).join(', ')})`);
    }
    if (filter.createdFrom !== undefined) where.push(`created_at >= ${this.time(param(validTime(filter.createdFrom, 'createdFrom')))}`);
    if (filter.createdTo !== undefined) where.push(`created_at < ${this.time(param(validTime(filter.createdTo, 'createdTo')))}`);
    if (filter.sendDate !== undefined) {
      if (!isCalendarDate(filter.sendDate)) badFilter(`sendDate must be a date YYYY-MM-DD, got "${filter.sendDate}"`);
      where.push(`send_date = ${param(filter.sendDate)}`);
    }
    if (filter.accountSuffix !== undefined) {
      if (!/^\d{1,6}$/.test(filter.accountSuffix)) badFilter(`accountSuffix must be 1 to 6 digits, got "${filter.accountSuffix}"`);
      // digits only: no LIKE wildcard can come in
      where.push(`deposit_account LIKE ${param(`%${filter.accountSuffix}`)}`);
    }
    // Amounts are whole won: the bounds are rounded inwards, then compared exactly as integers.
    if (filter.minAmount !== undefined) where.push(`amount >= CAST(${param(validAmount(filter.minAmount, 'minAmount').ceil())} AS BIGINT)`);
    if (filter.maxAmount !== undefined) where.push(`amount <= CAST(${param(validAmount(filter.maxAmount, 'maxAmount').floor())} AS BIGINT)`);
    return where;
  }

  /** Rows after `after` in (created_at, id) order: a row-value range on the index, on either database. */
  private pastCursor(after: Position, params: unknown[]): string {
    // SQLite compares the text it stores: the cursor is turned back into exactly that text.
    params.push(this.sql.postgres ? after.at : after.at.replace('T', ' ').replace('Z', ''), after.id);
    const [at, id] = [`$${params.length - 1}`, `$${params.length}`];
    return this.sql.postgres ? `(created_at, id) > (CAST(${at} AS TIMESTAMPTZ), CAST(${id} AS VARCHAR))` : `(created_at, id) > (${at}, ${id})`;
  }

  private time(placeholder: string): string {
    return this.sql.postgres ? `CAST(${placeholder} AS TIMESTAMPTZ)` : placeholder;
  }

  private position(r: Record<string, unknown>): Position {
    const id = String(r['id']);
    const raw = String(r['cursor_at']);
    if (this.sql.postgres) return { at: raw, id };
    if (!SQLITE_TIME.test(raw)) throw new Error(`transfer list: transfer ${id} has created_at "${raw}", not a time as the ledger writes them`);
    return { at: `${raw.replace(' ', 'T')}Z`, id };
  }
}

function badFilter(message: string): never {
  throw new FirmbankError('FB_BAD_FILTER', message);
}

function validTime(d: Date, name: string): Date {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) badFilter(`${name} must be a valid Date`);
  return d;
}

function validAmount(d: Decimal, name: string): Decimal {
  if (!Decimal.isDecimal(d) || !d.isFinite()) badFilter(`${name} must be a finite Decimal`);
  return d;
}

function isCalendarDate(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);
}

/** base64url of `<created_at ISO> <id>`. */
function formatCursor(p: Position): string {
  return Buffer.from(`${p.at} ${p.id}`, 'utf8').toString('base64url');
}

function parseCursor(cursor: string): Position {
  const bad = (why: string): never => {
    throw new FirmbankError('FB_BAD_CURSOR', `the cursor is not one this listing handed out (${why})`);
  };
  if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) bad('not base64url');
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (Buffer.from(text, 'utf8').toString('base64url') !== cursor) bad('not base64url');
  const space = text.indexOf(' ');
  const at = text.slice(0, space);
  const id = text.slice(space + 1);
  if (space < 0 || !ID.test(id)) bad('no transfer id');
  const m = ISO.exec(at);
  // a real instant: the calendar part must survive a round trip (no 2026-02-30, no 25:00)
  if (!m || Number.isNaN(Date.parse(at)) || new Date(Date.parse(at)).toISOString().slice(0, 19) !== at.slice(0, 19)) bad('no creation time');
  return { at, id };
}
