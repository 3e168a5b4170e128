import type { DataSource } from 'typeorm';
import type { EventType, ServiceEvent } from '../domain/events.js';
import { Sql, readTime } from './sql.js';
import { inTransaction } from './writes.js';

/** Any number, the same in every process: PostgreSQL's advisory lock that lets one sequencer run at a time. */
const SEQUENCER_LOCK = 7_311_001;

/**
 * Payload of a `transfer.*` event, built by the database from the row the state change just wrote, so that
 * the event goes in the same statement (PostgreSQL) or transaction (SQLite) as the change: no event
 * without its change, no change without its event. Masked by construction: the account's last 4 digits.
 */
export function transferEventPayloadSql(postgres: boolean, t: string): string {
  const fields = [
    `'transferId', ${t}.id`,
    `'kind', ${t}.kind`,
    `'requestId', ${t}.request_id`,
    `'state', ${t}.state`,
    `'amount', CAST(${t}.amount AS TEXT)`,
    `'fee', CAST(${t}.fee AS TEXT)`,
    `'bankCode', ${t}.deposit_bank_code`,
    // The other party's account: the payee's for a transfer, the payer's for a collection.
    `'accountSuffix', CASE WHEN ${t}.kind = 'collection' THEN substr(${t}.withdraw_account, length(${t}.withdraw_account) - 3) ELSE substr(${t}.deposit_account, length(${t}.deposit_account) - 3) END`,
    `'responseCode', ${t}.response_code`,
  ].join(', ');
  return postgres ? `CAST(json_build_object(${fields}) AS TEXT)` : `json_object(${fields})`;
}

/**
 * The outbox's other half: events are written by the changes themselves (see Ledger.move), without a
 * position; `sequence` then numbers the committed ones in the order it finds them, one sequencer at a time,
 * each after every number handed out before. A transaction that commits late gets a later number, never a
 * number below one a reader has already passed: the feed is read by position and skips nothing.
 */
export class EventStore {
  private readonly sql: Sql;

  constructor(private readonly ds: DataSource) {
    this.sql = new Sql(ds);
  }

  /** Numbers up to `limit` committed events that have none yet; returns how many it numbered. */
  async sequence(limit = 1_000): Promise<number> {
    // Every process calls this 4 times a second: most calls find nothing, and say so without a lock.
    if ((await this.sql.rows(this.ds, 'SELECT id FROM events WHERE position IS NULL LIMIT 1', [])).length === 0) return 0;
    return inTransaction(this.ds, async (m) => {
      if (this.sql.postgres) await this.sql.rows(m, 'SELECT pg_advisory_xact_lock($1)', [SEQUENCER_LOCK]);
      const rows = await this.sql.rows(
        m,
        `WITH top AS (SELECT COALESCE(MAX(position), 0) AS n FROM events),
              fresh AS (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS k FROM events WHERE position IS NULL ORDER BY id LIMIT ${Number(limit)})
         UPDATE events SET position = top.n + fresh.k FROM top, fresh WHERE events.id = fresh.id RETURNING events.id`,
        [],
      );
      return rows.length;
    });
  }

  /** A service's events after `after` (a position), in commit order; `next` is the cursor to ask with next. */
  async feed(service: string, after: number, limit: number): Promise<{ events: ServiceEvent[]; next: number }> {
    await this.sequence();
    const rows = await this.sql.rows(this.ds, `SELECT * FROM events WHERE service = $1 AND position > $2 ORDER BY position LIMIT ${Number(limit)}`, [service, after]);
    const events = rows.map(eventFromRow);
    return { events, next: events.length ? events[events.length - 1]!.position : after };
  }

  /** Events of every service after `after`, in commit order (the webhook fan-out reads this). */
  async since(after: number, limit: number): Promise<ServiceEvent[]> {
    const rows = await this.sql.rows(this.ds, `SELECT * FROM events WHERE position > $1 ORDER BY position LIMIT ${Number(limit)}`, [after]);
    return rows.map(eventFromRow);
  }

  /** Every event of an aggregate, in the order it happened (tests and the console). */
  async of(aggregate: string): Promise<ServiceEvent[]> {
    await this.sequence();
    const rows = await this.sql.rows(this.ds, 'SELECT * FROM events WHERE aggregate = $1 ORDER BY position', [aggregate]);
    return rows.map(eventFromRow);
  }
}

export function eventFromRow(r: Record<string, unknown>): ServiceEvent {
  return {
    id: `evt_${String(r['id'])}`,
    type: String(r['type']) as EventType,
    service: String(r['service']),
    aggregate: String(r['aggregate']),
    position: Number(r['position']),
    occurredAt: readTime(r['occurred_at']),
    data: JSON.parse(String(r['payload'])) as ServiceEvent['data'],
  };
}
