/**
 * A manual settlement: how operators end a transfer whose outcome is `unknown` when no inquiry can (the
 * bank's statement or a phone call says what happened). It takes four eyes: one operator proposes the
 * outcome with a reason and the evidence, another confirms it, and only the confirmation moves the
 * transfer (unknown → the outcome). It is the only way an operator changes a transfer's state, and it
 * never moves a transfer that is not `unknown`.
 *
 * - `pending`: proposed, waiting for a second operator; at most one per transfer.
 * - `confirmed`: a second operator confirmed it and the transfer moved. Final.
 * - `rejected`: an operator rejected it (the proposer may withdraw their own), or it could not be applied
 *   because the transfer was settled meanwhile (by an inquiry, a notice). Final.
 */
export type SettlementStatus = 'pending' | 'confirmed' | 'rejected';

/** The outcomes operators may settle an unknown transfer with. */
export type SettlementOutcome = 'succeeded' | 'failed';

export const SETTLEMENT_OUTCOMES: readonly SettlementOutcome[] = ['succeeded', 'failed'];

export interface Settlement {
  readonly id: number;
  readonly transferId: string;
  readonly outcome: SettlementOutcome;
  /** Why the proposer believes it. */
  readonly reason: string;
  /** What proves it (the bank's statement, a call reference). */
  readonly evidence: string;
  /** The proposing operator's name. */
  readonly proposedBy: string;
  readonly proposedAt: Date;
  readonly status: SettlementStatus;
  /** Who confirmed or rejected it, when, and why (null while pending). */
  readonly decidedBy: string | null;
  readonly decidedAt: Date | null;
  readonly decisionReason: string | null;
}
