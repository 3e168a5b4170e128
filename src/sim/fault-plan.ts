/**
 * What the simulator can do wrong, on purpose.
 * - `no-answer`: process the request, never answer (the answer was "lost").
 * - `no-answer-unapplied`: never answer and do not process it either.
 * - `late`: answer after `lateMs` (past the client's timeout, typically).
 * - `duplicate`: answer twice.
 * - `disconnect-mid-frame`: write half the answer, then drop the connection.
 * - `garbage`: answer with a well-framed telegram that does not decode.
 * - `bad-length`: answer with a frame whose length prefix is not digits (the client must drop the connection).
 * - `processing`: process it, answer with the bank's "processing" code.
 * - `reject`: do not process it, answer with the bank's refusal code.
 */
export type FaultKind = 'no-answer' | 'no-answer-unapplied' | 'late' | 'duplicate' | 'disconnect-mid-frame' | 'garbage' | 'bad-length' | 'processing' | 'reject';

export const FAULT_KINDS: readonly FaultKind[] = ['no-answer', 'no-answer-unapplied', 'late', 'duplicate', 'disconnect-mid-frame', 'garbage', 'bad-length', 'processing', 'reject'];

interface Armed {
  readonly kind: FaultKind;
  /** Message name it applies to; undefined for any request. */
  readonly message?: string;
  /** How many more requests it hits; Infinity for "always". */
  remaining: number;
}

/** Faults armed for the next requests, plus latency and connection refusal. */
export class FaultPlan {
  /** Added before every answer. */
  latencyMs = 0;
  /** Delay of a `late` answer. */
  lateMs = 2_000;
  /** Accept-then-close every new connection. */
  refuseConnections = false;
  private armed: Armed[] = [];

  /** Arms `kind` for the next `count` requests (of `message`, or of any request). */
  arm(kind: FaultKind, options: { message?: string; count?: number } = {}): void {
    this.armed.push({ kind, remaining: options.count ?? 1, ...(options.message ? { message: options.message } : {}) });
  }

  /** The fault for this request, if one is armed for it (used up one at a time, oldest first). */
  take(message: string): FaultKind | undefined {
    const i = this.armed.findIndex((a) => a.message === undefined || a.message === message);
    if (i < 0) return undefined;
    const a = this.armed[i]!;
    if (--a.remaining <= 0) this.armed.splice(i, 1);
    return a.kind;
  }

  clear(): void {
    this.armed = [];
    this.latencyMs = 0;
    this.refuseConnections = false;
  }
}

/** Parses `KIND[:MESSAGE][:COUNT]` from the command line (COUNT may be `always`). */
export function parseFault(text: string): { kind: FaultKind; message?: string; count: number } | null {
  const [kind, message, count] = text.split(':');
  if (!FAULT_KINDS.includes(kind as FaultKind)) return null;
  const n = count === undefined || count === '' ? 1 : count === 'always' ? Infinity : Number(count);
  if (!(n > 0)) return null;
  return { kind: kind as FaultKind, count: n, ...(message ? { message } : {}) };
}
