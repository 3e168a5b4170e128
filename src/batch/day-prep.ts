import type { GapNotice, GapOutcome } from '../flows/notice-gap-flow.js';
import type { ReconStore, SendScope } from '../ledger/recon-store.js';
import { missingNumbers } from './notice-gaps.js';

/** What the nightly run needs of an institution's live side (its link and flows, in the gateway). */
export interface LiveInstitution {
  readonly scope: SendScope;
  /** The notice message of each kind the institution sends (for gap detection). */
  noticeMessage(kind: GapNotice): string | undefined;
  /** One result inquiry for an unknown transfer, within the institution's rules (TransferFlow.inquire). */
  inquire(transferId: string): Promise<void>;
  recoverGap(kind: GapNotice, date: string, seqNo: number): Promise<GapOutcome>;
  /** The bank's totals for its current day, as canonical figures; null when it did not answer them. */
  totals(): Promise<Record<string, string | null> | null>;
}

export interface DayPrepReport {
  readonly inquired: number;
  readonly gapsAsked: number;
  readonly gapsRecovered: number;
  readonly totals: 'kept' | 'not-today' | 'unanswered';
}

/**
 * What only the live link can do before a day is matched: an inquiry for every transfer of the day still
 * unknown (the inquiry settles it, never the file), a gap request for every missing notice number (the
 * answer is applied like the live notice), and the bank's day totals, which it answers only for its
 * current day. Safe to run twice: inquiries respect the transfer's own bounds, notices are stored once.
 */
export async function prepareDay(live: LiveInstitution, store: ReconStore, date: string, today: string): Promise<DayPrepReport> {
  let inquired = 0;
  for await (const page of store.dayTransfers(live.scope, date)) {
    for (const t of page) {
      if (t.state !== 'unknown') continue;
      await live.inquire(t.id);
      inquired++;
    }
  }
  let gapsAsked = 0;
  let gapsRecovered = 0;
  for (const kind of ['depositNotice', 'failureNotice'] as const) {
    const message = live.noticeMessage(kind);
    if (!message) continue;
    for (const n of missingNumbers(await store.noticeNumbers(live.scope.institution, message, date))) {
      gapsAsked++;
      if ((await live.recoverGap(kind, date, n)) === 'recovered') gapsRecovered++;
    }
  }
  let totals: DayPrepReport['totals'] = 'not-today';
  if (date === today) {
    const figures = await live.totals();
    totals = figures ? 'kept' : 'unanswered';
    if (figures) await store.saveBankTotals(live.scope.institution, date, figures, new Date());
  }
  return { inquired, gapsAsked, gapsRecovered, totals };
}
