import type { KeptTelegram } from '../domain/transfer.js';
import type { Logger } from '../log/logger.js';
import type { Ledger } from './ledger.js';
import { errorDetails } from '../log/error-details.js';
import { Coalescer } from './coalescer.js';

/**
 * Keeps the telegrams that crossed a link and were not kept before they were sent (answers, notices and
 * their replies, session telegrams), batched (see Coalescer): idle, a telegram is written at the end of
 * the event-loop turn it arrived in; busy, batches grow by themselves. Each `keep` resolves when its batch
 * is committed: a link waits for it before it hands an answer to the flows, so an answer is kept before
 * anyone acts on it.
 */
export class TrafficKeeper {
  private readonly batches: Coalescer<KeptTelegram, void>;

  constructor(ledger: Pick<Ledger, 'recordTelegrams'>, log: Logger) {
    this.batches = new Coalescer<KeptTelegram, void>(
      async (batch) => {
        try {
          await ledger.recordTelegrams(batch);
        } catch (e) {
          log.error('gateway.telegrams-not-kept', { count: batch.length, ...errorDetails(e) });
          throw e;
        }
        return batch.map(() => undefined);
      },
      { maxBatch: 1000 },
    );
  }

  keep(t: KeptTelegram): Promise<void> {
    const kept = this.batches.call(t);
    kept.catch(() => {}); // logged above; only the link's waiting for an answer cares
    return kept;
  }

  /** Writes what is pending and waits for it (at stop). */
  drain(): Promise<void> {
    return this.batches.drained();
  }
}
