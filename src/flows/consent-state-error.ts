import { FirmbankError } from '../errors/firmbank-error.js';
import type { ConsentState } from '../domain/consent.js';

/**
 * What was asked of a consent does not apply in the state it is in (withdrawing one that was declined,
 * refused or cancelled at the bank): a 409 naming the state. Nothing was changed.
 */
export class ConsentStateError extends FirmbankError {
  constructor(
    readonly consentId: string,
    readonly state: ConsentState,
    what: string,
  ) {
    super('FB_CONSENT_STATE', `consent ${consentId} is ${state}: ${what}`);
  }
}
