import type { TransferState } from '../domain/transfer-state.js';
import type { ServiceIdentity } from './transfer-flow.js';

/**
 * The ports of the one-won verification (1원 인증) flow and the types they carry. The composition root
 * wires them: the transfer starter to TransferFlow, the holder-name check to VerificationFlow, the store
 * to src/ledger/one-won-store.ts. The flow never sends a telegram itself: its 1 won is a transfer like any
 * other, claimed, kept and inquired about by the transfer flow.
 */

/** How a code is made: four digits, or a word of the shipped Hangul word list. */
export type OneWonCodeKind = 'digits' | 'word';

/**
 * A verification as kept. `open` until one of the final states: `verified` (the right code in time),
 * `locked` (too many wrong codes), `failed` (the 1 won could not be delivered, or the holder's name did
 * not match), `expired` (written when a reader first sees the validity passed). Whether an open one is
 * waiting for its 1 won or for its code is the transfer's state, read through (see OneWonState).
 */
export type OneWonStoredState = 'open' | 'verified' | 'locked' | 'failed' | 'expired';

/** Why a verification failed: the bank's response code and reason, or ours (code null). */
export interface OneWonFailure {
  readonly code: string | null;
  readonly message: string;
}

/**
 * A one-won verification: never the code (only its keyed hash), never the account in clear. Its 1 won is
 * the service's transfer under the request id {@link oneWonTransferRequestId} of its id.
 */
export interface OneWonVerification {
  readonly id: string;
  readonly service: string;
  readonly requestId: string;
  /** Keyed hash of what was asked (bank, account, holder name): the idempotency fingerprint. */
  readonly requestHash: string;
  readonly bankCode: string;
  /** Keyed hash of (bank, account): what the per-account limit counts. */
  readonly accountKey: string;
  /** The account as it may be shown (last four digits). */
  readonly accountMasked: string;
  readonly codeKind: OneWonCodeKind;
  /** HMAC-SHA256 of the code, bound to this verification's id. */
  readonly codeHash: string;
  readonly state: OneWonStoredState;
  /** Wrong codes so far. */
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly failure: OneWonFailure | null;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  /** When it reached a final state. */
  readonly settledAt: Date | null;
}

/** A verification about to be kept. */
export type NewOneWonVerification = Omit<OneWonVerification, 'state' | 'attempts' | 'failure' | 'settledAt'>;

/** The limits a start is held to, each named as the settings name it. */
export type OneWonLimitName = 'perAccountPerHour' | 'perServicePerDay' | 'perServicePerSecond';

export interface OneWonLimits {
  readonly perAccountPerHour: number;
  readonly perServicePerDay: number;
  readonly perServicePerSecond: number;
}

/** What {@link OneWonStore.open} did. */
export type OneWonOpening =
  | { readonly kind: 'created'; readonly verification: OneWonVerification }
  /** The service's request id was taken: the verification kept under it (same request or not). */
  | { readonly kind: 'existing'; readonly verification: OneWonVerification }
  /** A limit refused it: nothing was written, nothing counted. */
  | { readonly kind: 'refused'; readonly limit: OneWonLimitName; readonly retryInMs: number };

/**
 * One-won verifications as the database keeps them. Every change is conditional on the state it leaves
 * and committed before it resolves, so that gateway processes sharing the database can race freely.
 */
export interface OneWonStore {
  /**
   * Keeps a new verification if every limit allows it, atomically with counting it against them: across
   * processes, never more starts than a limit allows. A request id already taken returns that verification.
   */
  open(v: NewOneWonVerification, limits: OneWonLimits): Promise<OneWonOpening>;
  get(id: string): Promise<OneWonVerification | null>;
  /** open → verified, if still open, within attempts, before `now` passes its expiry; null otherwise. */
  verify(id: string, now: Date): Promise<OneWonVerification | null>;
  /** Counts a wrong code (open → locked at the last attempt), under the same conditions; null otherwise. */
  miss(id: string, now: Date): Promise<OneWonVerification | null>;
  /** open → failed; null if it was not open. */
  fail(id: string, failure: OneWonFailure, now: Date): Promise<OneWonVerification | null>;
  /** open → expired, if its expiry is not after `now`; null otherwise. */
  expire(id: string, now: Date): Promise<OneWonVerification | null>;
  /**
   * Forgets a verification that never got anywhere (its 1 won was refused before any transfer existed)
   * and gives back what it took from the limits, in one transaction.
   */
  abandon(id: string): Promise<void>;
}

/** The 1 won, as the transfer flow is asked for it. */
export interface OneWonTransferRequest {
  /** Derived from the verification id: asking twice for the same verification makes one transfer. */
  readonly requestId: string;
  readonly bankCode: string;
  readonly account: string;
  readonly amount: '1';
  /** Prefix and code: what the account holder reads on the passbook. */
  readonly memo: string;
  /** The holder name the caller gave, when there was one (입금계좌예금주명). */
  readonly recipientName?: string;
}

/** Where a 1 won's transfer stands. */
export interface OneWonTransferStatus {
  readonly state: TransferState;
  readonly responseCode: string | null;
  readonly responseMessage: string | null;
}

/**
 * Starts transfers and reads them back (TransferFlow.submit with route `one-won`, and the ledger).
 *
 * A verification knows its 1 won by the request id it was started under, not by the transfer's id: no
 * second write is needed to link them, and a start interrupted after the transfer was kept (the transfer
 * flow keeps it before it queues it) still finds it. When `start` rejects, the flow asks `get` whether a
 * transfer was kept all the same: if so, it is the verification's; if not, nothing will be sent, and the
 * verification is abandoned.
 */
export interface TransferStarter {
  /** Idempotent on the request id: asked again, it returns the transfer kept the first time. */
  start(caller: ServiceIdentity, request: OneWonTransferRequest): Promise<{ transferId: string; state: TransferState }>;
  /** The service's transfer kept under `requestId`, or null when there is none. */
  get(service: string, requestId: string): Promise<OneWonTransferStatus | null>;
}

/** The transfer request id of a verification's 1 won: one verification, one transfer, however often asked. */
export function oneWonTransferRequestId(verificationId: string): string {
  return `onewon-${verificationId}`;
}

/** What the holder-name check answers (VerificationFlow.verify fits). */
export interface HolderNameAnswer {
  readonly status: 'verified' | 'mismatch' | 'found' | 'not-found' | 'unavailable';
  readonly responseCode: string | null;
  readonly message: string;
}

/** 계좌성명조회 (6000/100) before the 1 won is sent. */
export interface HolderNameCheck {
  verify(input: { bankCode: string; account: string; name: string }): Promise<HolderNameAnswer>;
}

/**
 * Checks a transfer against the telegram it would become, without keeping or sending anything: throws
 * the ValidationError the transfer flow would (naming `bankCode`, `account`, `memo` or `recipientName`).
 */
export interface TransferCheck {
  check(transfer: Omit<OneWonTransferRequest, 'requestId'>): void;
}
