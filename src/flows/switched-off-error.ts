import { FirmbankError } from '../errors/firmbank-error.js';

/** A new request refused because an operator switched its flow off (a 503 naming the switch). */
export class SwitchedOffError extends FirmbankError {
  constructor(
    readonly flow: string,
    readonly institution: string,
    /** The switch that decided it, as `scope/flow` (`*` for every institution or flow). */
    readonly switchName: string,
  ) {
    super('FB_SWITCH_OFF', `${flow} at ${institution} are switched off by the switch ${switchName}; nothing was accepted`);
  }
}
