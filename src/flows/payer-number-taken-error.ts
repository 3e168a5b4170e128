import { FirmbankError } from '../errors/firmbank-error.js';

/**
 * A payer number that already has a live consent at the institution (calling, consented, being registered,
 * registered or being withdrawn): the bank keeps one registration per payer number, so a second one is
 * refused (409) until the first ends. Names the field, never the other consent (it may be another service's).
 */
export class PayerNumberTakenError extends FirmbankError {
  readonly field = 'payerNumber';

  constructor(
    readonly institution: string,
    readonly payerNumber: string,
  ) {
    super('FB_PAYER_NUMBER_TAKEN', `payerNumber: ${payerNumber} already has a live consent at ${institution}; withdraw it first, or use another payer number`);
  }
}
