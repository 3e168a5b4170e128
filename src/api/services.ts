import type { Transfer } from '../domain/transfer.js';
import type { ServiceIdentity } from '../flows/transfer-flow.js';
import type { TransferInput } from '../flows/transfer-input.js';
import type { VerificationInput, VerificationResult } from '../flows/verification-flow.js';

/**
 * What the HTTP API needs, one narrow service per flow; the composition root provides them. An
 * `institution` is the one the caller named, or undefined for the default (routing rules, for transfers);
 * an unknown one is a ValidationError naming the field.
 */
export interface TransferService {
  submit(institution: string | undefined, caller: ServiceIdentity, input: TransferInput): Promise<{ transfer: Transfer; created: boolean }>;
  get(id: string): Promise<Transfer | null>;
  /** Resolves with the transfer when this process changes it, or with null after `ms`. */
  waitForChange(id: string, ms: number): Promise<Transfer | null>;
  /** The telegrams of a transfer, decoded from the kept bytes and masked. */
  telegrams(transfer: Transfer): Promise<unknown[]>;
}

export interface VerificationService {
  verify(institution: string | undefined, input: VerificationInput): Promise<VerificationResult>;
}

/** Balance and today's totals of the parent account, as the bank counts them. */
export interface ParentAccountService {
  balance(institution: string | undefined): Promise<unknown>;
  totals(institution: string | undefined): Promise<unknown>;
}

export interface ReadinessService {
  ready(): Promise<{ ready: boolean; detail: Record<string, unknown> }>;
}

export interface ApiServices {
  readonly transfers: TransferService;
  readonly verifications: VerificationService;
  readonly parentAccount: ParentAccountService;
  readonly readiness: ReadinessService;
}
