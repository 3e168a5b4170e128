import { redisAddress } from './redis-url.js';
import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { SpanKind } from '@opentelemetry/api';
import { runDeferrable } from './deferrable.js';
import { injectContext, storedContext, withContext, type TraceCarrier } from '../tracing/job-context.js';
import { spanLinks, withSpan } from '../tracing/with-span.js';
import { logErrorsOf } from '../log/log-errors-of.js';
import { runWithLogContext } from '../log/log-context.js';
import { silentLogger, type Logger } from '../log/logger.js';

/** The jobs of one institution's queue. Both are safe to run twice: the ledger's state decides. */
export type TransferJob = ({ readonly kind: 'send'; readonly transferId: string } | { readonly kind: 'inquire'; readonly transferId: string }) & {
  /** The trace of whoever queued it (W3C traceparent), when tracing is on. */
  readonly trace?: TraceCarrier;
};

export interface TransferJobHandlers {
  send(transferId: string): Promise<void>;
  inquire(transferId: string): Promise<void>;
}

/**
 * One send out of the rate window BullMQ's workers count in (its limiter key: INCR per job made active,
 * the window's length as the key's expiry; full once the count reaches the limit). Atomic: every process
 * shares the window, whichever way its transfers go out.
 */
const TAKE_FROM_WINDOW = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n >= tonumber(ARGV[1]) then return 0 end
if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`;

/** How long a permit may take: longer, and the transfer is queued instead (a permit is one Redis call). */
const PERMIT_TIMEOUT_MS = 500;

export function redisConnection(url: string): ConnectionOptions {
  const a = redisAddress(url);
  return {
    host: a.host,
    port: a.port,
    ...(a.username !== undefined ? { username: a.username } : {}),
    ...(a.password !== undefined ? { password: a.password } : {}),
    ...(a.db ? { db: a.db } : {}),
    maxRetriesPerRequest: null,
  };
}

/**
 * One BullMQ queue per institution and contracted bank, shared by every gateway process: each job runs in
 * one of them, at the bank's rate limit. Jobs carry only the transfer id; everything else is read from the
 * ledger when the job runs, so a job that runs late, twice or after a restart does the right thing.
 */
export class TransferQueue {
  readonly name: string;
  private readonly queue: Queue<TransferJob>;
  private worker: Worker<TransferJob> | null = null;
  /** The bank's rate, once this process's worker runs: what {@link permitNow} takes from. */
  private limiter: { readonly max: number; readonly duration: number } | null = null;
  /** A connection of its own for permits, failing at once while Redis is away (the caller then queues). */
  private permits: Redis | null = null;

  constructor(
    institution: string,
    bankCode: string,
    private readonly connection: ConnectionOptions,
    private readonly prefix = 'firmbank',
    /** Where Redis trouble is told: one line, then at most one a while (BullMQ would print a stack per retry). */
    private readonly logger: Logger = silentLogger,
    /** Transfers and collections each have a queue of their own, with its own rate limit. */
    lane: 'transfers' | 'collections' = 'transfers',
  ) {
    this.name = `${lane}-${institution}-${bankCode}`;
    this.queue = new Queue<TransferJob>(this.name, { connection, prefix });
    logErrorsOf(this.queue, logger, 'queue.redis-error', { queue: this.name, role: 'queue' });
  }

  /**
   * Queues the sending of a transfer; a second call for the same transfer (and `tag`) adds nothing.
   * Recovery sweeps pass a tag of their own, as a job that failed for good keeps its id.
   */
  async send(transferId: string, tag = 'first'): Promise<void> {
    await this.queue.add('send', { kind: 'send', transferId, trace: injectContext() }, {
      jobId: `send-${transferId}-${tag}`,
      attempts: 20,
      backoff: { type: 'exponential', delay: 500 },
      removeOnComplete: true,
      removeOnFail: 1000,
    });
  }

  /** Queues result inquiry number `attempt` for an unknown transfer, after `delayMs`. */
  async inquire(transferId: string, attempt: number, delayMs: number): Promise<void> {
    await this.queue.add('inquire', { kind: 'inquire', transferId, trace: injectContext() }, {
      jobId: `inquire-${transferId}-${attempt}`,
      delay: delayMs,
      attempts: 5,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: true,
      removeOnFail: 1000,
    });
  }

  /**
   * Leave to send one transfer now, without a job, in the process that accepted it: taken from the same
   * rate window as every process's workers, so the bank's rate holds however transfers go out. False when
   * the window is full, before {@link start}, or when Redis does not answer: then queue it.
   */
  async permitNow(): Promise<boolean> {
    if (!this.limiter || !this.permits) return false;
    try {
      const taken = await this.permits.eval(TAKE_FROM_WINDOW, 1, this.queue.keys['limiter']!, this.limiter.max, this.limiter.duration);
      return taken === 1;
    } catch {
      return false;
    }
  }

  /**
   * Starts this process's worker: `concurrency` jobs at once, at most `ratePerSecond` a second.
   * `started` is told how long each job waited for its first run (queue latency, for metrics).
   */
  start(handlers: TransferJobHandlers, concurrency: number, ratePerSecond: number, started?: (kind: TransferJob['kind'], waitedMs: number) => void): void {
    this.limiter = { max: ratePerSecond, duration: 1_000 };
    // A Redis that is connected but stuck must not hold the caller's request either: no answer in
    // PERMIT_TIMEOUT_MS is no permit.
    this.permits = new Redis({ ...(this.connection as RedisOptions), maxRetriesPerRequest: 0, enableOfflineQueue: false, commandTimeout: PERMIT_TIMEOUT_MS });
    logErrorsOf(this.permits, this.logger, 'queue.redis-error', { queue: this.name, role: 'permits' });
    this.worker = new Worker<TransferJob>(
      this.name,
      (job: Job<TransferJob>, token?: string) => {
        // Retries and deferrals wait on purpose: only a first run says how long the queue kept it.
        if (job.attemptsMade === 0) started?.(job.data.kind, Date.now() - job.timestamp - (job.opts.delay ?? 0));
        const { kind, transferId, trace } = job.data;
        const work = () => runWithLogContext({ transferId }, () => runDeferrable(job, token, () => (kind === 'send' ? handlers.send(transferId) : handlers.inquire(transferId))));
        const facts = { queue: this.name, jobKind: kind, transferId, attempt: job.attemptsMade + 1 };
        // A send continues the trace of the call that accepted the transfer; an inquiry, minutes later, is
        // a trace of its own linked to the one that queued it.
        if (kind === 'send') return withContext(trace, () => withSpan('job.send', facts, work, { kind: SpanKind.CONSUMER }));
        return withSpan('job.inquire', facts, work, { kind: SpanKind.CONSUMER, newTrace: true, links: spanLinks(storedContext(trace)) });
      },
      { connection: this.connection, prefix: this.prefix, concurrency, limiter: this.limiter },
    );
    logErrorsOf(this.worker, this.logger, 'queue.redis-error', { queue: this.name, role: 'worker' });
  }

  /** Jobs by status, shared by every process (for metrics). */
  counts(): Promise<{ waiting: number; active: number; delayed: number; failed: number }> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed') as Promise<{ waiting: number; active: number; delayed: number; failed: number }>;
  }

  async close(): Promise<void> {
    this.limiter = null;
    await this.worker?.close();
    await this.queue.close();
    this.permits?.disconnect();
  }

  /** Removes every job (tests). */
  async obliterate(): Promise<void> {
    await this.queue.obliterate({ force: true });
  }
}
