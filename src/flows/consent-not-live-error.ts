import { FirmbankError } from '../errors/firmbank-error.js';

/** A collection refused because its payer's consent does not allow one now (a 409 naming why). */
export class ConsentNotLiveError extends FirmbankError {
  constructor(
    readonly consent: string,
    reason: string,
  ) {
    super('FB_CONSENT_NOT_LIVE', `no collection under ${consent}: ${reason}`);
  }
}
