import { FirmbankError } from '../errors/firmbank-error.js';

/**
 * A start that could not go ahead for a reason of ours or the bank's link, before any 1 won existed (503):
 * nothing was kept and nothing counted against the limits, so the caller may simply try again.
 */
export class OneWonUnavailableError extends FirmbankError {
  constructor(reason: string) {
    super('FB_ONE_WON_UNAVAILABLE', `the one-won verification could not be started: ${reason}; nothing was kept, try again later`);
  }
}
