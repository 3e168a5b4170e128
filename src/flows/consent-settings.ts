/** How the consent flow runs; every setting has a default ({@link consentSettings}). */
export interface ConsentSettings {
  /** The company name the ARS voice reads out ("…에서 출금을 신청하였습니다"). */
  readonly companyName: string;
  /** Where the ARS provider POSTs results (this gateway's `POST /v1/ars/callback`, as the provider reaches it); absent: polling only. */
  readonly callbackUrl?: string;
  /** How often a call's result is polled (the callback may be lost). */
  readonly pollMs: number;
  /**
   * How long a consent may stay `calling`: a call not placed (provider unreachable) or not finished by then
   * ends `declined` (`failed` / `expired`) — no consent is ever assumed.
   */
  readonly callTimeoutMs: number;
  /** Consent records and their evidence are kept this many years after the consent ended (전자금융거래법: 5). */
  readonly retentionYears: number;
  /** How long to wait before sending a 2000/550 again whose answer never came. */
  readonly bankRetryMs: number;
  /** 2000/550 telegrams per step (registration, cancellation) before an operator must look. */
  readonly bankMaxAttempts: number;
  /** How long a cancellation waits, each time, for the consent's collections in flight to be answered. */
  readonly collectionWaitMs: number;
  /** 펌뱅킹기관코드, for a company that also uses batch firm banking (written into 2000/550). */
  readonly orgCode?: string;
}

export const DEFAULT_CONSENT_SETTINGS: ConsentSettings = {
  companyName: 'firmbank',
  pollMs: 5_000,
  callTimeoutMs: 600_000,
  retentionYears: 5,
  bankRetryMs: 30_000,
  bankMaxAttempts: 10,
  collectionWaitMs: 1_000,
};

/** The settings given, over the defaults. */
export function consentSettings(given: Partial<ConsentSettings> = {}): ConsentSettings {
  return { ...DEFAULT_CONSENT_SETTINGS, ...given };
}

/** When a consent that ended at `end` may be forgotten: `years` calendar years later (UTC). */
export function retainUntil(end: Date, years: number): Date {
  const d = new Date(end.getTime());
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d;
}
