import { FirmbankError } from '../errors/firmbank-error.js';

/** A new request refused fast because the institution's link breaker is open (`breaker.whileOpen: refuse`). */
export class BreakerOpenError extends FirmbankError {
  constructor(
    readonly institution: string,
    reason: string,
    /** When the next probe is due: a fair Retry-After. */
    readonly retryInMs: number,
  ) {
    super('FB_BREAKER_OPEN', `the link to ${institution} is not taking requests (${reason}); nothing was accepted, try again later`);
  }
}
