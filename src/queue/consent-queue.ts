import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { ConsentJobKind, ConsentJobs } from '../flows/consent-ports.js';
import { logErrorsOf } from '../log/log-errors-of.js';
import { runWithLogContext } from '../log/log-context.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { runDeferrable } from './deferrable.js';

/** A job of the consent flow: what to do, for which consent. Everything else is read when it runs. */
export interface ConsentJob {
  readonly kind: ConsentJobKind;
  readonly consentId: string;
}

/** The flow's handler for each kind of job (ConsentFlow's placeCall, poll, register, cancel). */
export type ConsentJobHandlers = Readonly<Record<ConsentJobKind, (consentId: string) => Promise<void>>>;

/** Tries per job before BullMQ gives up on it (the flow's sweep queues it again later): 1 s, 2 s, 4 s … */
const ATTEMPTS = 12;
const BACKOFF_MS = 1_000;

/**
 * The consent flow's jobs for one institution, one BullMQ queue shared by every gateway process (each job
 * runs in one of them): placing ARS calls (retried with backoff while the provider is down), polling
 * their results, and the 2000/550 registrations and cancellations. Job ids are
 * `<kind>-<consent id>-<tag>`: queueing one already queued adds nothing. A handler that throws is retried
 * with exponential backoff; one that throws NotNowError (collections still in flight, the link's breaker
 * open) waits without spending an attempt. Every job is safe to run twice: the consent's state decides.
 */
export class ConsentQueue implements ConsentJobs {
  readonly name: string;
  private readonly queue: Queue<ConsentJob>;
  private worker: Worker<ConsentJob> | null = null;

  constructor(
    institution: string,
    private readonly connection: ConnectionOptions,
    private readonly prefix = 'firmbank',
    /** Where Redis trouble is told: one line, then at most one a while. */
    private readonly logger: Logger = silentLogger,
    /** The first retry's wait; each later one twice the one before (tests shorten it). */
    private readonly backoffMs = BACKOFF_MS,
  ) {
    this.name = `consents-${institution}`;
    this.queue = new Queue<ConsentJob>(this.name, { connection, prefix });
    logErrorsOf(this.queue, logger, 'queue.redis-error', { queue: this.name, role: 'queue' });
  }

  async add(kind: ConsentJobKind, consentId: string, tag: string, delayMs = 0): Promise<void> {
    await this.queue.add(kind, { kind, consentId }, {
      jobId: `${kind}-${consentId}-${tag}`,
      delay: Math.max(0, Math.round(delayMs)),
      attempts: ATTEMPTS,
      backoff: { type: 'exponential', delay: this.backoffMs },
      removeOnComplete: true,
      removeOnFail: 1000,
    });
  }

  /** Starts this process's worker: `concurrency` jobs at once. */
  start(handlers: ConsentJobHandlers, concurrency: number): void {
    this.worker = new Worker<ConsentJob>(
      this.name,
      (job: Job<ConsentJob>, token?: string) => {
        const { kind, consentId } = job.data;
        return runWithLogContext({ consentId }, () => runDeferrable(job, token, () => handlers[kind](consentId)));
      },
      { connection: this.connection, prefix: this.prefix, concurrency },
    );
    logErrorsOf(this.worker, this.logger, 'queue.redis-error', { queue: this.name, role: 'worker' });
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }

  /** Removes every job (tests). */
  async obliterate(): Promise<void> {
    await this.queue.obliterate({ force: true });
  }
}
