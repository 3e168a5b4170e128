import type { DataSource } from 'typeorm';
import type { AuditEntry, NewAuditEntry } from '../domain/operator.js';
import { ValidationError } from '../flows/validation-error.js';
import { Sql, readTime, textOrNull } from './sql.js';
import { inTransaction } from './writes.js';

/** Which entries {@link AuditStore.page} returns: one actor's, one action's, both or all. */
export interface AuditFilter {
  readonly actor?: string;
  readonly action?: string;
}

/** Where a page starts and how long it is. */
export interface AuditPageOptions {
  /** The `next` of the previous page; none: the newest entries. */
  readonly after?: string;
  /** Entries per page, 1 to {@link MAX_AUDIT_PAGE}. */
  readonly limit: number;
}

/** The most entries one page holds (the admin API's limit). */
export const MAX_AUDIT_PAGE = 200;

/** Column widths (migration 0011): longer text is refused, never cut — the log must say what happened. */
const WIDTHS = { actor: 100, action: 64, target: 200, reason: 500, requestId: 128 } as const;

/**
 * The audit log: who did what, when, to what, the state before and after, and why. Append-only: this
 * class can only add and read, and the database's triggers refuse any UPDATE or DELETE of its rows
 * (migration 0011), from here or anywhere.
 */
export class AuditStore {
  private readonly sql: Sql;

  /** @param now the clock that stamps entries (tests pass their own). */
  constructor(
    private readonly ds: DataSource,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.sql = new Sql(ds);
  }

  /**
   * Appends one entry, stamped now; `before` and `after` are stored as JSON text (they should be masked
   * already: the log is read by every admin). Returns the entry as stored.
   * @throws ValidationError `FB_VALIDATION` naming `actor` or `action` when empty, or any text field too
   *   long for its column; `before` or `after` that JSON cannot write.
   */
  async append(entry: NewAuditEntry): Promise<AuditEntry> {
    const actor = text('actor', entry.actor, true)!;
    const action = text('action', entry.action, true)!;
    const target = text('target', entry.target, false);
    const reason = text('reason', entry.reason, false);
    const requestId = text('requestId', entry.requestId, false);
    const rows = await inTransaction(this.ds, (m) =>
      this.sql.rows(m, 'INSERT INTO audit_log (at, actor, action, target, before_json, after_json, reason, request_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *', [
        this.now(),
        actor,
        action,
        target,
        json('before', entry.before),
        json('after', entry.after),
        reason,
        requestId,
      ]),
    );
    return entryFromRow(rows[0]!);
  }

  /**
   * One page of the entries `filter` selects, newest first. `next` is the cursor of the following page
   * (pass it back as `after`), or null on the last page. Keyset on id: an entry appended meanwhile never
   * shifts a page, it shows up on the first.
   * @throws ValidationError `FB_VALIDATION` naming `after` for a cursor this class did not hand out, or
   *   `limit` outside 1 to {@link MAX_AUDIT_PAGE}.
   */
  async page(filter: AuditFilter, options: AuditPageOptions): Promise<{ items: AuditEntry[]; next: string | null }> {
    const { limit } = options;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_AUDIT_PAGE) throw new ValidationError('limit', `must be 1 to ${MAX_AUDIT_PAGE}`);
    const where: string[] = [];
    const params: unknown[] = [];
    for (const [column, value] of [
      ['actor', filter.actor],
      ['action', filter.action],
    ] as const) {
      if (value === undefined) continue;
      params.push(value);
      where.push(`${column} = $${params.length}`);
    }
    if (options.after !== undefined) {
      params.push(parseCursor(options.after));
      where.push(`id < $${params.length}`);
    }
    // One more than asked: whether it comes tells whether there is a next page, without a count.
    const rows = await this.sql.rows(this.ds, `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${limit + 1}`, params);
    const items = rows.slice(0, limit).map(entryFromRow);
    return { items, next: rows.length > limit ? cursorOf(items[items.length - 1]!.id) : null };
  }
}

/**
 * The cursor of a page that follows entry `id`. Callers treat it as opaque; it is the id in base64url,
 * so that nobody is tempted to do arithmetic on it.
 */
function cursorOf(id: number): string {
  return Buffer.from(`a${id}`, 'utf8').toString('base64url');
}

function parseCursor(cursor: string): number {
  const bad = () => new ValidationError('after', 'is not a cursor this listing handed out (pass back the `next` of the previous page)');
  if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]{1,40}$/.test(cursor)) throw bad();
  const m = /^a([1-9][0-9]{0,14})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m || cursorOf(Number(m[1])) !== cursor) throw bad();
  return Number(m[1]);
}

/** A text field trimmed and checked against its column; null (when optional) for nothing. */
function text(field: keyof typeof WIDTHS, value: unknown, required: boolean): string | null {
  if (value === null || value === undefined || (typeof value === 'string' && value.trim() === '')) {
    if (required) throw new ValidationError(field, 'is required in an audit entry');
    return null;
  }
  if (typeof value !== 'string') throw new ValidationError(field, 'must be text');
  const t = value.trim();
  if (t.length > WIDTHS[field]) throw new ValidationError(field, `is ${t.length} characters long; at most ${WIDTHS[field]}`);
  return t;
}

/** A state as JSON text; undefined and null are both stored as no state (NULL). */
function json(field: 'before' | 'after', value: unknown): string | null {
  if (value === undefined || value === null) return null;
  try {
    const s = JSON.stringify(value);
    return s === undefined ? null : s;
  } catch (e) {
    throw new ValidationError(field, `cannot be written as JSON (${(e as Error).message})`);
  }
}

function entryFromRow(r: Record<string, unknown>): AuditEntry {
  const parse = (v: unknown): unknown => (v === null || v === undefined ? null : JSON.parse(String(v)));
  return {
    id: Number(r['id']),
    at: readTime(r['at']),
    actor: String(r['actor']),
    action: String(r['action']),
    target: textOrNull(r['target']),
    before: parse(r['before_json']),
    after: parse(r['after_json']),
    reason: textOrNull(r['reason']),
    requestId: textOrNull(r['request_id']),
  };
}
