import type { BankLine, BreakCategory, FoundBreak, ReconRun, RunFigures } from '../domain/reconciliation.js';
import type { ReconStore, SendScope } from '../ledger/recon-store.js';
import { DayMatcher, describe, won } from './day-matcher.js';
import { DayTotals } from './day-totals.js';
import { missingNumbers } from './notice-gaps.js';

/** One institution's business day to reconcile. */
export interface ReconcileInput {
  /** The institution (id, its own bank code as 3-digit KFTC, our company id there). */
  readonly scope: SendScope;
  readonly businessDate: string;
  /** The bank's day as read from its result file, and the file's name for the run; absent when there is none. */
  readonly bankDay?: { readonly name: string; readonly lines: AsyncIterable<BankLine> };
  /** Messages of the notices whose numbering is checked for gaps (e.g. deposit and failure notices). */
  readonly noticeMessages: readonly string[];
  /** Progress for long runs (the CLI prints it on stderr). */
  readonly progress?: (what: string) => void;
}

export interface ReconcileResult {
  readonly run: ReconRun;
  /** Everything this run found (kept as breaks; a re-run finds the same). */
  readonly breaks: readonly FoundBreak[];
  readonly kept: { readonly added: number; readonly again: number; readonly cleared: number };
}

/**
 * Holds one institution's day in the ledger against the bank's: its result file line by line, its day
 * totals (as asked by the gateway), the numbering of its notices. Changes nothing in the ledger: what it
 * finds are breaks, kept for an operator. The bank's file is read to its end (trailer checked) before
 * anything is kept, so a bad file leaves a failed run and no breaks.
 */
export class Reconciler {
  constructor(
    private readonly store: ReconStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async run(input: ReconcileInput): Promise<ReconcileResult> {
    const { scope, businessDate: date } = input;
    const say = input.progress ?? (() => {});
    const runId = await this.store.startRun(scope.institution, date, input.bankDay?.name ?? null, this.now());
    try {
      const matcher = new DayMatcher(date, input.bankDay !== undefined);
      if (input.bankDay) {
        for await (const line of input.bankDay.lines) {
          matcher.addBank(line);
          if (matcher.bankLines % 100_000 === 0) say(`read ${matcher.bankLines} records of ${input.bankDay.name}`);
        }
        say(`read ${matcher.bankLines} records of ${input.bankDay.name} (trailer checked)`);
      }
      const totals = new DayTotals(scope.bankCode);
      for await (const page of this.store.dayTransfers(scope, date)) {
        for (const t of page) {
          matcher.matchOurs(t);
          totals.add(t);
          if (matcher.ledgerTransfers % 100_000 === 0) say(`matched ${matcher.ledgerTransfers} transfers of ours`);
        }
      }
      const found = matcher.finish();
      found.push(...(await this.foreignLines(matcher, scope)));
      const bankTotals = await this.store.bankTotals(scope.institution, date);
      if (bankTotals) found.push(...totals.compare(bankTotals));
      for (const message of input.noticeMessages) {
        for (const n of missingNumbers(await this.store.noticeNumbers(scope.institution, message, date))) {
          found.push({ category: 'notice-gap', subject: `notice:${message}:${n}`, transferId: null, service: null, ours: null, bank: null, detail: `${message} #${n} of ${date} never reached us, not even when asked for again` });
        }
      }
      const kept = await this.store.keepBreaks(runId, scope.institution, date, found, this.now());
      const figures = figuresOf(matcher, found);
      await this.store.finishRun(runId, found.length === 0 ? 'clean' : 'breaks', figures, this.now());
      say(`${found.length} break(s): ${kept.added} new, ${kept.again} found again, ${kept.cleared} no longer found`);
      return { run: (await this.store.run(runId))!, breaks: found, kept };
    } catch (e) {
      await this.store.finishRun(runId, 'failed', null, this.now()).catch(() => {});
      throw e;
    }
  }

  /** Lines the bank booked today for transfers we sent another day: cross-midnight, or not ours at all. */
  private async foreignLines(matcher: DayMatcher, scope: SendScope): Promise<FoundBreak[]> {
    const found: FoundBreak[] = [];
    for (const { line, sendDate, seqNo } of matcher.foreign) {
      const bank = describe(line.outcome, won(line.amount, `record ${line.recordNo}: amount`), line.fee === null ? null : won(line.fee, `record ${line.recordNo}: fee`));
      const subject = `seq:${sendDate}:${seqNo}`;
      const ours = await this.store.sentOn(scope, sendDate, seqNo);
      found.push(
        ours
          ? { category: 'cross-midnight', subject, transferId: ours.id, service: ours.service, ours: ours.state, bank, detail: `sent on ${sendDate}, booked by the bank on ${matcher.businessDate} (record ${line.recordNo}): compare it in ${sendDate}'s run` }
          : { category: 'bank-only', subject, transferId: null, service: null, ours: null, bank, detail: `record ${line.recordNo}: the bank has a transaction of ${sendDate} with 전문번호 ${seqNo} that we did not send` },
      );
    }
    return found;
  }
}

function figuresOf(m: DayMatcher, found: readonly FoundBreak[]): RunFigures {
  const byCategory: Partial<Record<BreakCategory, number>> = {};
  for (const b of found) byCategory[b.category] = (byCategory[b.category] ?? 0) + 1;
  return { ledgerTransfers: m.ledgerTransfers, bankRecords: m.bankLines, matched: m.matched, breaks: found.length, breaksByCategory: byCategory };
}
