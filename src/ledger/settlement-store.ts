import type { DataSource } from 'typeorm';
import { SETTLEMENT_OUTCOMES, type Settlement, type SettlementOutcome, type SettlementStatus } from '../domain/settlement.js';
import { FirmbankError } from '../errors/firmbank-error.js';
import { ValidationError } from '../flows/validation-error.js';
import { isUniqueViolation } from './db-errors.js';
import type { Ledger } from './ledger.js';
import { Sql, readTime, textOrNull, timeOrNull } from './sql.js';
import { inTransaction } from './writes.js';

/**
 * How long a confirmation holds its settlement while it moves the transfer. Far longer than a move takes;
 * only a confirmation whose process died in between leaves a claim behind, and the next confirmation or
 * rejection of that settlement (or {@link SettlementStore.recover}) finishes it.
 */
const CLAIM_MS = 60_000;

/** Column widths (migration 0012). */
const MAX = { by: 64, reason: 500, evidence: 2000 } as const;

/**
 * Manual settlements of unknown transfers (migration 0012), with four eyes: one operator proposes an
 * outcome, another confirms it, and the confirmation moves the transfer through {@link Ledger.move} — so
 * the transfer event and the service's outbox event are written exactly as an inquiry's settlement writes
 * them. A settlement never moves a transfer that is not `unknown`: the move itself is conditional on it.
 *
 * A confirmation is two steps (the ledger's move is a transaction of its own): it first claims the pending
 * settlement (a conditional UPDATE: of two confirmers, or a confirmer and a rejecter, one wins), then moves
 * the transfer, then marks the settlement confirmed. The event names the settlement (`(#id)`), so a
 * confirmation that died after moving the transfer is recognised later and marked confirmed, never
 * rejected nor applied twice.
 */
export class SettlementStore {
  private readonly sql: Sql;

  constructor(
    private readonly ds: DataSource,
    private readonly ledger: Ledger,
  ) {
    this.sql = new Sql(ds);
  }

  /**
   * Proposes settling unknown transfer `transferId` as `outcome`. Nothing moves until another operator
   * confirms it.
   *
   * @throws ValidationError `FB_VALIDATION` for an outcome other than succeeded/failed or a blank reason,
   *   evidence or operator; FirmbankError `FB_NOT_FOUND` for an unknown transfer id; `FB_ADMIN_CONFLICT`
   *   when the transfer is not `unknown`, or already has a pending settlement.
   */
  async propose(transferId: string, outcome: SettlementOutcome, reason: string, evidence: string, by: string, now: Date): Promise<Settlement> {
    if (!SETTLEMENT_OUTCOMES.includes(outcome)) throw new ValidationError('outcome', `must be one of ${SETTLEMENT_OUTCOMES.join(', ')}, got ${JSON.stringify(outcome)}`);
    text('reason', reason, MAX.reason);
    text('evidence', evidence, MAX.evidence);
    text('by', by, MAX.by);
    // Only while the transfer is unknown, checked by the INSERT itself: a proposal never names a transfer
    // that was settled before it was written.
    const insert = `INSERT INTO manual_settlements (transfer_id, outcome, reason, evidence, proposed_by, proposed_at, status)
      SELECT id, $2, $3, $4, $5, ${this.time('$6')}, 'pending' FROM transfers WHERE id = $1 AND state = 'unknown' RETURNING *`;
    let rows: Record<string, unknown>[];
    try {
      rows = await this.write(insert, [transferId, outcome, reason, evidence, by, now]);
    } catch (e) {
      if (isUniqueViolation(e)) throw new FirmbankError('FB_ADMIN_CONFLICT', `transfer ${transferId} already has a pending settlement: confirm or reject it first`);
      throw e;
    }
    if (rows[0]) return settlementFromRow(rows[0]);
    const t = await this.ledger.get(transferId);
    if (!t) throw new FirmbankError('FB_NOT_FOUND', `no transfer ${transferId}`);
    throw new FirmbankError('FB_ADMIN_CONFLICT', `transfer ${transferId} is ${t.state}, not unknown: only an unknown outcome can be settled by operators`);
  }

