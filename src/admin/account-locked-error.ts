import { FirmbankError } from '../errors/firmbank-error.js';

/**
 * The account is locked after too many failed logins in a row: no password is tried until the lock ends,
 * `retryInMs` from now, or an admin unlocks it.
 */
export class AccountLockedError extends FirmbankError {
  constructor(readonly retryInMs: number) {
    super('FB_ADMIN_LOCKED', `too many failed logins: the account is locked; try again in ${Math.ceil(retryInMs / 1_000)} s or ask an admin to unlock it`);
  }
}
