import { FirmbankError } from '../errors/firmbank-error.js';

/** An operation the institution's profile does not bind (a direct line without balances, say). */
export class UnsupportedOperationError extends FirmbankError {
  constructor(
    readonly institution: string,
    readonly operation: string,
  ) {
    super('FB_OPERATION_UNSUPPORTED', `${institution} does not offer ${operation} (its profile binds no message to it)`);
  }
}
