import { FirmbankError } from '../errors/firmbank-error.js';

/** The same request id came again with a different body: refused (409), the first consent stands. */
export class ConsentRequestConflictError extends FirmbankError {
  readonly field = 'requestId';

  constructor(
    readonly service: string,
    readonly requestId: string,
    readonly existingId: string,
  ) {
    super('FB_IDEMPOTENCY_CONFLICT', `requestId: "${requestId}" of ${service} was already used with a different body (consent ${existingId})`);
  }
}
