import { FirmbankError } from '../errors/firmbank-error.js';

/**
 * A login refused: unknown name, wrong password or disabled account — one error for all three, in the
 * same words, so that trying names tells nobody which exist.
 */
export class BadLoginError extends FirmbankError {
  constructor() {
    super('FB_ADMIN_BAD_LOGIN', 'the name or the password is wrong');
  }
}
