/**
 * Where a payer registration stands at the simulated bank: registered by the company (2000/550 신규),
 * cancelled by the company (2000/550 해지), or cancelled by the customer at the bank (what 2000/650 tells).
 */
export type PayerState = 'registered' | 'cancelled' | 'cancelled-at-bank';

/** One payer number of one company, as the bank keeps it. */
export interface PayerRegistration {
  readonly companyId: string;
  readonly payerNo: string;
  /** The payer's bank (KFTC code) and account. */
  readonly bankCode: string;
  readonly account: string;
  /** 실명번호 as given (may be blank); the simulator never shows it outside tests. */
  readonly idNo: string;
  /** 동의자료구분 as given (may be blank). */
  readonly consentType: string;
  /** 신청일자 of the registration, YYYY-MM-DD (or blank). */
  readonly applicationDate: string;
  state: PayerState;
}

/** Why the bank refuses a registration, a cancellation or a collection (the simulator maps each to a code). */
export type PayerRefusal =
  /** Nothing registered under that payer number (or not for that account). */
  | 'not-registered'
  /** The payer number is registered to another account: 이중신청(동일납부자번호&상이계좌). */
  | 'other-account'
  /** A cancellation names another account than the one registered: 해지신청시 계좌번호 불일치. */
  | 'account-mismatch'
  /** Cancelled by the company: no collection until registered again. */
  | 'cancelled'
  /** Cancelled by the customer at the bank: no collection until registered again. */
  | 'cancelled-at-bank';

export type PayerAnswer = { readonly ok: true; readonly registration: PayerRegistration } | { readonly ok: false; readonly refusal: PayerRefusal };

/**
 * The simulated bank's registrations for collections (수납출금계좌), by company and payer number. Pure
 * bookkeeping: whether the account exists or the id number matches is the simulator's to check first.
 *
 * Repeats are idempotent, so that a request sent again after a lost answer gets the answer the first one
 * would have got: registering a payer number again for the same account answers "registered" (a real bank
 * may answer a repeat with a refusal code instead, e.g. 국민 2005 이중신청); cancelling a cancelled one for
 * the same account answers "cancelled".
 */
export class PayerRegistry {
  private readonly byKey = new Map<string, PayerRegistration>();

  private static key(companyId: string, payerNo: string): string {
    return `${companyId}|${payerNo}`;
  }

  /** Every registration the bank holds, in the order first made. */
  all(): PayerRegistration[] {
    return [...this.byKey.values()];
  }

  /** The registration of `payerNo` for `companyId`, if the bank ever had one. */
  find(companyId: string, payerNo: string): PayerRegistration | undefined {
    return this.byKey.get(PayerRegistry.key(companyId, payerNo));
  }

  /**
   * 신규: registers the payer number to the account. Refused while it is registered to another account;
   * a cancelled registration is replaced (the payer consented again).
   */
  register(r: Omit<PayerRegistration, 'state'>): PayerAnswer {
    const key = PayerRegistry.key(r.companyId, r.payerNo);
    const held = this.byKey.get(key);
    if (held?.state === 'registered') {
      return held.account === r.account && held.bankCode === r.bankCode ? { ok: true, registration: held } : { ok: false, refusal: 'other-account' };
    }
    const registration: PayerRegistration = { ...r, state: 'registered' };
    this.byKey.set(key, registration);
    return { ok: true, registration };
  }

  /** 해지 by the company: the payer number must be known, for that account. */
  cancel(companyId: string, payerNo: string, account: string): PayerAnswer {
    const held = this.byKey.get(PayerRegistry.key(companyId, payerNo));
    if (!held) return { ok: false, refusal: 'not-registered' };
    if (held.account !== account) return { ok: false, refusal: 'account-mismatch' };
    // Already cancelled (by us or at the bank): it stays as it is, and the answer is "done".
    if (held.state === 'registered') held.state = 'cancelled';
    return { ok: true, registration: held };
  }

  /** The customer cancelled at the bank (the bank then sends 2000/650). */
  cancelAtBank(companyId: string, payerNo: string): PayerRegistration | undefined {
    const held = this.byKey.get(PayerRegistry.key(companyId, payerNo));
    if (held) held.state = 'cancelled-at-bank';
    return held;
  }

  /**
   * Why a collection from `account` (at `bankCode`) under `payerNo` may not be applied; undefined when it may:
   * the payer number is registered, now, to that very account.
   */
  collectionRefusal(companyId: string, payerNo: string, bankCode: string, account: string): PayerRefusal | undefined {
    const held = this.byKey.get(PayerRegistry.key(companyId, payerNo));
    if (!held || held.account !== account || held.bankCode !== bankCode) return 'not-registered';
    if (held.state === 'cancelled') return 'cancelled';
    if (held.state === 'cancelled-at-bank') return 'cancelled-at-bank';
    return undefined;
  }
}
