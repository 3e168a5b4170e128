import { FirmbankError } from '../errors/firmbank-error.js';

/** A command line that cannot be carried out as written (unknown flag, missing file, bad hex …). */
export class UsageError extends FirmbankError {
  constructor(message: string) {
    super('FB_USAGE', message);
  }
}
