import { FirmbankError } from '../errors/firmbank-error.js';

/** A profile file that cannot be used: the file, the path inside it and the reason. */
export class ProfileError extends FirmbankError {
  constructor(
    readonly file: string,
    readonly path: string,
    readonly reason: string,
  ) {
    super('FB_PROFILE_INVALID', `${file}: ${path ? path + ': ' : ''}${reason}`);
  }
}
