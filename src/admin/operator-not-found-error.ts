import { FirmbankError } from '../errors/firmbank-error.js';

/** No operator has that name (or id). */
export class OperatorNotFoundError extends FirmbankError {
  constructor(readonly operator: string | number) {
    super('FB_NOT_FOUND', typeof operator === 'number' ? `no operator has id ${operator}` : `no operator is called ${operator}`);
  }
}
