import type { ResponseCodeTable } from '../codes/response-codes.js';

/** What a bank's answer to a 2000/550 says, for the consent it was sent for. */
export type RegistrationReading =
  /** Done: registered (신규) or cancelled (해지). */
  | { readonly kind: 'yes'; readonly code: string; readonly message: string }
  /** Refused, with the bank's reason (불능코드, or the header's code when the body says none). */
  | { readonly kind: 'no'; readonly code: string; readonly message: string }
  /** No word on it (processing, a system error, a success code without 처리여부): ask again. */
  | { readonly kind: 'unknown'; readonly code: string; readonly message: string };

/**
 * The wording of a refusal that, answering a registration we sent before without hearing back, means
 * "already registered" (국민·농협 2005 이중신청(동일납부자번호&동일계좌), 외환 A001 이미 등록상태입니다): our
 * first telegram got through. Never one that names another account (2015 …&상이계좌).
 */
const ALREADY_REGISTERED = /이중신청|기등록|이미\s*등록/;
const OTHER_ACCOUNT = /상이/;

/**
 * Reads the answer to a 2000/550 (spec 2-3, and the sides taken in specs/hecto.yaml): done only when the
 * header's code is a success AND 처리여부 is "Y"; 처리여부 "N" is a refusal whatever the header says (the
 * bank names its reason in 불능코드); a refusal in the header with a blank body is a refusal too; anything
 * else says nothing and is asked again. `repeat`: the same registration was sent before and its answer
 * never came; then an "already registered" refusal means our first one got through.
 *
 * @param bank the payer's bank, whose code table names the 불능코드.
 */
export function readRegistrationAnswer(
  codes: ResponseCodeTable,
  successCodes: readonly string[],
  bank: string,
  responseCode: string,
  answer: { readonly processed?: unknown; readonly errorCode?: unknown },
  repeat: boolean,
): RegistrationReading {
  const header = codes.lookup(bank, responseCode);
  const headerOk = successCodes.includes(responseCode) || header.outcome === 'success';
  const processed = String(answer.processed ?? '').trim();
  const errorCode = String(answer.errorCode ?? '').trim();
  if (headerOk && processed === 'Y') return { kind: 'yes', code: header.code, message: header.message };
  const refusal = processed === 'N' || (processed === '' && (header.outcome === 'rejected' || header.outcome === 'request-error'));
  if (!refusal) return { kind: 'unknown', code: header.code, message: `${header.message} (처리여부 ${processed === '' ? 'blank' : JSON.stringify(processed)})` };
  const code = errorCode !== '' ? errorCode : header.code;
  const meaning = codes.lookup(bank, code);
  if (repeat && ALREADY_REGISTERED.test(meaning.message) && !OTHER_ACCOUNT.test(meaning.message)) return { kind: 'yes', code: meaning.code, message: `${meaning.message}: registered by the earlier telegram` };
  return { kind: 'no', code: meaning.code, message: meaning.message };
}
