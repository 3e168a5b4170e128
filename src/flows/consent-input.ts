import { createHash } from 'node:crypto';
import { EncodeError } from '../codec/encode-error.js';
import type { TelegramCodec } from '../codec/telegram-codec.js';
import { accountProblem } from '../domain/account.js';
import { ARS_CONSENT_TYPE } from '../domain/consent.js';
import { bankCodeProblem, bankName } from '../domain/bank-code.js';
import type { InstitutionProfile } from '../institution/profile.js';
import { ValidationError } from './validation-error.js';

/** A consent as an internal service asks for it (`POST /v1/consents`). */
export interface ConsentInput {
  /** The caller's id for it: the same id with the same body returns the same consent. */
  readonly requestId: string;
  /** 납부자번호: the service's number for this payer, under which collections are made. */
  readonly payerNumber: string;
  /** The payer's bank (KFTC code) and account. */
  readonly bankCode: string;
  readonly account: string;
  /** 실명번호 of the account holder: birth date (YYMMDD) or business number (10 digits). */
  readonly holderIdNo: string;
  /** The phone the ARS calls: a Korean number, hyphens allowed. */
  readonly phone: string;
}

/** The caller's name for each canonical field of the registration, to name it in errors. */
const CALLER_FIELD: Readonly<Record<string, keyof ConsentInput>> = {
  bankCode: 'bankCode',
  account: 'account',
  idNo: 'holderIdNo',
  payerNo: 'payerNumber',
};

/** A Korean phone number: 0 and an area or carrier code, then 7 or 8 digits (hyphens between groups). */
const PHONE = /^0\d{1,2}-?\d{3,4}-?\d{4}$/;

/**
 * Checks a consent request against the rules and against the registration telegram it will become (by
 * encoding a trial 2000/550 of the institution's), so that nothing the bank could not be sent reaches an
 * ARS call. The payer's bank must be the institution's contracted bank: a registration travels to the
 * bank named in the telegram's common part, which is the link's. Returns the phone as digits only.
 *
 * @throws ValidationError naming the field, as the caller wrote it.
 */
export function validateConsent(input: ConsentInput, contractedBank: string, profile: InstitutionProfile, codec: TelegramCodec): { phone: string } {
  if (!/^[\x21-\x7e]{1,128}$/.test(input.requestId)) throw new ValidationError('requestId', 'must be 1–128 printable ASCII characters');
  if (!/^[\x21-\x7e]{1,20}$/.test(input.payerNumber)) throw new ValidationError('payerNumber', 'must be 1–20 printable ASCII characters');
  const badBank = bankCodeProblem(input.bankCode);
  if (badBank) throw new ValidationError('bankCode', badBank);
  if (input.bankCode !== contractedBank) {
    throw new ValidationError('bankCode', `this institution registers payers of its contracted bank only (${contractedBank} ${bankName(contractedBank) ?? ''}`.trimEnd() + ')');
  }
  const badAccount = accountProblem(input.account);
  if (badAccount) throw new ValidationError('account', badAccount);
  const idProblem = holderIdNoProblem(input.holderIdNo);
  if (idProblem) throw new ValidationError('holderIdNo', idProblem);
  if (!PHONE.test(input.phone)) throw new ValidationError('phone', 'must be a Korean phone number, e.g. 010-1234-5678');
  try {
    const canonical = { bankCode: input.bankCode, account: input.account, action: '1', applicationDate: '2000-01-01', checkIdNo: 'Y', idNo: input.holderIdNo, payerNo: input.payerNumber, consentType: ARS_CONSENT_TYPE };
    codec.encode(profile.message('payerRegistration'), profile.toWire('payerRegistration', 'request', canonical));
  } catch (e) {
    if (!(e instanceof EncodeError) || !e.field) throw e;
    const binding = profile.binding('payerRegistration').request;
    const canonical = Object.keys(binding).find((k) => binding[k] === e.field);
    const field = (canonical && CALLER_FIELD[canonical]) ?? e.field;
    throw new ValidationError(field, e.message.replace(/^cannot encode [^:]+: /, ''));
  }
  return { phone: input.phone.replace(/-/g, '') };
}

/**
 * Why `idNo` cannot be a 실명번호 for a registration, or undefined: a birth date YYMMDD that exists, or a
 * 10-digit business number. A 13-digit resident registration number is refused on purpose: it is not
 * needed (the bank checks the birth date) and must not be collected.
 */
function holderIdNoProblem(idNo: string): string | undefined {
  if (/^\d{10}$/.test(idNo)) return undefined;
  if (!/^\d{6}$/.test(idNo)) return 'must be a birth date YYMMDD (6 digits) or a business number (10 digits)';
  const month = Number(idNo.slice(2, 4));
  const day = Number(idNo.slice(4, 6));
  // Any century: 29 February is a date in some year of every YY (2000 was a leap year, 1900 was not).
  const days = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (days === undefined || day < 1 || day > days) return 'is not a date YYMMDD';
  return undefined;
}

/**
 * The idempotency fingerprint of a consent request: SHA-256 of its non-secret fields. The id number and
 * the phone are compared opened by the store instead: hashed, a birth date is a birth date guessed.
 */
export function consentRequestHash(institution: string, input: ConsentInput): string {
  return createHash('sha256').update(JSON.stringify(['consent', institution, input.payerNumber, input.bankCode, input.account])).digest('hex');
}
