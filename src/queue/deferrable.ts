import { DelayedError, type Job } from 'bullmq';
import { NotNowError } from '../flows/not-now-error.js';

/**
 * Runs a job's work; when the work says "not now" ({@link NotNowError}: a breaker open, a switch on
 * hold), the same job is put back, delayed, and none of its attempts is spent — waiting is not failing.
 */
export async function runDeferrable<T>(job: Job, token: string | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (!(e instanceof NotNowError)) throw e;
    await job.moveToDelayed(Date.now() + e.retryInMs, token);
    throw new DelayedError();
  }
}
