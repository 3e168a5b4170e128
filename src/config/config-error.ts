import { FirmbankError } from '../errors/firmbank-error.js';

/** Configuration that cannot be used: names the setting and the reason. */
export class ConfigError extends FirmbankError {
  constructor(
    /** The environment variable or file key at fault, e.g. `DATABASE_URL` or `institutions[0].bankCode`. */
    readonly setting: string,
    reason: string,
  ) {
    super('FB_CONFIG_INVALID', `configuration ${setting}: ${reason}`);
  }
}
