/**
 * - `closed`: traffic flows; consecutive connect failures and unanswered requests are counted;
 * - `open`: nothing is written to the bank until a probe is due;
 * - `half-open`: one probe (the institution's test call) is out; business traffic still waits for it.
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerSettings {
  /** Consecutive connect failures or unanswered requests that open the breaker. */
  readonly failures: number;
  /** How long it stays open before a probe is sent. */
  readonly openMs: number;
}

export type BreakerListener = (from: BreakerState, to: BreakerState, reason: string) => void;

/**
 * The state of one institution's circuit breaker, as a plain state machine (time is passed in, so a
 * property test can drive it). Why not cockatiel or opossum: their half-open state admits whichever call
 * comes next, and here that could be a transfer — money sent to a bank that was failing a moment ago,
 * whose answer may never come. Our probe is always the institution's test call, and a business request
 * is admitted only once that call was answered. Connect failures, which happen outside any call, count
 * too; neither library has a way in for them.
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private consecutive = 0;
  private openedAt = 0;
  private readonly listeners: BreakerListener[] = [];

  constructor(
    private readonly settings: BreakerSettings,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(settings.failures) || settings.failures < 1) throw new RangeError(`breaker failures must be a positive integer, not ${settings.failures}`);
    if (!(settings.openMs >= 0)) throw new RangeError(`breaker openMs must be 0 or more, not ${settings.openMs}`);
  }

  get state(): BreakerState {
    return this.current;
  }

  /** Failures counted since the last answer (closed only). */
  get failures(): number {
    return this.consecutive;
  }

  /** Called on every state change, with the reason. */
  onChange(listener: BreakerListener): void {
    this.listeners.push(listener);
  }

  /** How long until business traffic may be tried again: 0 when closed, else until the next probe is due. */
  blockedForMs(): number {
    if (this.current === 'closed') return 0;
    if (this.current === 'half-open') return Math.min(1_000, this.settings.openMs || 1_000);
    return Math.max(this.openedAt + this.settings.openMs - this.now(), 250);
  }

  /** A request was answered (whatever its code): the bank is there. */
  answered(): void {
    if (this.current === 'closed') this.consecutive = 0;
  }

  /** A connect failure, or a request that got no answer. Counted only while closed: when open, nothing is tried. */
  failed(reason: string): void {
    if (this.current !== 'closed') return;
    if (++this.consecutive >= this.settings.failures) this.move('open', `${this.consecutive} consecutive failures, the last: ${reason}`);
  }

  /** True, and half-open, when the breaker is open and its probe is due: the caller then sends the probe. */
  beginProbe(): boolean {
    if (this.current !== 'open' || this.now() - this.openedAt < this.settings.openMs) return false;
    this.move('half-open', 'probe due');
    return true;
  }

  /** The probe's result: closes on an answered test call, opens again otherwise. */
  probeEnded(ok: boolean, reason: string): void {
    if (this.current !== 'half-open') return;
    this.move(ok ? 'closed' : 'open', reason);
  }

  private move(to: BreakerState, reason: string): void {
    const from = this.current;
    this.current = to;
    if (to === 'open') this.openedAt = this.now();
    if (to === 'closed') this.consecutive = 0;
    for (const l of this.listeners) l(from, to, reason);
  }
}
