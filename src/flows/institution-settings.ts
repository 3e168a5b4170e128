/** What flows need to know of one institution as configured (the configuration adapter provides it). */
export interface InstitutionSettings {
  /** The profile's institution id; stored on every row. */
  readonly id: string;
  /** The contracted bank, as a KFTC code (the profile maps it for the wire). */
  readonly bankCode: string;
  /** 업체번호 at the institution. */
  readonly companyId: string;
  /** Our parent account (모계좌) transfers are paid from. */
  readonly withdrawAccount: string;
  readonly requestTimeoutMs: number;
  /** First result inquiry after an unknown outcome, then the same again. */
  readonly inquiryDelayMs: number;
  readonly inquiryMaxAttempts: number;
  /** Refuse transfers outside the receiving bank's hours (always, against a real bank). */
  readonly enforceHours: boolean;
  /** While the link's breaker is open, new transfers wait as `requested` (default) or are refused (503). */
  readonly breaker?: { readonly whileOpen: 'wait' | 'refuse' };
}
