import type { ResponseCodeTable, ResponseMeaning } from '../codes/response-codes.js';

/**
 * What a result inquiry's answer (Hecto 7100/100) says about the transfer asked about: the meaning to
 * settle it by, or — as a string — why it says nothing, so the transfer stays unknown and is asked again.
 *
 * A response code is read only for what it answers. The header's code answers the inquiry: when the
 * inquiry went through, 처리결과 is the transfer's own result, and a blank 처리결과 proves nothing either
 * way. When it did not, the header speaks for the transfer only if it refuses the transaction itself
 * (spec 4-1: a bank may put the transfer's refusal there and leave 처리결과 blank; SC bank relies on it) or
 * says the bank has no record of it. A format, company, system or line error, a time-out, "too early", or a
 * code no table lists is about the inquiry.
 */
export function readInquiryAnswer(codes: ResponseCodeTable, successCodes: readonly string[], bankCode: string, headerCode: string, result: string): ResponseMeaning | string {
  const outcome = result.trim();
  if (successCodes.includes(headerCode)) {
    return outcome === '' ? `answered ${headerCode} with a blank 처리결과, which proves nothing` : codes.lookup(bankCode, outcome);
  }
  const header = codes.lookup(bankCode, headerCode);
  if (header.outcome === 'rejected' || header.outcome === 'no-such-transaction') return header;
  return `the inquiry itself was not answered: ${headerCode.trimEnd() || '(blank)'} ${header.message} (${header.outcome})`;
}
