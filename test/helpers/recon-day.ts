import fc from 'fast-check';
import type { BankLine, DayTransfer } from '../../src/domain/reconciliation.js';

export const seq = (n: number) => String(n).padStart(6, '0');

/** A day as both sides would tell it, and the breaks it must show: `${category} ${subject}`. */
export interface Day {
  readonly date: string;
  readonly ours: DayTransfer[];
  readonly bank: BankLine[];
  readonly expected: Set<string>;
}

const STATES = ['succeeded', 'failed', 'reversed', 'unknown', 'sending'] as const;

export const transferArb = fc.record({
  state: fc.constantFrom(...STATES),
  amount: fc.integer({ min: 1, max: 50_000_000 }),
  fee: fc.option(fc.integer({ min: 0, max: 1_000 }), { nil: null }),
  own: fc.boolean(),
  /** What the bank did with an unknown one (its truth, which we do not know). */
  hidden: fc.constantFrom('succeeded' as const, 'failed' as const),
});

export type TransferSpec = typeof transferArb extends fc.Arbitrary<infer T> ? T : never;

/** Differences to inject: on one transfer each (by index into the day), or a stray line of the bank's. */
export const injectionArb = fc.tuple(fc.constantFrom('drop', 'flip', 'amount', 'fee', 'duplicate', 'stray', 'stray-foreign', 'no-seq', 'blank-result'), fc.nat());

export type Injection = typeof injectionArb extends fc.Arbitrary<infer T> ? T : never;

/** Our transfers of `date` and the bank's honest file of them; the ledger alone already shows unknowns and late reversals. */
export function honestDay(date: string, specs: readonly TransferSpec[]): Day {
  const ours: DayTransfer[] = [];
  const bank: BankLine[] = [];
  const expected = new Set<string>();
  specs.forEach((s, i) => {
    const seqNo = seq(i * 3 + 1); // gaps in our numbering, as other messages take numbers too
    ours.push({ id: `${date}-t${i}`, service: 'svc', seqNo, sendDate: date, depositBankCode: s.own ? '004' : '088', amount: s.amount, fee: s.fee, state: s.state });
    const said = s.state === 'succeeded' ? 'succeeded' : s.state === 'failed' || s.state === 'reversed' ? 'failed' : s.hidden;
    bank.push({ recordNo: i + 2, sendDate: date, seqNo, amount: String(s.amount), fee: s.fee === null ? null : String(s.fee), outcome: said, code: said === 'succeeded' ? '0000' : 'E001' });
    if (s.state === 'reversed') expected.add(`late-reversal seq:${date}:${seqNo}`);
    if (s.state === 'unknown' || s.state === 'sending') expected.add(`unresolved-unknown seq:${date}:${seqNo}`);
  });
  return { date, ours, bank, expected };
}

/** The day with its bank file changed by `injections`, and the breaks that must now show (one difference per transfer). */
export function injectBreaks(day: Day, injections: readonly Injection[]): Day {
  const { date } = day;
  const bank = [...day.bank];
  const expected = new Set(day.expected);
  const touched = new Set<number>();
  let stray = 900_000;
  for (const [kind, pick] of injections) {
    if (kind === 'stray') {
      const seqNo = seq(++stray);
      bank.push({ recordNo: 9000 + stray, sendDate: date, seqNo, amount: '1000', fee: null, outcome: 'succeeded', code: '0000' });
      expected.add(`bank-only seq:${date}:${seqNo}`);
      continue;
    }
    if (kind === 'stray-foreign') {
      // booked today, sent the day before, and not ours: bank-only under its own date
      const seqNo = seq(++stray);
      const before = new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
      bank.push({ recordNo: 9000 + stray, sendDate: before, seqNo, amount: '1000', fee: null, outcome: 'succeeded', code: '0000' });
      expected.add(`bank-only seq:${before}:${seqNo}`);
      continue;
    }
    if (kind === 'no-seq') {
      const recordNo = 9000 + ++stray;
      bank.push({ recordNo, sendDate: date, seqNo: null, amount: '1000', fee: null, outcome: 'succeeded', code: '0000' });
      expected.add(`bank-only record:${recordNo}`);
      continue;
    }
    if (day.ours.length === 0) continue;
    const i = pick % day.ours.length;
    if (touched.has(i)) continue;
    const t = day.ours[i]!;
    const at = bank.findIndex((l) => l.seqNo === t.seqNo);
    const line = bank[at]!;
    const subject = `seq:${date}:${t.seqNo}`;
    const open = t.state === 'unknown' || t.state === 'sending';
    touched.add(i);
    switch (kind) {
      case 'drop':
        bank.splice(at, 1);
        if (t.state === 'succeeded') expected.add(`ours-only ${subject}`);
        break;
      case 'flip':
        bank[at] = { ...line, outcome: line.outcome === 'succeeded' ? 'failed' : 'succeeded' };
        if (!open) expected.add(`outcome-mismatch ${subject}`);
        break;
      case 'blank-result':
        bank[at] = { ...line, outcome: 'unknown' };
        if (!open) expected.add(`outcome-mismatch ${subject}`);
        break;
      case 'amount':
        bank[at] = { ...line, amount: String(t.amount + 1) };
        expected.add(`amount-mismatch ${subject}`);
        break;
      case 'fee':
        if (t.fee === null) {
          touched.delete(i);
          break;
        }
        bank[at] = { ...line, fee: String(t.fee + 10) };
        expected.add(`fee-mismatch ${subject}`);
        break;
      case 'duplicate':
        bank.push({ ...line, recordNo: 9000 + ++stray });
        expected.add(`duplicate ${subject}`);
        break;
    }
  }
  return { ...day, bank, expected };
}