  /**
   * Confirms pending settlement `id` as operator `by` (not its proposer) and applies it: the transfer moves
   * unknown → the proposed outcome, with its event and the service's event, and the settlement is marked
   * confirmed. If the transfer is no longer unknown (an inquiry or a notice settled it meanwhile), nothing
   * moves: the settlement is marked rejected, saying so, and `FB_ADMIN_CONFLICT` is thrown.
   *
   * @throws FirmbankError `FB_NOT_FOUND` (no such settlement), `FB_ADMIN_FOUR_EYES` (`by` proposed it),
   *   `FB_ADMIN_CONFLICT` (not pending, being confirmed by someone else, or the transfer moved meanwhile);
   *   ValidationError `FB_VALIDATION` for a blank reason or operator.
   */
  async confirm(id: number, by: string, reason: string, now: Date): Promise<Settlement> {
    text('reason', reason, MAX.reason);
    text('by', by, MAX.by);
    const s = await this.mustGet(id);
    if (s.proposedBy === by) throw new FirmbankError('FB_ADMIN_FOUR_EYES', `settlement #${id} was proposed by ${by}: another operator must confirm it`);
    if (s.status !== 'pending') throw notPending(s);
    // The claim: of two operators confirming (or one confirming, one rejecting) at once, one gets it.
    const until = new Date(now.getTime() + CLAIM_MS);
    const claimed = await this.write(
      `UPDATE manual_settlements SET claimed_by = $2, claimed_until = $3
        WHERE id = $1 AND status = 'pending' AND proposed_by <> $2 AND (claimed_until IS NULL OR claimed_until < $4) RETURNING *`,
      [id, by, until, now],
    );
    if (!claimed[0]) {
      const again = await this.mustGet(id);
      if (again.status !== 'pending') throw notPending(again);
      throw new FirmbankError('FB_ADMIN_CONFLICT', `settlement #${id} is being confirmed by another operator`);
    }
    // A claim left by a confirmation that died may already have moved the transfer: never move it twice.
    if (await this.applied(s)) return this.finish(id, by, 'confirmed', reason, now, until);
    const moved = await this.ledger.move(s.transferId, 'unknown', s.outcome, moveReason(s, by, reason), { needsOperator: false });
    if (moved) return this.finish(id, by, 'confirmed', reason, now, until);
    // Not unknown any more. Applied by this very settlement (a retry racing a dead claim's move)?
    if (await this.applied(s)) return this.finish(id, by, 'confirmed', reason, now, until);
    const t = await this.ledger.get(s.transferId);
    const why = `not applied: the transfer was settled meanwhile (it is ${t?.state ?? 'gone'} now, not unknown)`;
    await this.finish(id, by, 'rejected', why, now, until);
    throw new FirmbankError('FB_ADMIN_CONFLICT', `settlement #${id} was not applied and is now rejected: transfer ${s.transferId} is ${t?.state ?? 'gone'}, not unknown`);
  }

  /**
   * Rejects pending settlement `id` (any operator; the proposer withdraws their own this way). Nothing
   * moves.
   *
   * @throws FirmbankError `FB_NOT_FOUND`, `FB_ADMIN_CONFLICT` (not pending, or being confirmed right now);
   *   ValidationError `FB_VALIDATION` for a blank reason or operator.
   */
  async reject(id: number, by: string, reason: string, now: Date): Promise<Settlement> {
    text('reason', reason, MAX.reason);
    text('by', by, MAX.by);
    const s = await this.mustGet(id);
    if (s.status !== 'pending') throw notPending(s);
    if (s.claimedUntil !== null && s.claimedUntil >= now) throw new FirmbankError('FB_ADMIN_CONFLICT', `settlement #${id} is being confirmed by ${s.claimedBy ?? 'another operator'}`);
    // A dead confirmation's claim: if it moved the transfer, the settlement is confirmed, not rejectable.
    if (s.claimedUntil !== null && (await this.applied(s))) {
      const done = await this.finish(id, s.claimedBy ?? by, 'confirmed', 'applied by a confirmation that did not report back', now, s.claimedUntil);
      throw notPending(done);
    }
    const rows = await this.write(
      `UPDATE manual_settlements SET status = 'rejected', decided_by = $2, decided_at = $3, decision_reason = $4, claimed_by = NULL, claimed_until = NULL
        WHERE id = $1 AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < $3) RETURNING *`,
      [id, by, now, reason],
    );
    if (rows[0]) return settlementFromRow(rows[0]);
    const again = await this.mustGet(id);
    // still pending: a confirmation claimed it between our read and our write
    throw again.status === 'pending' ? new FirmbankError('FB_ADMIN_CONFLICT', `settlement #${id} is being confirmed by ${again.claimedBy ?? 'another operator'}`) : notPending(again);
  }

  /** One settlement, or null. */
  async get(id: number): Promise<Settlement | null> {
    const r = (await this.sql.rows(this.ds, 'SELECT * FROM manual_settlements WHERE id = $1', [id]))[0];
    return r ? settlementFromRow(r) : null;
  }

  /** Every settlement of a transfer, oldest first. */
  async forTransfer(transferId: string): Promise<Settlement[]> {
    const rows = await this.sql.rows(this.ds, 'SELECT * FROM manual_settlements WHERE transfer_id = $1 ORDER BY id', [transferId]);
    return rows.map(settlementFromRow);
  }

  /** Every pending settlement, oldest first (through the partial index of pending ones). */
  async pending(): Promise<Settlement[]> {
    const rows = await this.sql.rows(this.ds, `SELECT * FROM manual_settlements WHERE status = 'pending' ORDER BY id`, []);
    return rows.map(settlementFromRow);
  }

