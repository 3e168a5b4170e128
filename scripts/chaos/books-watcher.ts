import { sleep } from './callers.js';
import type { BankTransfer, SimControl } from './sim-control.js';
import { bankKey } from './verdict.js';

/** A record of the bank's books that changed in a way no single processing explains. */
export interface Rewrite {
  readonly key: string;
  readonly from: string;
  readonly to: string;
  /** When the change was first seen (ISO). */
  readonly seenAt: string;
}

const show = (t: BankTransfer) => `${t.state} ${t.code} ${t.amount} won`;

/**
 * Reads the bank's books every few seconds during the run and notes every record that changed other
 * than by a failure notice (applied → reversed): the simulator keeps one record per (send date, 전문번호),
 * so a record rewritten means that number was processed twice — the bank saw one telegram twice, or two
 * telegrams with one number. The final books alone cannot show that (the second processing overwrote
 * the first), the balances can: see `judge`.
 */
export class BooksWatcher {
  readonly rewrites: Rewrite[] = [];
  private readonly seen = new Map<string, BankTransfer>();

  constructor(private readonly sim: SimControl) {}

  async run(signal: AbortSignal, everyMs = 3_000): Promise<void> {
    while (!signal.aborted) {
      await this.look().catch(() => {}); // a missed look is made up by the next one
      await sleep(everyMs, signal);
    }
  }

  /** One look at the books (also the last one, after the settle phase). */
  async look(): Promise<void> {
    this.compare((await this.sim.books()).transfers);
  }

  /** Compares the books with what was seen before (public for the verdict's tests). */
  compare(transfers: readonly BankTransfer[]): void {
    for (const t of transfers) {
      const key = bankKey(t.date, t.seqNo);
      const before = this.seen.get(key);
      this.seen.set(key, t);
      if (!before || (before.state === t.state && before.code === t.code)) continue;
      if (before.state === 'applied' && t.state === 'reversed') continue;
      this.rewrites.push({ key, from: show(before), to: show(t), seenAt: new Date().toISOString() });
    }
  }
}
