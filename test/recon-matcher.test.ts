import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DayMatcher } from '../src/batch/day-matcher.js';
import { DayTotals } from '../src/batch/day-totals.js';
import { missingNumbers } from '../src/batch/notice-gaps.js';
import type { BankLine, DayTransfer } from '../src/domain/reconciliation.js';

const DAY = '2026-12-01';
const seq = (n: number) => String(n).padStart(6, '0');

/** A day as both sides would tell it if nothing went wrong: our transfers, and the bank's file of them. */
interface Day {
  readonly ours: DayTransfer[];
  readonly bank: BankLine[];
  /** The breaks the day must show: (category, subject). */
  readonly expected: Set<string>;
}

const STATES = ['succeeded', 'failed', 'reversed', 'unknown', 'sending'] as const;

const transferArb = fc.record({
  state: fc.constantFrom(...STATES),
  amount: fc.integer({ min: 1, max: 50_000_000 }),
  fee: fc.option(fc.integer({ min: 0, max: 1_000 }), { nil: null }),
  own: fc.boolean(),
  /** What the bank did with an unknown one (its truth, which we do not know). */
  hidden: fc.constantFrom('succeeded' as const, 'failed' as const),
});

/** Injected differences, each on its own transfer (by index into the day), or a stray line. */
const injectionArb = fc.constantFrom('drop', 'flip', 'amount', 'fee', 'duplicate', 'stray', 'stray-foreign', 'no-seq', 'blank-result');

type TransferSpec = typeof transferArb extends fc.Arbitrary<infer T> ? T : never;

function honestDay(specs: TransferSpec[]): Day {
  const ours: DayTransfer[] = [];
  const bank: BankLine[] = [];
  const expected = new Set<string>();
  specs.forEach((s, i) => {
    const seqNo = seq(i * 3 + 1); // gaps in our numbering, as other messages take numbers too
    ours.push({ id: `t${i}`, service: 'svc', seqNo, sendDate: DAY, depositBankCode: s.own ? '004' : '088', amount: s.amount, fee: s.fee, state: s.state });
    const said = s.state === 'succeeded' ? 'succeeded' : s.state === 'failed' || s.state === 'reversed' ? 'failed' : s.hidden;
    bank.push({ recordNo: i + 2, sendDate: DAY, seqNo, amount: String(s.amount), fee: s.fee === null ? null : String(s.fee), outcome: said, code: said === 'succeeded' ? '0000' : 'E001' });
    if (s.state === 'reversed') expected.add(`late-reversal seq:${DAY}:${seqNo}`);
    if (s.state === 'unknown' || s.state === 'sending') expected.add(`unresolved-unknown seq:${DAY}:${seqNo}`);
  });
  return { ours, bank, expected };
}

function run(day: Day, withFile = true): Set<string> {
  const m = new DayMatcher(DAY, withFile);
  if (withFile) for (const l of day.bank) m.addBank(l);
  for (const t of day.ours) m.matchOurs(t);
  return new Set(m.finish().map((b) => `${b.category} ${b.subject}`));
}

