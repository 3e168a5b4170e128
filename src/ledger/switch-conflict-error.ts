import { FirmbankError } from '../errors/firmbank-error.js';

/**
 * A switch was set by someone else since the operator looked at it: the set carried the version they
 * saw (`expected`) and the switch is at `actual` now (0: never set). Nothing was changed; look again.
 */
export class SwitchConflictError extends FirmbankError {
  constructor(
    readonly switchName: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super('FB_SWITCH_CONFLICT', `switch ${switchName} is at version ${actual}, not ${expected}: it was changed meanwhile; look at it again before setting it`);
  }
}
