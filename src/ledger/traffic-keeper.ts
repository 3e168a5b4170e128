import type { KeptTelegram } from '../domain/transfer.js';
import type { Logger } from '../log/logger.js';
import type { Ledger } from './ledger.js';
import { errorDetails } from '../log/error-details.js';

/**
 * Keeps the telegrams that crossed a link and were not kept before they were sent (answers, notices and
 * their replies, session telegrams), batched: one INSERT at a time, and what arrives while one runs goes
 * in the next. Idle, a telegram is written at the end of the event-loop turn it arrived in; busy, batches
 * grow by themselves. Each `keep` resolves when its batch is committed: a link waits for it before it hands
 * an answer to the flows, so an answer is kept before anyone acts on it.
 */
export class TrafficKeeper {
  private pending: KeptTelegram[] = [];
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private timer: NodeJS.Immediate | null = null;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly ledger: Pick<Ledger, 'recordTelegrams'>,
    private readonly log: Logger,
  ) {}

  keep(t: KeptTelegram): Promise<void> {
    this.pending.push(t);
    this.schedule();
    const kept = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    kept.catch(() => {}); // logged in flush; only the link's waiting for an answer cares
    return kept;
  }

  /** Writes what is pending and waits for it (at stop). */
  async drain(): Promise<void> {
    if (this.timer) clearImmediate(this.timer);
    this.timer = null;
    while (this.flushing) await this.flushing;
    await this.flush();
  }

  private schedule(): void {
    if (this.timer || this.flushing) return;
    this.timer = setImmediate(() => void this.flush());
  }

  private flush(): Promise<void> {
    this.timer = null;
    if (this.pending.length === 0) return Promise.resolve();
    const batch = this.pending.splice(0, this.pending.length);
    const waiters = this.waiters.splice(0, this.waiters.length);
    this.flushing = this.ledger.recordTelegrams(batch).then(
      () => {
        for (const w of waiters) w.resolve();
      },
      (e: unknown) => {
        this.log.error('gateway.telegrams-not-kept', { count: batch.length, ...errorDetails(e) });
        for (const w of waiters) w.reject(e);
      },
    );
    return this.flushing.finally(() => {
      this.flushing = null;
      if (this.pending.length > 0) this.schedule();
    });
  }
}
