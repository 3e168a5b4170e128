import { FirmbankError } from '../errors/firmbank-error.js';

/** Input a reconciliation cannot use (an amount that is not whole won, a run already going): bad input, exit 2. */
export class ReconInputError extends FirmbankError {
  constructor(
    readonly where: string,
    reason: string,
  ) {
    super('FB_RECON_INPUT', `${where}: ${reason}`);
  }
}
