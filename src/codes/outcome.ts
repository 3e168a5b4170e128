/**
 * What a bank's response code means for money, whatever the bank.
 * - `success`: done.
 * - `processing`: the bank is still working on it; ask again later (7000/100).
 * - `unknown`: the money may or may not have moved (time-out, no answer): never resend, ask.
 * - `no-such-transaction`: the bank has no record of it (NREC and friends).
 * - `rejected`: refused; nothing moved.
 */
export type Outcome = 'success' | 'processing' | 'unknown' | 'no-such-transaction' | 'rejected';

export const OUTCOMES: readonly Outcome[] = ['success', 'processing', 'unknown', 'no-such-transaction', 'rejected'];
