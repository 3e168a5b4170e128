import { maskText } from '../codec/mask.js';
import { accountProblem } from '../domain/account.js';
import { bankCodeProblem } from '../domain/bank-code.js';
import type { ResponseCodeTable } from '../codes/response-codes.js';
import type { InstitutionProfile } from '../institution/profile.js';
import type { InstitutionSettings } from './institution-settings.js';
import type { Requester } from './ports.js';
import { ValidationError } from './validation-error.js';

export interface VerificationInput {
  readonly bankCode: string;
  readonly account: string;
  /** The name the user gave; compared with the bank's holder name. */
  readonly name?: string;
  /** Birth date (YYMMDD) or business number, when the bank checks it. */
  readonly idNo?: string;
}

export interface VerificationResult {
  readonly status: 'verified' | 'mismatch' | 'found' | 'not-found' | 'unavailable';
  /** The holder's name, masked (홍**): the caller learns whether it matches, not the name. */
  readonly holderName: string | null;
  readonly responseCode: string | null;
  readonly message: string;
}

/** Names compare without spaces, full-width forms and case: "홍 길동" = "홍길동", "ＡＢＣ" = "abc". */
export function normaliseName(s: string): string {
  return s
    .normalize('NFKC')
    .replace(/[\s()（）]/g, '')
    .toLowerCase();
}

/** 계좌성명조회 (6000/100): who holds an account, and whether that is the name given. */
export class VerificationFlow {
  constructor(
    private readonly institution: Pick<InstitutionSettings, 'bankCode'>,
    private readonly profile: InstitutionProfile,
    private readonly link: Requester,
    private readonly codes: ResponseCodeTable,
  ) {}

  async verify(input: VerificationInput): Promise<VerificationResult> {
    const badBank = bankCodeProblem(input.bankCode);
    if (badBank) throw new ValidationError('bankCode', badBank);
    const badAccount = accountProblem(input.account);
    if (badAccount) throw new ValidationError('account', badAccount);
    if (input.idNo !== undefined && !/^\d{6,12}$/.test(input.idNo)) throw new ValidationError('idNo', 'must be a birth date (YYMMDD) or a business number of at most 12 digits');
    // An institution without name inquiries, or a bank it cannot express, is a typed 400 from the profile.
    const fields = this.profile.toWire('nameInquiry', 'request', { account: input.account, bankCode: input.bankCode, idNo: input.idNo ?? '' });
    const outcome = await this.link.request(this.profile.message('nameInquiry'), fields, { timeoutMs: 15_000 });
    if (outcome.status !== 'answered') return { status: 'unavailable', holderName: null, responseCode: null, message: outcome.reason };
    const meaning = this.codes.lookup(this.institution.bankCode, outcome.responseCode);
    // Only a refusal of the account itself says it is not there; a request, system or unknown error says
    // nothing about the account, and the caller may ask again.
    if (meaning.outcome !== 'success') return { status: meaning.outcome === 'rejected' ? 'not-found' : 'unavailable', holderName: null, responseCode: outcome.responseCode, message: meaning.message };
    const answer = this.profile.fromWire('nameInquiry', 'answer', outcome.response.fields);
    const holder = String(answer['holderNameLong'] ?? '') || String(answer['holderName'] ?? '');
    const masked = maskText('name', holder);
    if (input.name === undefined) return { status: 'found', holderName: masked, responseCode: outcome.responseCode, message: meaning.message };
    const same = normaliseName(holder) === normaliseName(input.name);
    return { status: same ? 'verified' : 'mismatch', holderName: masked, responseCode: outcome.responseCode, message: meaning.message };
  }
}
