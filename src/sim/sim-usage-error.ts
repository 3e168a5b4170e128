import { FirmbankError } from '../errors/firmbank-error.js';

/** The simulator asked to do something it cannot (an unknown fault kind, a count that is not a count). */
export class SimUsageError extends FirmbankError {
  constructor(message: string) {
    super('FB_SIM_USAGE', message);
  }
}