describe('DayMatcher: exactly the injected breaks, no more, no less', () => {
  it('an honest day shows only what the ledger alone says (unknowns, late reversals)', () => {
    fc.assert(
      fc.property(fc.array(transferArb, { maxLength: 60 }), (specs) => {
        const day = honestDay(specs);
        expect(run(day)).toEqual(day.expected);
        // in any order of the bank's lines
        expect(run({ ...day, bank: [...day.bank].reverse() })).toEqual(day.expected);
      }),
    );
  });

  it('each injected difference is reported once, with its category', () => {
    fc.assert(
      fc.property(fc.array(transferArb, { minLength: 1, maxLength: 60 }), fc.array(fc.tuple(injectionArb, fc.nat()), { maxLength: 12 }), (specs, injections) => {
        const day = honestDay(specs);
        const bank = [...day.bank];
        const expected = new Set(day.expected);
        const touched = new Set<number>();
        let stray = 900_000;
        for (const [kind, pick] of injections) {
          if (kind === 'stray') {
            const seqNo = seq(++stray);
            bank.push({ recordNo: 9000 + stray, sendDate: DAY, seqNo, amount: '1000', fee: null, outcome: 'succeeded', code: '0000' });
            expected.add(`bank-only seq:${DAY}:${seqNo}`);
            continue;
          }
          if (kind === 'stray-foreign') {
            // booked today, sent yesterday (the matcher hands it on; it is not matched against today)
            bank.push({ recordNo: 9000 + ++stray, sendDate: '2026-11-30', seqNo: seq(stray), amount: '1000', fee: null, outcome: 'succeeded', code: '0000' });
            continue;
          }
          if (kind === 'no-seq') {
            const recordNo = 9000 + ++stray;
            bank.push({ recordNo, sendDate: DAY, seqNo: null, amount: '1000', fee: null, outcome: 'succeeded', code: '0000' });
            expected.add(`bank-only record:${recordNo}`);
            continue;
          }
          const i = pick % specs.length;
          if (touched.has(i)) continue; // one difference per transfer keeps the expectation simple
          const t = day.ours[i]!;
          const at = bank.findIndex((l) => l.seqNo === t.seqNo);
          const line = bank[at]!;
          const subject = `seq:${DAY}:${t.seqNo}`;
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
        const found = run({ ...day, bank });
        expect(found).toEqual(expected);
        // re-running the same day finds the same
        expect(run({ ...day, bank })).toEqual(found);
      }),
    );
  });

  it('without a bank file nothing is called ours-only or bank-only: that would be a guess', () => {
    fc.assert(
      fc.property(fc.array(transferArb, { maxLength: 40 }), (specs) => {
        const day = honestDay(specs);
        expect(run(day, false)).toEqual(day.expected);
      }),
    );
  });

  it('an amount that is not whole won is bad input naming the record', () => {
    const m = new DayMatcher(DAY, true);
    expect(() => m.addBank({ recordNo: 7, sendDate: DAY, seqNo: '000001', amount: '12.5', fee: null, outcome: 'succeeded', code: null })).toThrow(/record 7: amount: "12.5"/);
  });
});

describe('DayTotals', () => {
  it('matches totals the bank computes from the same day, class by class; any one figure off is one break', () => {
    fc.assert(
      fc.property(fc.array(transferArb, { maxLength: 50 }), fc.constantFrom('ownOkCount', 'otherOkAmount', 'ownFee', 'totalCount', 'otherFailAmount'), (specs, off) => {
        const day = honestDay(specs.map((s) => ({ ...s, state: s.state === 'unknown' || s.state === 'sending' ? 'failed' : s.state })));
        const totals = new DayTotals('004');
        for (const t of day.ours) totals.add(t);
        // the bank's side, counted from its own lines (fees only on what succeeded)
        const bank: Record<string, number> = { totalCount: 0, totalAmount: 0, ownOkCount: 0, ownOkAmount: 0, ownFailCount: 0, ownFailAmount: 0, ownFee: 0, otherOkCount: 0, otherOkAmount: 0, otherFailCount: 0, otherFailAmount: 0, otherFee: 0 };
        day.bank.forEach((l, i) => {
          const side = day.ours[i]!.depositBankCode === '004' ? 'own' : 'other';
          const cls = l.outcome === 'succeeded' ? 'Ok' : 'Fail';
          bank['totalCount']! += 1;
          bank['totalAmount']! += Number(l.amount);
          bank[`${side}${cls}Count`]! += 1;
          bank[`${side}${cls}Amount`]! += Number(l.amount);
          if (cls === 'Ok' && l.fee !== null) bank[`${side}Fee`]! += Number(l.fee);
        });
        const asText = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));
        expect(totals.compare(asText(bank))).toEqual([]);
        const wrong = totals.compare(asText({ ...bank, [off]: bank[off]! + 1 }));
        expect(wrong.map((b) => b.subject)).toEqual([`totals:${off}`]);
        // a figure the bank leaves blank is not compared
        expect(totals.compare({ ...asText(bank), [off]: null })).toEqual([]);
      }),
    );
  });
});

describe('missingNumbers', () => {
  it('is every number below the highest that did not come', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 300 }), { maxLength: 100 }), (got) => {
        const missing = missingNumbers(got);
        const highest = Math.max(0, ...got);
        for (let n = 1; n < highest; n++) expect(missing.includes(n)).toBe(!got.includes(n));
        expect(missing.every((n) => n < highest)).toBe(true);
      }),
    );
  });
});
