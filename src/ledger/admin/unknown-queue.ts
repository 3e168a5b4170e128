import type { DataSource } from 'typeorm';
import type { Settlement } from '../../domain/settlement.js';
import type { Transfer } from '../../domain/transfer.js';
import { ValidationError } from '../../flows/validation-error.js';
import { transferFromRow } from '../ledger.js';
import { settlementFromRow } from '../settlement-store.js';
import { Sql, readTime } from '../sql.js';

/** A transfer whose outcome is unknown, since when, and the settlement operators proposed for it, if any. */
export interface UnknownOutcome {
  readonly transfer: Transfer;
  /** When it became unknown: its move to `unknown` (not `updated_at`, which every inquiry touches). */
  readonly since: Date;
  /** Its pending manual settlement (at most one), waiting for a second operator. */
  readonly settlement: Settlement | null;
}

/** The most the queue returns at once. */
const MAX_UNKNOWNS = 1_000;

/**
 * The operators' queue of unknown outcomes, oldest first. `state = 'unknown'` is read through
 * ix_transfers_state (a few rows among millions); each one's time is its `unknown` event, found through
 * ix_transfer_events_transfer — as the metrics read it (src/ledger/metrics-queries.ts). A transfer
 * without such an event (written by hand) counts from its `updated_at`.
 */
export async function unknownQueue(ds: DataSource, limit: number): Promise<UnknownOutcome[]> {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_UNKNOWNS) throw new ValidationError('limit', `must be a whole number from 1 to ${MAX_UNKNOWNS}, got ${String(limit)}`);
  const sql = new Sql(ds);
  const rows = await sql.rows(
    ds,
    `SELECT u.* FROM (
       SELECT t.*, COALESCE((SELECT MAX(e.at) FROM transfer_events e WHERE e.transfer_id = t.id AND e.to_state = 'unknown'), t.updated_at) AS since
         FROM transfers t WHERE t.state = 'unknown'
     ) u ORDER BY u.since, u.id LIMIT $1`,
    [limit],
  );
  if (rows.length === 0) return [];
  const ids = rows.map((r) => String(r['id']));
  const pending = await sql.rows(ds, `SELECT * FROM manual_settlements WHERE status = 'pending' AND transfer_id IN (${ids.map((_, i) => `$${i + 1}`).join(', ')})`, ids);
  const byTransfer = new Map(pending.map((r) => [String(r['transfer_id']), settlementFromRow(r)]));
  return rows.map((r) => ({ transfer: transferFromRow(r), since: readTime(r['since']), settlement: byTransfer.get(String(r['id'])) ?? null }));
}
