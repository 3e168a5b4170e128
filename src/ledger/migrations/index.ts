import { Initial1764000000000 } from './0001-initial.js';
import { ClaimToken1764100000000 } from './0002-claim-token.js';
import { ApiKeyScopes1764200000000 } from './0003-api-key-scopes.js';
import { TransferListIndex1764300000000 } from './0004-transfer-list-index.js';
import { Reconciliation1764400000000 } from './0005-reconciliation.js';
import { Events1764500000000 } from './0006-events.js';
import { Switches1764600000000 } from './0007-switches.js';
import { OneWon1764700000000 } from './0008-one-won.js';
import { Consents1764800000000 } from './0009-consents.js';
import { Collections1764900000000 } from './0010-collections.js';
import { Operators1765000000000 } from './0011-operators.js';
import { Settlements1765100000000 } from './0012-settlements.js';

/** Every migration, in order: the one list the data source runs. */
export const MIGRATIONS = [
  Initial1764000000000,
  ClaimToken1764100000000,
  ApiKeyScopes1764200000000,
  TransferListIndex1764300000000,
  Reconciliation1764400000000,
  Events1764500000000,
  Switches1764600000000,
  OneWon1764700000000,
  Consents1764800000000,
  Collections1764900000000,
  Operators1765000000000,
  Settlements1765100000000,
];
