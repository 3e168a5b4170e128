import type { BankLine, DayTransfer, FoundBreak } from '../domain/reconciliation.js';
import { ReconInputError } from './recon-input-error.js';
import { SeqSlots, type Slot } from './seq-slots.js';

/** A bank line booked on the day but sent on another: settled against the ledger by the caller. */
export interface ForeignLine {
  readonly line: BankLine;
  readonly sendDate: string;
  readonly seqNo: string;
}

/**
 * Holds one institution's business day against the bank's: first the bank's lines (`addBank`, streamed
 * from its file), then our sent transfers (`matchOurs`, streamed from the ledger), then `finish`. The key
 * is the strongest the two sides share: send date + 전문번호, which the bank echoes. Each difference is a
 * break; what agrees costs nothing but a slot.
 */
export class DayMatcher {
  private readonly slots = new SeqSlots();
  private readonly found: FoundBreak[] = [];
  /** Lines the bank booked today for a transfer sent on another day. */
  readonly foreign: ForeignLine[] = [];
  bankLines = 0;
  ledgerTransfers = 0;
  matched = 0;

  /**
   * @param businessDate the day, YYYY-MM-DD
   * @param haveBankDay false when no bank file was read: nothing is matched, only what the ledger alone
   *   shows (unknowns, reversals) is reported; "the bank has nothing" would be a guess.
   */
  constructor(
    readonly businessDate: string,
    private readonly haveBankDay: boolean,
  ) {}

  /** One line of the bank's file. */
  addBank(line: BankLine): void {
    this.bankLines++;
    const amount = won(line.amount, `record ${line.recordNo}: amount`);
    const fee = line.fee === null ? null : won(line.fee, `record ${line.recordNo}: fee`);
    if (line.seqNo === null || !/^\d+$/.test(line.seqNo)) {
      this.add('bank-only', `record:${line.recordNo}`, null, null, describe(line.outcome, amount, fee), `record ${line.recordNo} of the bank's file carries no 전문번호 we can match`);
      return;
    }
    const sendDate = line.sendDate ?? this.businessDate;
    if (sendDate !== this.businessDate) {
      this.foreign.push({ line, sendDate, seqNo: line.seqNo });
      return;
    }
    this.slots.put(Number(line.seqNo), line.outcome, line.recordNo, amount, fee);
  }

  /** One of our transfers sent on the day (any state). */
  matchOurs(t: DayTransfer): void {
    this.ledgerTransfers++;
    if (t.state === 'reversed') this.add('late-reversal', subjectOf(t), t, ours(t), null, 'a failure notice undid a transfer the bank had answered succeeded: the service was told succeeded first');
    const slot = this.haveBankDay ? this.slots.take(Number(t.seqNo)) : undefined;
    if (!slot) {
      if (t.state === 'unknown' || t.state === 'sending') {
        this.add('unresolved-unknown', subjectOf(t), t, ours(t), null, this.haveBankDay ? `still ${t.state} after the day's inquiries, and the bank's file does not list it` : `still ${t.state} after the day's inquiries`);
      } else if (t.state === 'succeeded' && this.haveBankDay) {
        this.add('ours-only', subjectOf(t), t, ours(t), null, 'we say succeeded; the bank lists no such 전문번호 for the day');
      }
      return;
    }
    this.matched++;
    this.compare(t, slot);
  }

  /** What no transfer of ours matched, and what the bank listed twice. Call once, after both streams. */
  finish(): FoundBreak[] {
    for (const s of this.slots.all()) {
      const subject = `seq:${this.businessDate}:${String(s.seqNo).padStart(6, '0')}`;
      const bank = describe(s.said, s.amount, s.fee);
      if (s.duplicate) this.add('duplicate', subject, null, null, bank, `the bank's file lists 전문번호 ${s.seqNo} more than once (first at record ${s.recordNo})`);
      if (!s.matched) this.add('bank-only', subject, null, null, bank, `record ${s.recordNo}: the bank has a transaction with 전문번호 ${s.seqNo} that we did not send`);
    }
    return this.found;
  }

  private add(category: FoundBreak['category'], subject: string, t: Pick<DayTransfer, 'id' | 'service'> | null, ours: string | null, bank: string | null, detail: string): void {
    this.found.push({ category, subject, transferId: t?.id ?? null, service: t?.service ?? null, ours, bank, detail });
  }

  /** A matched pair; the common case (they agree) builds no string. */
  private compare(t: DayTransfer, s: Slot): void {
    const open = t.state === 'unknown' || t.state === 'sending';
    const weSay = t.state === 'succeeded' ? 'succeeded' : 'failed'; // reversed = failed in the end, as the bank counts it once its notice is out
    const agree = !open && s.said !== 'unknown' && t.state !== 'requested' && weSay === s.said;
    if (agree && t.amount === s.amount && (t.fee === null || s.fee === null || t.fee === s.fee)) return;
    const subject = subjectOf(t);
    const theirs = describe(s.said, s.amount, s.fee);
    const mine = ours(t);
    const at = `record ${s.recordNo}`;
    const add = (category: FoundBreak['category'], detail: string) => this.add(category, subject, t, mine, theirs, detail);
    if (open) {
      // The file's word is evidence for an operator, not a settlement: inquiries settle transfers.
      add('unresolved-unknown', `still ${t.state} after the day's inquiries; the bank's file (${at}) says ${s.said}`);
    } else if (s.said === 'unknown') {
      add('outcome-mismatch', `the bank's file (${at}) gives no result for it`);
    } else if (t.state === 'requested') {
      add('outcome-mismatch', `the bank lists it (${at}, ${s.said}) but we hold it as not sent`);
    } else if (weSay !== s.said) {
      add('outcome-mismatch', `we say ${t.state}, the bank's file (${at}) says ${s.said}`);
    }
    if (t.amount !== s.amount) add('amount-mismatch', `we sent ${t.amount} won, the bank's file (${at}) says ${s.amount}`);
    if (t.fee !== null && s.fee !== null && t.fee !== s.fee) add('fee-mismatch', `fee ${t.fee} won by our books, ${s.fee} by the bank's file (${at})`);
  }
}

const subjectOf = (t: DayTransfer) => `seq:${t.sendDate}:${t.seqNo}`;
const ours = (t: DayTransfer) => describe(t.state, t.amount, t.fee);

/** "succeeded 12000 won (fee 500)": what one side says, masked by construction (no account, no name). */
export function describe(state: string, amount: number, fee: number | null): string {
  return `${state} ${amount} won${fee === null ? '' : ` (fee ${fee})`}`;
}

/** Whole won as a safe integer; anything else is bad input naming where. */
export function won(text: string, where: string): number {
  if (!/^\d{1,15}$/.test(text)) throw new ReconInputError(where, `"${text}" is not a whole number of won`);
  return Number(text);
}
