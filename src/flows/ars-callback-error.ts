import { FirmbankError } from '../errors/firmbank-error.js';

/**
 * A POST claiming to be an ARS provider's callback that cannot be trusted or read: no or a bad signature,
 * a timestamp outside the tolerance (a replay), a body that is not the protocol's JSON. Answer it 400 or
 * 401 and change nothing: the provider retries, or polling finds the result.
 */
export class ArsCallbackError extends FirmbankError {
  constructor(reason: string) {
    super('FB_ARS_CALLBACK', `ARS callback refused: ${reason}`);
  }
}
