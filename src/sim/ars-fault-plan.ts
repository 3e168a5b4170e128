import type { ArsOutcome } from '../flows/ars-port.js';
import { SimUsageError } from './sim-usage-error.js';

/**
 * What the ARS simulator can do wrong, on purpose. Each kind is armed for the next COUNT calls (or API
 * requests, for `unavailable`), or always. Kinds of different lanes combine: `declined` and
 * `callback-lost` armed together make the next call a refusal whose callback is lost.
 *
 * Outcome of the call (without one, the payer presses 1: `confirmed`, recorded):
 * - `declined`: the payer presses 2 (recorded).
 * - `hang-up`: the payer answers, then hangs up before pressing anything (`hung-up`, recorded).
 * - `wrong-input`: the payer presses wrong keys three times and the call gives up (`wrong-input`, recorded).
 * - `timeout`: nobody answers (`no-answer`, no recording).
 * - `fail`: the call cannot be placed (`failed`, no recording).
 *
 * Delivery of the result to the callbackUrl (without one, POSTed once):
 * - `callback-lost`: never POSTed; only polling finds the result.
 * - `duplicate-callback`: POSTed twice, the same body.
 *
 * The API itself:
 * - `unavailable`: the next COUNT requests to /calls and /recordings are answered 503 (the control API is not).
 */
export type ArsFaultKind = 'declined' | 'hang-up' | 'wrong-input' | 'timeout' | 'fail' | 'callback-lost' | 'duplicate-callback' | 'unavailable';

/** The outcome each outcome fault gives a call. */
export const OUTCOME_OF_FAULT = {
  declined: 'declined',
  'hang-up': 'hung-up',
  'wrong-input': 'wrong-input',
  timeout: 'no-answer',
  fail: 'failed',
} as const satisfies Record<string, ArsOutcome>;

type OutcomeFault = keyof typeof OUTCOME_OF_FAULT;
type DeliveryFault = 'callback-lost' | 'duplicate-callback';

export const ARS_FAULT_KINDS: readonly ArsFaultKind[] = ['declined', 'hang-up', 'wrong-input', 'timeout', 'fail', 'callback-lost', 'duplicate-callback', 'unavailable'];

/** How a call's result is POSTed to its callbackUrl. */
export type ArsDelivery = 'once' | 'lost' | 'twice';

interface Armed {
  readonly kind: ArsFaultKind;
  /** How many more calls (requests) it hits; Infinity for "always". */
  remaining: number;
}

/** Faults armed for the next calls, taken one lane at a time, oldest first. */
export class ArsFaultPlan {
  private armed: Armed[] = [];

  /**
   * Arms `kind` for the next `count` calls (requests, for `unavailable`).
   *
   * @throws SimUsageError for an unknown kind or a count that is not a positive integer or Infinity.
   */
  arm(kind: ArsFaultKind, count = 1): void {
    if (!ARS_FAULT_KINDS.includes(kind)) throw new SimUsageError(`ARS fault kind must be one of ${ARS_FAULT_KINDS.join(', ')}, not ${JSON.stringify(kind)}`);
    if (!(count === Infinity || (Number.isInteger(count) && count > 0))) throw new SimUsageError(`ARS fault count must be a positive integer or "always", not ${JSON.stringify(count)}`);
    this.armed.push({ kind, remaining: count });
  }

  /** The outcome of a call that starts now: the armed outcome fault's, or `confirmed`. */
  takeOutcome(): ArsOutcome {
    const kind = this.take((k): k is OutcomeFault => k in OUTCOME_OF_FAULT);
    return kind === undefined ? 'confirmed' : OUTCOME_OF_FAULT[kind];
  }

  /** How the result of a call that starts now will be POSTed. */
  takeDelivery(): ArsDelivery {
    const kind = this.take((k): k is DeliveryFault => k === 'callback-lost' || k === 'duplicate-callback');
    return kind === 'callback-lost' ? 'lost' : kind === 'duplicate-callback' ? 'twice' : 'once';
  }

  /** True when this API request is to be answered 503. */
  takeUnavailable(): boolean {
    return this.take((k): k is 'unavailable' => k === 'unavailable') !== undefined;
  }

  /** What is armed, oldest first (the control API shows it). */
  list(): readonly { readonly kind: ArsFaultKind; readonly remaining: number | 'always' }[] {
    return this.armed.map((a) => ({ kind: a.kind, remaining: a.remaining === Infinity ? 'always' : a.remaining }));
  }

  clear(): void {
    this.armed = [];
  }

  private take<K extends ArsFaultKind>(lane: (k: ArsFaultKind) => k is K): K | undefined {
    const i = this.armed.findIndex((a) => lane(a.kind));
    if (i < 0) return undefined;
    const a = this.armed[i]!;
    if (--a.remaining <= 0) this.armed.splice(i, 1);
    return a.kind as K;
  }
}

/** Parses `KIND[:COUNT]` from the command line (COUNT may be `always`); null when it is not one. */
export function parseArsFault(text: string): { kind: ArsFaultKind; count: number } | null {
  const [kind, count, extra] = text.split(':');
  if (extra !== undefined || !ARS_FAULT_KINDS.includes(kind as ArsFaultKind)) return null;
  const n = count === undefined || count === '' ? 1 : count === 'always' ? Infinity : /^\d{1,9}$/.test(count) ? Number(count) : NaN;
  if (!(n > 0)) return null;
  return { kind: kind as ArsFaultKind, count: n };
}
