/** A three-digit financial institution code ("004" 국민은행, "088" 신한은행). Leading zeros matter. */
export type BankCode = string & { readonly __brand: 'BankCode' };

const BANK_CODE = /^\d{3}$/;

export function isBankCode(s: string): s is BankCode {
  return BANK_CODE.test(s);
}
