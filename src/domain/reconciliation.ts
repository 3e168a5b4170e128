import type { TransferState } from './transfer-state.js';

/**
 * Reconciliation (대사): what the nightly batch finds when it holds the ledger against a bank's day.
 * Domain types only; the batch computes them (src/batch), the ledger keeps them (src/ledger).
 */

/**
 * Every kind of difference, each one a question for an operator:
 * - `ours-only`: we say succeeded, the bank's file has nothing.
 * - `bank-only`: the bank has a transaction we do not know.
 * - `outcome-mismatch`: both have it; succeeded on one side, failed on the other.
 * - `amount-mismatch`, `fee-mismatch`: both have it; the figures differ.
 * - `duplicate`: the bank lists the same 전문번호 twice.
 * - `late-reversal`: a failure notice undid a transfer we had reported succeeded.
 * - `unresolved-unknown`: still unknown after the day's inquiries.
 * - `notice-gap`: a notice number still missing after the gap request.
 * - `totals-mismatch`: the bank's day totals differ from ours, for one class (당행/타행 × 정상/불능).
 * - `cross-midnight`: the bank booked on this day a transfer we sent the day before (or the reverse).
 */
export type BreakCategory =
  | 'ours-only'
  | 'bank-only'
  | 'outcome-mismatch'
  | 'amount-mismatch'
  | 'fee-mismatch'
  | 'duplicate'
  | 'late-reversal'
  | 'unresolved-unknown'
  | 'notice-gap'
  | 'totals-mismatch'
  | 'cross-midnight';

export const BREAK_CATEGORIES: readonly BreakCategory[] = [
  'ours-only',
  'bank-only',
  'outcome-mismatch',
  'amount-mismatch',
  'fee-mismatch',
  'duplicate',
  'late-reversal',
  'unresolved-unknown',
  'notice-gap',
  'totals-mismatch',
  'cross-midnight',
];

/** A difference found by a run, before it is kept. */
export interface FoundBreak {
  readonly category: BreakCategory;
  /**
   * What the break is about, stable across runs of the same day ("seq:000123", "notice:deposit:17",
   * "totals:ownOk"): with the institution, date and category it names the break, so a re-run finds the
   * same break instead of adding a copy.
   */
  readonly subject: string;
  readonly transferId: string | null;
  /** The service whose money it concerns, when known (for its day close). */
  readonly service: string | null;
  /** What we have and what the bank has, in whole won and words; masked, never a full account. */
  readonly ours: string | null;
  readonly bank: string | null;
  readonly detail: string;
}

export type BreakStatus = 'open' | 'resolved';

/** A break as kept: open until an operator resolves it with a reason. */
export interface ReconBreak extends FoundBreak {
  readonly id: number;
  readonly institution: string;
  readonly businessDate: string;
  readonly status: BreakStatus;
  readonly firstRunId: number;
  readonly lastRunId: number;
  readonly resolvedBy: string | null;
  readonly resolution: string | null;
  readonly resolvedAt: Date | null;
}

/** Counts a run reports beside its breaks. */
export interface RunFigures {
  readonly ledgerTransfers: number;
  readonly bankRecords: number;
  readonly matched: number;
  readonly breaks: number;
  readonly breaksByCategory: Readonly<Partial<Record<BreakCategory, number>>>;
}

/** One reconciliation of one institution's business day. */
export interface ReconRun {
  readonly id: number;
  readonly institution: string;
  readonly businessDate: string;
  /** The bank file read, if any (its name, not its content). */
  readonly file: string | null;
  readonly status: 'running' | 'clean' | 'breaks' | 'failed';
  readonly figures: RunFigures | null;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
}

/** A service's day, frozen once closed (a later change is an adjustment on the next open day). */
export interface DayClose {
  readonly service: string;
  readonly businessDate: string;
  readonly succeededCount: number;
  readonly succeededAmount: string;
  readonly failedCount: number;
  /** Fees of the day's succeeded transfers. */
  readonly fees: string;
  /** Succeeded, then undone by a failure notice: their money came back, so they are not in `net`. */
  readonly reversedCount: number;
  readonly reversedAmount: string;
  /** Transfers still unknown when the day was closed (their money is neither counted in nor out). */
  readonly unknownCount: number;
  readonly unknownAmount: string;
  /** succeededAmount + fees: what left the parent account for this service that day, for good. */
  readonly net: string;
  /** Changes found after an earlier close of a day, carried into this one. */
  readonly adjustments: string;
  readonly closedAt: Date;
}

/** A sent transfer of the day, as the reconciliation reads it from the ledger (amounts in whole won). */
export interface DayTransfer {
  readonly id: string;
  readonly service: string;
  readonly seqNo: string;
  readonly sendDate: string;
  readonly depositBankCode: string;
  readonly amount: number;
  readonly fee: number | null;
  readonly state: TransferState;
}

/** One line of the bank's day (a data record of its result file), in canonical terms. */
export interface BankLine {
  readonly recordNo: number;
  readonly sendDate: string | null;
  readonly seqNo: string | null;
  /** Whole won, as written ("12000"). */
  readonly amount: string;
  readonly fee: string | null;
  readonly outcome: 'succeeded' | 'failed' | 'unknown';
  readonly code: string | null;
}
