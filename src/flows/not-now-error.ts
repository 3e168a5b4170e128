import { FirmbankError } from '../errors/firmbank-error.js';

/**
 * A job that must not run now and did nothing: the link's breaker is open, say. The queue puts the job
 * back, delayed by `retryInMs`, without spending one of its attempts — waiting is not failing.
 */
export class NotNowError extends FirmbankError {
  constructor(
    reason: string,
    readonly retryInMs: number,
  ) {
    super('FB_NOT_NOW', reason);
  }
}
