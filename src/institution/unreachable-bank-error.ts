import { FirmbankError } from '../errors/firmbank-error.js';

/**
 * A bank the institution cannot reach with the codes it speaks (a 3-digit code past a 2-digit family's
 * map). A caller's mistake: the API answers 400 naming `field`.
 */
export class UnreachableBankError extends FirmbankError {
  readonly field = 'bankCode';

  constructor(
    readonly institution: string,
    readonly bankCode: string,
  ) {
    super('FB_BANK_UNREACHABLE', `bank ${bankCode} cannot be reached through ${institution}: its telegrams have no code for it`);
  }
}
