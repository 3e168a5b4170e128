import { FirmbankError } from '../errors/firmbank-error.js';

/**
 * Text that names no switch (`hecto/transfers`, `global`, and `SCOPE/FLOW` with `*` for "every" do), or
 * a name whose scope or flow no switch can have. `input` is what was given; the message says which part
 * is wrong and why, for an operator to correct.
 */
export class SwitchNameError extends FirmbankError {
  constructor(
    readonly input: string,
    readonly problem: string,
  ) {
    super('FB_SWITCH_INVALID', `switch ${JSON.stringify(input)}: ${problem}`);
  }
}
