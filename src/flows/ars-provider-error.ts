import { FirmbankError } from '../errors/firmbank-error.js';

/**
 * The ARS provider answered, but refused the request (4xx: a bad token, an unknown call or recording, a
 * consent id reused with another request) or answered something that is not the protocol. Retrying the
 * same request will not help; an operator must look.
 */
export class ArsProviderError extends FirmbankError {
  constructor(
    reason: string,
    /** The HTTP status the provider answered with; null when the answer itself was unreadable. */
    readonly status: number | null,
  ) {
    super('FB_ARS_PROVIDER', `ARS provider error: ${reason}`);
  }
}
