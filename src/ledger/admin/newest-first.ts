import type { DataSource } from 'typeorm';
import { ValidationError } from '../../flows/validation-error.js';
import type { Sql } from '../sql.js';
import { cursorTimeSql, formatIdCursor, formatTimeCursor, parseIdCursor, parseTimeCursor } from './keyset-cursor.js';

/** Which page: after the cursor `after` (the `next` of the page before), `limit` items at most. */
export interface PageRequest {
  readonly after?: string;
  readonly limit: number;
}

export interface Page<T> {
  readonly items: T[];
  /** The cursor of the following page, or null if this page is the last. */
  readonly next: string | null;
}

/** The console's page size limit (the `Limit` parameter of admin/openapi.yaml). */
export const MAX_ADMIN_PAGE = 200;

/** A listing's query, before its order and keyset: what to read, from where, under which conditions. */
export interface ListingQuery {
  /** The listing's name, in its cursors: a cursor of another listing is refused. */
  readonly listing: string;
  /** The SELECT list (`*`, `v.*, t.id AS transfer_id` …). */
  readonly select: string;
  /** The FROM clause (a table, or a join). */
  readonly from: string;
  /** Conditions, all of which must hold; their values are in `params` as `$1 … $n`. */
  readonly where: readonly string[];
  readonly params: readonly unknown[];
}

/** A page size from 1 to {@link MAX_ADMIN_PAGE}. */
export function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ADMIN_PAGE) throw new ValidationError('limit', `must be a whole number from 1 to ${MAX_ADMIN_PAGE}, got ${String(limit)}`);
  return limit;
}

/**
 * One page newest first by (`time` DESC, `id` DESC), keyset-paged: the page after a cursor is the rows
 * below it in that order, sought in an index on (time, id) read backwards where there is one. Rows added
 * while someone pages never appear twice nor push others off a page.
 *
 * @throws ValidationError `FB_VALIDATION` on `after` (not a cursor of this listing) or `limit`.
 */
export async function newestByTime(sql: Sql, ds: DataSource, q: ListingQuery, time: string, id: string, page: PageRequest): Promise<Page<Record<string, unknown>>> {
  const limit = checkLimit(page.limit);
  const params = [...q.params];
  const where = [...q.where];
  if (page.after !== undefined) {
    const p = parseTimeCursor(q.listing, page.after, sql.postgres);
    const at = `$${params.push(p.at)}`;
    const key = `$${params.push(p.id)}`;
    where.push(sql.postgres ? `(${time}, ${id}) < (CAST(${at} AS TIMESTAMPTZ), CAST(${key} AS VARCHAR))` : `(${time}, ${id}) < (${at}, ${key})`);
  }
  const rows = await sql.rows(
    ds,
    `SELECT ${q.select}, ${cursorTimeSql(sql.postgres, time)} AS cursor_at FROM ${q.from}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${time} DESC, ${id} DESC LIMIT $${params.push(limit + 1)}`,
    params,
  );
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const idName = id.slice(id.indexOf('.') + 1);
  return { items, next: rows.length > limit && last ? formatTimeCursor(q.listing, { at: String(last['cursor_at']), id: String(last[idName]) }) : null };
}

/** One page newest first by an integer `id` alone (DESC), keyset-paged through its primary key. */
export async function newestById(sql: Sql, ds: DataSource, q: ListingQuery, id: string, page: PageRequest): Promise<Page<Record<string, unknown>>> {
  const limit = checkLimit(page.limit);
  const params = [...q.params];
  const where = [...q.where];
  if (page.after !== undefined) where.push(`${id} < $${params.push(parseIdCursor(q.listing, page.after))}`);
  const rows = await sql.rows(ds, `SELECT ${q.select} FROM ${q.from}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${id} DESC LIMIT $${params.push(limit + 1)}`, params);
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const idName = id.slice(id.indexOf('.') + 1);
  return { items, next: rows.length > limit && last ? formatIdCursor(q.listing, Number(last[idName])) : null };
}
