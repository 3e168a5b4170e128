import { FirmbankError } from '../errors/firmbank-error.js';

/**
 * A webhook endpoint URL that may not be registered or delivered to: names the endpoint and why. Only
 * the scheme, host and port are shown: endpoint paths and queries often carry a receiver's own token
 * (and a refused URL may carry a password), and this message ends up in API answers and logs.
 */
export class EndpointUrlError extends FirmbankError {
  declare readonly code: 'FB_WEBHOOK_URL';

  constructor(
    /** What of the URL may be shown: `https://host:port`, or `(not a URL)`. */
    readonly endpoint: string,
    /** What is wrong, without the endpoint prefix. */
    readonly reason: string,
  ) {
    super('FB_WEBHOOK_URL', `webhook endpoint ${endpoint}: ${reason}`);
  }
}
