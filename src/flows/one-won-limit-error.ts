import { FirmbankError } from '../errors/firmbank-error.js';
import type { OneWonLimitName } from './one-won-ports.js';

const WHAT: Readonly<Record<OneWonLimitName, string>> = {
  perAccountPerHour: 'one-won verifications of this account in the last hour',
  perServicePerDay: "one-won verifications of this service today (KST)",
  perServicePerSecond: 'one-won verifications of this service this second',
};

/** A start refused by a limit (429): names the limit and says when to come back (Retry-After). */
export class OneWonLimitError extends FirmbankError {
  constructor(
    /** The limit, as the settings name it. */
    readonly limit: OneWonLimitName,
    readonly max: number,
    /** When a start may be allowed again. */
    readonly retryInMs: number,
  ) {
    super('FB_ONE_WON_LIMIT', `${limit}: at most ${max} ${WHAT[limit]}; nothing was started, try again in ${Math.max(1, Math.ceil(retryInMs / 1_000))} s`);
  }
}
