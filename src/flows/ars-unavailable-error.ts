import { FirmbankError } from '../errors/firmbank-error.js';

/**
 * The ARS provider could not be reached, did not answer in time, or answered that it is down (5xx). Nothing
 * is known to have happened: keep the consent pending and try again later (startCall is idempotent per
 * consent id, so a retried start never rings the payer twice).
 */
export class ArsUnavailableError extends FirmbankError {
  constructor(reason: string) {
    super('FB_ARS_UNAVAILABLE', `ARS provider unavailable: ${reason}`);
  }
}
