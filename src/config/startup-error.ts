import { FirmbankError } from '../errors/firmbank-error.js';

/**
 * The gateway cannot start because something a setting points to is not there or refuses us (the
 * database, Redis, the API's address). The message is one line: `SETTING=value: reason`, with the value
 * already masked by the caller ({@link maskUrl}).
 */
export class StartupError extends FirmbankError {
  constructor(
    code: string,
    /** The setting to change, e.g. `DATABASE_URL`, `REDIS_URL`, `PORT`. */
    readonly setting: string,
    shownValue: string,
    reason: string,
  ) {
    super(code, `${setting}=${shownValue}: ${reason}`);
  }
}
