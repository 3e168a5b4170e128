import type { Consent, ConsentArsOutcome, ConsentState } from '../domain/consent.js';

/**
 * The ports the consent flow depends on. The TypeORM consent store (src/ledger/consent-store.ts) and the
 * BullMQ consent queue (src/queue/consent-queue.ts) implement them; the ARS provider and the evidence
 * store are the ports of src/flows/ars-port.ts.
 */

/** A new consent as the flow hands it to the store: the secrets in clear, sealed by the store. */
export interface NewConsent {
  readonly service: string;
  readonly requestId: string;
  /** SHA-256 of what the request asks (its non-secret fields); see {@link ConsentStore.create}. */
  readonly requestHash: string;
  readonly institution: string;
  readonly payerNumber: string;
  readonly bankCode: string;
  readonly account: string;
  /** 실명번호 (YYMMDD or business number): sealed at rest, needed again by the cancellation. */
  readonly holderIdNo: string;
  /** The payer's phone: sealed at rest, needed by the ARS call and the evidence. */
  readonly phone: string;
  readonly phoneMasked: string;
}

/** The payer's secrets, opened from their sealed form, for a telegram or the evidence record. */
export interface ConsentSecrets {
  readonly holderIdNo: string;
  readonly phone: string;
}

/** Fields a state change (or a plain update) may set. */
export interface ConsentPatch {
  readonly callId?: string;
  readonly arsOutcome?: ConsentArsOutcome;
  readonly recordingId?: string;
  readonly recordingSha256?: string;
  readonly recordingLocation?: string;
  readonly recordLocation?: string;
  readonly recordSha256?: string;
  readonly confirmedAt?: Date;
  readonly consentType?: string;
  readonly applicationDate?: string;
  readonly responseCode?: string | null;
  readonly responseMessage?: string | null;
  readonly registeredAt?: Date;
  readonly withdrawRequestedAt?: Date;
  readonly endedAt?: Date;
  readonly retainUntil?: Date;
  readonly needsOperator?: boolean;
  /** 2000/550 telegrams sent for the step under way: reset when the cancellation begins. */
  readonly bankAttempts?: number;
}

/** A 2000/550 about to be written, as kept with its consent (the bytes with their secrets overwritten). */
export interface ConsentTelegram {
  readonly institution: string;
  readonly message: string;
  readonly seqNo: string;
  readonly sendDate: string;
  readonly raw: Buffer;
  readonly at: Date;
}

/** A 2000/650 as kept, whether or not it names a consent of ours. */
export interface CancelNotice {
  readonly institution: string;
  readonly bankCode: string;
  readonly companyId: string;
  readonly message: string;
  readonly sendDate: string;
  readonly seqNo: string;
  readonly payerNumber: string;
  /** True for a cancellation (신청구분 anything but "1"); false for a registration made at the bank's counter. */
  readonly cancels: boolean;
  /** The notice's fields as JSON, secrets overwritten. */
  readonly fields: string;
  readonly raw: Buffer;
}

/** Consents, their state changes and their telegrams; every write committed before it resolves. */
export interface ConsentStore {
  /**
   * Persists a new consent (`calling`), or returns the one stored under the same (service, request id) when
   * it asks the same: the same hash and the same secrets (compared opened, never hashed: a birth date
   * hashed is a birth date guessed). Another body is a {@link ConsentRequestConflictError}; a payer number
   * with a live consent already (any service's) is a {@link PayerNumberTakenError}.
   */
  create(input: NewConsent): Promise<{ consent: Consent; created: boolean }>;
  get(id: string): Promise<Consent | null>;
  /** The consent's id number and phone, opened; null when there is no such consent. */
  secrets(id: string): Promise<ConsentSecrets | null>;
  /**
   * Moves a consent from `from` to `to` (and sets `patch`), recording why; null when it was not in `from`
   * (or, with `claim`, no longer held that claim): someone else moved it.
   */
  move(id: string, from: ConsentState, to: ConsentState, reason: string, patch?: ConsentPatch, claim?: string): Promise<Consent | null>;
  /** Sets fields without a state change, only while the consent is in `state`; false when it is not. */
  patch(id: string, state: ConsentState, patch: ConsentPatch): Promise<boolean>;
  /**
   * Claims the consent for one 2000/550 and keeps the telegram, in one transaction, right before its bytes
   * are written: only when it is in `from` and nobody holds a claim on it (or the claim went stale: older
   * than `staleBefore`). Moves it to `to` and counts the attempt. False: someone else has it, or it moved.
   */
  claimAndKeep(id: string, from: ConsentState, to: ConsentState, claim: string, staleBefore: Date, telegram: ConsentTelegram, reason: string): Promise<boolean>;
  /** Lets go of a claim (the answer never came, or nothing was written): the next attempt may take it. */
  release(id: string, claim: string, patch?: ConsentPatch): Promise<boolean>;
  /**
   * The bank said yes to the registration held under `claim`: `registered`, or `withdrawing` when the payer
   * asked to withdraw meanwhile — decided in the same statement, so no collection can slip in between.
   */
  settleRegistration(id: string, claim: string, reason: string, patch: ConsentPatch): Promise<Consent | null>;
  /** Remembers a withdrawal asked for while the registration is on its way; false when not `registering`. */
  requestWithdrawal(id: string, at: Date): Promise<boolean>;
  /**
   * Keeps a 2000/650 (once per bank numbering) and, in the same transaction, ends the live consent of its
   * payer number (`registering`, `registered` or `withdrawing`) as `cancelled-at-bank`. `fresh` is false
   * when the bank sent it again; `consent` is null when it names no live consent of ours.
   */
  recordCancelNotice(notice: CancelNotice, reason: string, patch: ConsentPatch): Promise<{ fresh: boolean; consent: Consent | null }>;
  /** Consents of an institution not final yet and unchanged for `minAgeMs`: what a sweep picks up. */
  unsettled(institution: string, minAgeMs: number): Promise<Consent[]>;
  /**
   * Consents whose payer confirmed at or after `start` and before `end`, oldest first, at most `limit`; one
   * service's, or every service's (an operator's export).
   */
  evidence(range: { readonly start: Date; readonly end: Date; readonly service?: string; readonly limit: number }): Promise<Consent[]>;
}

/** The jobs of the consent flow. Each is safe to run twice: the consent's state decides. */
export type ConsentJobKind = 'call' | 'poll' | 'register' | 'cancel';

export interface ConsentJobs {
  /**
   * Queues job `kind` for a consent after `delayMs`; the same (kind, consent, `tag`) queued twice runs once.
   * A job whose handler throws is retried with backoff; one that throws NotNowError waits without spending
   * an attempt.
   */
  add(kind: ConsentJobKind, consentId: string, tag: string, delayMs?: number): Promise<void>;
}

/** Collections of a consent still `sending` (claimed, their telegram perhaps on the wire). */
export interface CollectionsInFlight {
  collectionsInFlight(consentId: string): Promise<number>;
}
