import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { NotNowError } from '../flows/not-now-error.js';
import { runDeferrable } from './deferrable.js';
import { logErrorsOf } from '../log/log-errors-of.js';
import { silentLogger, type Logger } from '../log/logger.js';

/**
 * A nightly job: one institution's day reconciled, or every service's day closed. `date` is written into
 * a job that had to wait (its switch on hold), so that it still runs for the day it was due.
 */
export type NightJob = ({ readonly task: 'reconcile'; readonly institution: string } | { readonly task: 'close' }) & { readonly date?: string };

/**
 * What runs the night. The business date of a reconciliation is the Korean date the schedule fired on (it
 * fires after the cut-off); a close fires after midnight and closes the day before.
 */
export interface NightHandlers {
  reconcile(institution: string, businessDate: string): Promise<unknown>;
  close(businessDate: string): Promise<unknown>;
}

const KST_OFFSET_MS = 9 * 3_600_000;

/** The Korean calendar date of an instant (Korea keeps no daylight saving). */
export function koreanDate(ms: number): string {
  return new Date(ms + KST_OFFSET_MS).toISOString().slice(0, 10);
}

/**
 * The nightly batch's schedule, shared by every gateway process through Redis: one BullMQ job scheduler
 * per institution (`pattern` in Asia/Seoul time), upserted once at start — every process upserts the same
 * id, so there is one schedule whatever the number of processes, and each night's job runs in exactly one
 * of them. The business date comes from the time the job was due, not from template data (BullMQ 6 keeps
 * a scheduler's first template; see taskforcesh/bullmq#2940), and not from when it happened to run.
 */
export class BatchQueue {
  private readonly queue: Queue<NightJob>;
  private worker: Worker<NightJob> | null = null;

  constructor(
    private readonly connection: ConnectionOptions,
    private readonly prefix = 'firmbank',
    /** Where Redis trouble is told: one line, then at most one a while (BullMQ would print a stack per retry). */
    private readonly logger: Logger = silentLogger,
  ) {
    this.queue = new Queue<NightJob>('nightly', { connection, prefix });
    logErrorsOf(this.queue, logger, 'queue.redis-error', { queue: 'nightly', role: 'queue' });
  }

  /** Reconciles `institution` every day at `at` (HH:MM, Korean time). */
  scheduleReconcile(institution: string, at: string): Promise<unknown> {
    return this.upsert(`nightly-${institution}`, at, { task: 'reconcile', institution });
  }

  /** Closes the services' previous day every day at `at` (HH:MM, Korean time, after midnight). */
  scheduleClose(at: string): Promise<unknown> {
    return this.upsert('nightly-close', at, { task: 'close' });
  }

  /** Starts this process's worker: one night's job at a time. */
  start(handlers: NightHandlers): void {
    const run = (job: Job<NightJob>, token?: string) =>
      runDeferrable(job, token, async () => {
        const data = job.data;
        const due = job.timestamp + (job.opts.delay ?? 0);
        const date = data.date ?? (data.task === 'reconcile' ? koreanDate(due) : koreanDate(due - 86_400_000));
        try {
          return await (data.task === 'reconcile' ? handlers.reconcile(data.institution, date) : handlers.close(date));
        } catch (e) {
          // Held: the job waits, remembering its day.
          if (e instanceof NotNowError && data.date === undefined) await job.updateData({ ...data, date });
          throw e;
        }
      });
    this.worker = new Worker<NightJob>('nightly', run, { connection: this.connection, prefix: this.prefix, concurrency: 1 });
    logErrorsOf(this.worker, this.logger, 'queue.redis-error', { queue: 'nightly', role: 'worker' });
  }

  private upsert(id: string, at: string, data: NightJob): Promise<unknown> {
    const [hh, mm] = at.split(':');
    return this.queue.upsertJobScheduler(id, { pattern: `0 ${Number(mm)} ${Number(hh)} * * *`, tz: 'Asia/Seoul' }, {
      name: data.task,
      data,
      opts: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: 100, removeOnFail: 1000 },
    });
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }
}
