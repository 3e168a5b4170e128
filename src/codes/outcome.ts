/**
 * What a bank's response code means for money, whatever the bank — as the answer to the request it
 * answers, and only that request.
 * - `success`: done.
 * - `processing`: the bank is still working on it; ask again later (7000/100).
 * - `unknown`: the money may or may not have moved (time-out, no answer, a system or line failure, any
 *   wording that is not a clear refusal): never resend, ask.
 * - `no-such-transaction`: the bank has no record of it (NREC and friends).
 * - `rejected`: the transaction was refused for what it is (account, funds, limits, holder, legal
 *   restrictions): nothing moved. In the header of a result inquiry it is the original transfer's refusal.
 * - `request-error`: this request could not be taken as sent (format, company number, message type,
 *   hours, too early): nothing it asked for was done, and it says nothing about any other transaction —
 *   so in the header of a result inquiry it never settles the transfer asked about.
 */
export type Outcome = 'success' | 'processing' | 'unknown' | 'no-such-transaction' | 'rejected' | 'request-error';

export const OUTCOMES: readonly Outcome[] = ['success', 'processing', 'unknown', 'no-such-transaction', 'rejected', 'request-error'];
