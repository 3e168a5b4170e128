import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { logErrorsOf } from '../log/log-errors-of.js';
import { silentLogger, type Logger } from '../log/logger.js';

/** A job: attempt that delivery (the ledger says which attempt it is, and whether it is still due). */
export interface WebhookJob {
  readonly deliveryId: number;
}

/**
 * The webhook attempts, one BullMQ queue shared by every gateway process: each job runs in one of them.
 * Jobs carry only the delivery id; the store decides, when the job runs, whether the delivery may be
 * attempted (claims, order per aggregate), so a job that runs late, twice or after a restart does no harm.
 *
 * Job ids are `delivery-<id>-<attempt>`: queueing an attempt that is already queued (or running) adds
 * nothing. Jobs leave Redis when they end, done or failed, which frees their id: the dispatcher's tick
 * queues again any pending delivery that is due and has no job (a process killed between its commit
 * and its enqueue, a job lost with Redis).
 */
export class WebhookQueue {
  readonly name = 'webhooks';
  private readonly queue: Queue<WebhookJob>;
  private worker: Worker<WebhookJob> | null = null;

  constructor(
    private readonly connection: ConnectionOptions,
    private readonly prefix = 'firmbank',
    /** Where Redis trouble is told: one line, then at most one a while (BullMQ would print a stack per retry). */
    private readonly logger: Logger = silentLogger,
  ) {
    this.queue = new Queue<WebhookJob>(this.name, { connection, prefix });
    logErrorsOf(this.queue, logger, 'queue.redis-error', { queue: this.name, role: 'queue' });
  }

  /** Queues attempt number `attempt` of a delivery, to run after `delayMs`; once per (delivery, attempt). */
  async enqueue(deliveryId: number, attempt: number, delayMs: number): Promise<void> {
    await this.queue.add('attempt', { deliveryId }, {
      jobId: `delivery-${deliveryId}-${attempt}`,
      delay: Math.max(0, Math.round(delayMs)),
      // The ledger keeps the attempts and the backoff: a job that throws (a database outage) is not
      // retried by BullMQ; its delivery is queued again by the next tick once its claim has run out.
      attempts: 1,
      removeOnComplete: true,
      removeOnFail: true,
    });
  }

  /** Starts this process's worker: `concurrency` attempts at once. */
  start(handler: (deliveryId: number) => Promise<void>, concurrency: number): void {
    this.worker = new Worker<WebhookJob>(this.name, (job: Job<WebhookJob>) => handler(job.data.deliveryId), {
      connection: this.connection,
      prefix: this.prefix,
      concurrency,
    });
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
