import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DayMatcher } from '../src/batch/day-matcher.js';
import { DayTotals } from '../src/batch/day-totals.js';
import { missingNumbers } from '../src/batch/notice-gaps.js';
import { honestDay as honestDayOf, injectBreaks, injectionArb, transferArb, type Day, type TransferSpec } from './helpers/recon-day.js';

const honestDay = (specs: readonly TransferSpec[]) => honestDayOf(DAY, specs);

const DAY = '2026-12-01';

function run(day: Day, withFile = true): Set<string> {
  const m = new DayMatcher(DAY, withFile);
  if (withFile) for (const l of day.bank) m.addBank(l);
  for (const t of day.ours) m.matchOurs(t);
  const found = m.finish().map((b) => `${b.category} ${b.subject}`);
  // lines of another day are the reconciler's to settle against the ledger; none of them is ours here
  return new Set([...found, ...m.foreign.map((f) => `bank-only seq:${f.sendDate}:${f.seqNo}`)]);
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
      fc.property(fc.array(transferArb, { minLength: 1, maxLength: 60 }), fc.array(injectionArb, { maxLength: 12 }), (specs, injections) => {
        const day = injectBreaks(honestDay(specs), injections);
        const found = run(day);
        expect(found).toEqual(day.expected);
        // re-running the same day finds the same
        expect(run(day)).toEqual(found);
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
