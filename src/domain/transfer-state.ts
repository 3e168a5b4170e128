/**
 * The life of a transfer.
 * - `requested`: accepted and persisted; nothing sent yet.
 * - `sending`: claimed by a worker, in the same statement that kept its telegram and 전문번호, right before
 *   the bytes go out: from here on the bank may have it.
 * - `succeeded` / `failed`: the bank said so (in its answer or to a result inquiry).
 * - `unknown`: the bank may have acted and did not say: settled only by inquiry, never by sending again.
 * - `reversed`: succeeded, then undone by a failure notice (타행이체불능통지).
 */
export type TransferState = 'requested' | 'sending' | 'succeeded' | 'failed' | 'unknown' | 'reversed';

export const TRANSFER_STATES: readonly TransferState[] = ['requested', 'sending', 'succeeded', 'failed', 'unknown', 'reversed'];

/** Every allowed move. Anything else is a bug or a race, and is refused. */
const NEXT: Readonly<Record<TransferState, readonly TransferState[]>> = {
  requested: ['sending', 'failed'],
  // back to requested only when nothing was written (the link withdrew the telegram before writing it)
  sending: ['succeeded', 'failed', 'unknown', 'requested'],
  unknown: ['succeeded', 'failed', 'reversed'],
  succeeded: ['reversed'],
  failed: [],
  reversed: [],
};

export function canMove(from: TransferState, to: TransferState): boolean {
  return NEXT[from].includes(to);
}

/** States a caller waits for: the bank's word is in (or an operator's). */
export function isFinal(s: TransferState): boolean {
  return s === 'succeeded' || s === 'failed' || s === 'reversed';
}
