import { FirmbankError } from '../errors/firmbank-error.js';

/**
 * A secret box that cannot be made (its key is not 32 bytes of base64) or a sealed value that does not
 * open (tampered with, truncated, or sealed under another key). Never shows the key, the sealed value or
 * the secret inside.
 */
export class SecretBoxError extends FirmbankError {
  declare readonly code: 'FB_SECRET_BOX';

  constructor(message: string) {
    super('FB_SECRET_BOX', message);
  }
}