  /**
   * Finishes settlements whose confirmation died between its claim and its report (a claim run out):
   * one whose move is in the transfer's events is marked confirmed; the others are released for the next
   * confirmation. A sweep may call it; confirm and reject do the same for the settlement they touch.
   * Returns how many it marked confirmed.
   */
  async recover(now: Date): Promise<number> {
    const rows = await this.sql.rows(this.ds, `SELECT * FROM manual_settlements WHERE status = 'pending' AND claimed_until < $1`, [now]);
    let confirmed = 0;
    for (const s of rows.map(claimFromRow)) {
      if (await this.applied(s)) {
        await this.finish(s.id, s.claimedBy ?? s.proposedBy, 'confirmed', 'applied by a confirmation that did not report back', now, s.claimedUntil);
        confirmed++;
      } else {
        await this.write('UPDATE manual_settlements SET claimed_by = NULL, claimed_until = NULL WHERE id = $1 AND status = $2 AND claimed_until = $3', [s.id, 'pending', s.claimedUntil]);
      }
    }
    return confirmed;
  }

  /** Whether the transfer's events hold this settlement's move (the reason names it). */
  private async applied(s: Settlement): Promise<boolean> {
    const rows = await this.sql.rows(this.ds, `SELECT 1 AS x FROM transfer_events WHERE transfer_id = $1 AND to_state = $2 AND reason LIKE $3`, [s.transferId, s.outcome, `${movePrefix(s.id)}%`]);
    return rows.length > 0;
  }

  /**
   * Marks a pending settlement decided and releases its claim: only while the claim is still the one
   * given (`claimedUntil`: the caller's own, or the run-out one a recovery found).
   */
  private async finish(id: number, by: string, status: Exclude<SettlementStatus, 'pending'>, reason: string, now: Date, claimedUntil: Date | null): Promise<Settlement> {
    const rows = await this.write(
      `UPDATE manual_settlements SET status = $2, decided_by = $3, decided_at = $4, decision_reason = $5, claimed_by = NULL, claimed_until = NULL
        WHERE id = $1 AND status = 'pending' AND claimed_until = $6 RETURNING *`,
      [id, status, by, now, reason.slice(0, MAX.reason), claimedUntil],
    );
    return rows[0] ? settlementFromRow(rows[0]) : this.mustGet(id);
  }

  private async mustGet(id: number): Promise<Settlement & Claim> {
    if (!Number.isSafeInteger(id) || id < 1) throw new FirmbankError('FB_NOT_FOUND', `no settlement #${String(id)}`);
    const r = (await this.sql.rows(this.ds, 'SELECT * FROM manual_settlements WHERE id = $1', [id]))[0];
    if (!r) throw new FirmbankError('FB_NOT_FOUND', `no settlement #${id}`);
    return claimFromRow(r);
  }

  /** A write on its own: one statement on PostgreSQL; on SQLite, in its turn among the transactions. */
  private write(text: string, params: unknown[]): Promise<Record<string, unknown>[]> {
    if (this.sql.postgres) return this.sql.rows(this.ds, text, params);
    return inTransaction(this.ds, (m) => this.sql.rows(m, text, params));
  }

  /** A time parameter in a SELECT list, where PostgreSQL cannot infer its type. */
  private time(param: string): string {
    return this.sql.postgres ? `CAST(${param} AS TIMESTAMPTZ)` : param;
  }
}

/** Who holds a pending settlement for its confirmation, and until when. */
interface Claim {
  readonly claimedBy: string | null;
  readonly claimedUntil: Date | null;
}

/** The start of the event reason of settlement `id`'s move: how a later look recognises it. */
function movePrefix(id: number): string {
  return `settled by operators (#${id}):`;
}

function moveReason(s: Settlement, confirmer: string, reason: string): string {
  return `${movePrefix(s.id)} ${s.proposedBy} proposed, ${confirmer} confirmed: ${s.reason} / ${reason}`;
}

function notPending(s: Settlement): FirmbankError {
  return new FirmbankError('FB_ADMIN_CONFLICT', `settlement #${s.id} is ${s.status}${s.decidedBy ? ` (by ${s.decidedBy})` : ''}, not pending`);
}

function text(field: string, value: string, max: number): void {
  if (typeof value !== 'string' || value.trim() === '') throw new ValidationError(field, 'must not be blank');
  if (value.length > max) throw new ValidationError(field, `at most ${max} characters, got ${value.length}`);
}

/** A raw `manual_settlements` row (either database) as the domain's Settlement. */
export function settlementFromRow(r: Record<string, unknown>): Settlement {
  return {
    id: Number(r['id']),
    transferId: String(r['transfer_id']),
    outcome: String(r['outcome']) as SettlementOutcome,
    reason: String(r['reason']),
    evidence: String(r['evidence']),
    proposedBy: String(r['proposed_by']),
    proposedAt: readTime(r['proposed_at']),
    status: String(r['status']) as SettlementStatus,
    decidedBy: textOrNull(r['decided_by']),
    decidedAt: timeOrNull(r['decided_at']),
    decisionReason: textOrNull(r['decision_reason']),
  };
}

function claimFromRow(r: Record<string, unknown>): Settlement & Claim {
  return { ...settlementFromRow(r), claimedBy: textOrNull(r['claimed_by']), claimedUntil: timeOrNull(r['claimed_until']) };
}
