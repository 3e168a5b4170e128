import { FirmbankError } from '../errors/firmbank-error.js';

/**
 * The host of a webhook endpoint could not be resolved (no such name, no address, the resolver failed or
 * took too long). Unlike an {@link EndpointUrlError} this may pass: a dispatcher retries it like any other
 * network failure.
 */
export class EndpointDnsError extends FirmbankError {
  declare readonly code: 'FB_WEBHOOK_DNS';

  constructor(
    readonly host: string,
    /** What went wrong, without the host prefix (e.g. `ENOTFOUND`). */
    readonly reason: string,
  ) {
    super('FB_WEBHOOK_DNS', `webhook endpoint host ${host}: ${reason}`);
  }
}
