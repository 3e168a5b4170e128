/**
 * The port to an ARS provider (ARS 출금동의, 전자금융거래법 §15): a service that calls the payer, reads out
 * what the debit is for, and records the payer's keypad answer. Consent flows depend on this interface
 * and on {@link EvidenceStore}; src/ars holds the HTTP adapter, src/sim the simulator, src/evidence the
 * folder store. Nothing here may import an adapter.
 */

/**
 * How an ARS call ended:
 * - `confirmed`: the payer pressed the consent key (1) after the script; the call was recorded.
 * - `declined`: the payer pressed the refusal key (2).
 * - `hung-up`: the payer answered, then hung up before answering the question.
 * - `wrong-input`: the payer answered but never pressed a valid key (the provider gave up after its retries).
 * - `no-answer`: nobody picked up before the provider gave up ringing.
 * - `failed`: the provider could not place the call (carrier or provider fault).
 */
export type ArsOutcome = 'confirmed' | 'declined' | 'hung-up' | 'wrong-input' | 'no-answer' | 'failed';

/** Every {@link ArsOutcome}, for validating what a provider sends. */
export const ARS_OUTCOMES: readonly ArsOutcome[] = ['confirmed', 'declined', 'hung-up', 'wrong-input', 'no-answer', 'failed'];

/** True when `s` is an {@link ArsOutcome}. */
export function isArsOutcome(s: unknown): s is ArsOutcome {
  return typeof s === 'string' && (ARS_OUTCOMES as readonly string[]).includes(s);
}

export interface ArsCallRequest {
  readonly consentId: string;
  readonly phone: string;
  /** What the voice reads out, already masked: */
  readonly script: { readonly company: string; readonly bankName: string; readonly accountMasked: string; readonly payerNumber: string };
  /** Where the provider POSTs the result; absent: poll only. */
  readonly callbackUrl?: string;
}

export interface ArsCallResult {
  readonly callId: string;
  readonly consentId: string;
  readonly outcome: ArsOutcome;
  readonly completedAt: Date;
  /** Present when the call was recorded (confirmed always is). */
  readonly recordingId?: string;
}

export interface ArsProvider {
  /**
   * Starts a call; the same consentId twice returns the same call (idempotent: a retried start never
   * rings the payer twice).
   *
   * @throws ArsUnavailableError when the provider cannot be reached or is down (safe to retry: see above).
   * @throws ArsProviderError when the provider refuses the request (bad token, the consent id reused for
   *   another call) or answers something that is not the protocol.
   */
  startCall(req: ArsCallRequest): Promise<{ readonly callId: string }>;
  /**
   * The call's result, or null while it is still going on.
   *
   * @throws ArsUnavailableError, ArsProviderError (an unknown call id is a 404: ArsProviderError).
   */
  result(callId: string): Promise<ArsCallResult | null>;
  /**
   * The recording's bytes.
   *
   * @throws ArsUnavailableError, ArsProviderError.
   */
  recording(recordingId: string): Promise<Buffer>;
  /**
   * A callback the provider POSTed, verified (HMAC over the raw body); throws ArsCallbackError
   * (FB_ARS_CALLBACK) when the signature or body is bad.
   */
  verifyCallback(headers: Readonly<Record<string, string | string[] | undefined>>, rawBody: Buffer): ArsCallResult;
}

export interface EvidenceStore {
  /**
   * Keeps bytes under a key (e.g. the consent id), privately (0600 files in a 0700 folder, written
   * atomically); returns where and the SHA-256 hex of the bytes. Writing the same key twice with the same
   * bytes is a no-op; with other bytes a typed error (never overwrite evidence).
   *
   * @throws EvidenceKeyError for a key that cannot name a file (`/`, `..`, NUL, empty, too long).
   * @throws EvidenceConflictError when other bytes are already kept under the key.
   */
  put(key: string, bytes: Buffer): Promise<{ readonly location: string; readonly sha256: string }>;
  /**
   * The bytes kept at `location` (as returned by {@link put}).
   *
   * @throws EvidenceKeyError for a location this store did not hand out; EvidenceMissingError when nothing is there.
   */
  get(location: string): Promise<Buffer>;
}
