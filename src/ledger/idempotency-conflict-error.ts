import { FirmbankError } from '../errors/firmbank-error.js';

/** The same request id came again with a different body: refused, the first one stands. */
export class IdempotencyConflictError extends FirmbankError {
  constructor(readonly service: string, readonly requestId: string, readonly existingId: string) {
    super('FB_IDEMPOTENCY_CONFLICT', `request id "${requestId}" of ${service} was already used with a different body (transfer ${existingId})`);
  }
}
