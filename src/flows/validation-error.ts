import { FirmbankError } from '../errors/firmbank-error.js';

/** A request field that cannot be accepted: names the field (as the caller wrote it) and why. */
export class ValidationError extends FirmbankError {
  constructor(
    readonly field: string,
    readonly reason: string,
    code = 'FB_VALIDATION',
  ) {
    super(code, `${field}: ${reason}`);
  }
}
