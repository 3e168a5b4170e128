import { Initial1764000000000 } from './0001-initial.js';
import { ClaimToken1764100000000 } from './0002-claim-token.js';

/** Every migration, in order: the one list the data source runs. */
export const MIGRATIONS = [Initial1764000000000, ClaimToken1764100000000];
