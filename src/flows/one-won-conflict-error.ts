import { FirmbankError } from '../errors/firmbank-error.js';

/** The same request id came again for another account or holder name: refused, the first one stands (409). */
export class OneWonConflictError extends FirmbankError {
  constructor(
    readonly requestId: string,
    readonly existingId: string,
  ) {
    super('FB_IDEMPOTENCY_CONFLICT', `request id "${requestId}" was already used for another one-won verification (${existingId})`);
  }
}
