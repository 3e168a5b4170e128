import type { OneWonConfirmation, OneWonStartInput, OneWonStatus } from '../flows/one-won-flow.js';
import type { ServiceIdentity } from '../flows/transfer-flow.js';

/**
 * One-won verifications (1원 인증), as the HTTP API needs them (OneWonFlow fits). A service sees only its
 * own verifications: another's id is an OneWonNotFoundError, as an unknown one is.
 */
export interface OneWonService {
  /** Starts one: limits taken, the 1 won handed to the transfer flow. The same request id again: the same one. */
  start(caller: ServiceIdentity, input: OneWonStartInput): Promise<{ verification: OneWonStatus; created: boolean }>;
  /** Checks a typed code: verified, mismatch (attempts left), expired, locked, pending or failed. */
  confirm(caller: ServiceIdentity, id: string, code: string): Promise<OneWonConfirmation>;
  /** Where a verification stands, its 1 won read through. */
  status(caller: ServiceIdentity, id: string): Promise<OneWonStatus>;
}
