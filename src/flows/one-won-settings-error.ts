import { FirmbankError } from '../errors/firmbank-error.js';

/** A one-won setting that cannot be used (checked when the flow is made: the gateway does not start). */
export class OneWonSettingsError extends FirmbankError {
  constructor(
    /** The setting's name, as OneWonSettings spells it. */
    readonly setting: string,
    reason: string,
  ) {
    super('FB_ONE_WON_SETTINGS', `one-won setting ${setting}: ${reason}`);
  }
}
