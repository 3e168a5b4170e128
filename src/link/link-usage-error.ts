import { FirmbankError } from '../errors/firmbank-error.js';

/** A link asked to do something its spec does not allow (send a bank's notice, use a spec without a session). */
export class LinkUsageError extends FirmbankError {
  constructor(message: string) {
    super('FB_LINK_USAGE', message);
  }
}
