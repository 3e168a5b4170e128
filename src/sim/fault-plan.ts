import { SimUsageError } from './sim-usage-error.js';

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
 * - `reject`: do not process it, answer with the bank's refusal code (잔액부족: a refusal of the transaction).
 *   To a result inquiry: the header carries the refusal of the transfer asked about, with a blank 처리결과
 *   (spec 4-1) — only for a transfer the bank refused; about any other it answers as usual.
 * - `request-error`: do not process it, answer with an error of the request (format error) and a blank
 *   individual part. To a result inquiry this says nothing about the transfer asked about.
 * - `system-error`: process it, then answer with a system-failure code (장애) and a blank individual part:
 *   a bank that failed after applying the transfer. Only an inquiry can tell what happened.
 * - `blank-result`: process it, answer with the code the processing gave and a blank individual part (a
 *   result inquiry's 처리결과 left blank: it proves nothing either way).
 */
export type FaultKind =
  | 'no-answer'
  | 'no-answer-unapplied'
  | 'late'
  | 'duplicate'
  | 'disconnect-mid-frame'
  | 'garbage'
  | 'bad-length'
  | 'processing'
  | 'reject'
  | 'request-error'
  | 'system-error'
  | 'blank-result';

export const FAULT_KINDS: readonly FaultKind[] = [
  'no-answer',
  'no-answer-unapplied',
  'late',
  'duplicate',
  'disconnect-mid-frame',
  'garbage',
  'bad-length',
  'processing',
  'reject',
  'request-error',
  'system-error',
  'blank-result',
];

interface Armed {
  readonly kind: FaultKind;
  /** Message name it applies to; undefined for any request. */
  readonly message?: string;
  /** How many more requests it hits; Infinity for "always". */
  remaining: number;
  /** The response code to answer with, instead of the kind's default (request-error, system-error, reject). */
  readonly code?: string;
}

/** A fault taken for one request. */
export type TakenFault = Pick<Armed, 'kind' | 'code'>;

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
  arm(kind: FaultKind, options: { message?: string; count?: number; code?: string } = {}): void {
    const count = options.count ?? 1;
    if (!FAULT_KINDS.includes(kind)) throw new SimUsageError(`fault kind must be one of ${FAULT_KINDS.join(', ')}, not ${JSON.stringify(kind)}`);
    if (!(count === Infinity || (Number.isInteger(count) && count > 0))) throw new SimUsageError(`fault count must be a positive integer or "always", not ${JSON.stringify(options.count)}`);
    if (options.code !== undefined && (typeof options.code !== 'string' || !/^[\x21-\x7e]{1,8}$/.test(options.code))) throw new SimUsageError(`fault code must be 1–8 printable ASCII characters, not ${JSON.stringify(options.code)}`);
    this.armed.push({ kind, remaining: count, ...(options.message ? { message: options.message } : {}), ...(options.code ? { code: options.code } : {}) });
  }

  /** The fault for this request, if one is armed for it (used up one at a time, oldest first). */
  take(message: string): TakenFault | undefined {
    const i = this.armed.findIndex((a) => a.message === undefined || a.message === message);
    if (i < 0) return undefined;
    const a = this.armed[i]!;
    if (--a.remaining <= 0) this.armed.splice(i, 1);
    return a;
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
  const n = count === undefined || count === '' ? 1 : count === 'always' ? Infinity : /^\d{1,9}$/.test(count) ? Number(count) : NaN;
  if (!(n > 0)) return null;
  return { kind: kind as FaultKind, count: n, ...(message ? { message } : {}) };
}
