import type { DayTransfer, FoundBreak } from '../domain/reconciliation.js';

/** The figures of the bank's totals telegram (자금이체집계), by canonical field (see src/institution/operations.ts). */
export const TOTALS_FIELDS = [
  'totalCount',
  'totalAmount',
  'ownOkCount',
  'ownOkAmount',
  'ownFailCount',
  'ownFailAmount',
  'ownFee',
  'otherOkCount',
  'otherOkAmount',
  'otherFailCount',
  'otherFailAmount',
  'otherFee',
] as const;

export type TotalsField = (typeof TOTALS_FIELDS)[number];

/**
 * Our side of the bank's day totals, summed as the transfers stream by: 당행 (to the institution's own
 * bank) and 타행, 정상 and 불능 (refused, or reversed by a failure notice, as the bank counts it once the
 * notice is out). Transfers still unknown fit no class: they are counted apart, to explain a difference.
 */
export class DayTotals {
  private readonly sums = new Map<TotalsField, number>(TOTALS_FIELDS.map((f) => [f, 0]));
  unknown = 0;

  constructor(private readonly ownBankCode: string) {}

  add(t: DayTransfer): void {
    if (t.state !== 'succeeded' && t.state !== 'failed' && t.state !== 'reversed') {
      if (t.state !== 'requested') this.unknown++;
      return;
    }
    const side = t.depositBankCode === this.ownBankCode ? 'own' : 'other';
    const cls = t.state === 'succeeded' ? 'Ok' : 'Fail';
    this.bump('totalCount', 1);
    this.bump('totalAmount', t.amount);
    this.bump(`${side}${cls}Count`, 1);
    this.bump(`${side}${cls}Amount`, t.amount);
    if (cls === 'Ok' && t.fee !== null) this.bump(`${side}Fee`, t.fee);
  }

  get(field: TotalsField): number {
    return this.sums.get(field)!;
  }

  /** One `totals-mismatch` per figure the bank gave that differs from ours. */
  compare(bank: Readonly<Record<string, string | null>>): FoundBreak[] {
    const breaks: FoundBreak[] = [];
    for (const field of TOTALS_FIELDS) {
      const theirs = bank[field];
      if (theirs === null || theirs === undefined || theirs === '') continue;
      const ours = this.get(field);
      if (Number(theirs) === ours) continue;
      const why = this.unknown > 0 ? `; ${this.unknown} transfer(s) of ours are still unknown and in no class` : '';
      breaks.push({ category: 'totals-mismatch', subject: `totals:${field}`, transferId: null, service: null, ours: String(ours), bank: theirs, detail: `${field}: the bank's totals say ${theirs}, our ledger ${ours}${why}` });
    }
    return breaks;
  }

  private bump(field: TotalsField, by: number): void {
    this.sums.set(field, this.sums.get(field)! + by);
  }
}
