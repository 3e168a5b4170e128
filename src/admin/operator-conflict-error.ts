import { FirmbankError } from '../errors/firmbank-error.js';

/** An operator cannot be created under a name another operator already has (disabled ones included). */
export class OperatorConflictError extends FirmbankError {
  constructor(readonly operatorName: string) {
    super('FB_ADMIN_CONFLICT', `an operator called ${operatorName} exists already`);
  }
}
