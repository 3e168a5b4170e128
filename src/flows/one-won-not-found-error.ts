import { FirmbankError } from '../errors/firmbank-error.js';

/** No such verification, as far as this caller can tell: another service's is not found either (404). */
export class OneWonNotFoundError extends FirmbankError {
  constructor(readonly id: string) {
    super('FB_NOT_FOUND', `no one-won verification ${id}`);
  }
}
