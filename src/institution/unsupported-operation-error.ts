import { FirmbankError } from '../errors/firmbank-error.js';

/**
 * An operation the institution's profile does not bind (a direct line without balances, say). A caller's
 * mistake when the caller chose the institution: the API answers 400 naming `field`.
 */
export class UnsupportedOperationError extends FirmbankError {
  readonly field = 'institution';

  constructor(
    readonly institution: string,
    readonly operation: string,
  ) {
    super('FB_OPERATION_UNSUPPORTED', `${institution} does not offer ${operation} (its profile binds no message to it)`);
  }
}
