import type { FieldInput } from '../codec/values.js';
import { silentLogger, type Logger } from '../log/logger.js';
import type { RequestOptions } from './bank-link.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import type { LinkOutcome } from './exchange.js';

/** What a guarded link sends requests through (a LinkPool or a BankLink). */
export interface RawRequester {
  request(message: string, fields?: Readonly<Record<string, FieldInput>>, options?: RequestOptions): Promise<LinkOutcome>;
}

/** Why the link takes no business traffic now, and when to try again. */
export interface LinkBlock {
  readonly reason: string;
  readonly retryInMs: number;
}

export interface ProbeSettings {
  /** The institution's test call (or, lacking one, its open telegram): never a business request. */
  readonly message: string;
  /** Response codes that count as an answered probe. */
  readonly successCodes: readonly string[];
  readonly timeoutMs: number;
  /** How often to look whether a probe is due. Default 250 ms. */
  readonly tickMs?: number;
}

/**
 * A link behind a circuit breaker. While the breaker is not closed, requests end `not-sent` (cause
 * `breaker`) without touching the socket, and {@link blockedFor} tells flows to wait rather than try;
 * once the open time has passed, the test call goes out alone and its answer closes the breaker.
 * Counted as failures: connect failures (the gateway forwards the link's) and requests that got no
 * answer or found no ready link. Not counted: a request not sent because keeping it failed first.
 */
export class GuardedLink {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly link: RawRequester,
    readonly breaker: CircuitBreaker,
    private readonly probe: ProbeSettings,
    private readonly log: Logger = silentLogger,
  ) {}

  /** Starts looking for due probes. */
  start(): this {
    this.timer ??= setInterval(() => void this.probeIfDue(), this.probe.tickMs ?? 250);
    this.timer.unref();
    return this;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Null when business traffic may go now; otherwise why not and when to look again. */
  blockedFor(): LinkBlock | null {
    const ms = this.breaker.blockedForMs();
    return ms === 0 ? null : { reason: `circuit breaker ${this.breaker.state}`, retryInMs: ms };
  }

  async request(message: string, fields: Readonly<Record<string, FieldInput>> = {}, options: RequestOptions = {}): Promise<LinkOutcome> {
    const block = this.blockedFor();
    if (block) return { status: 'not-sent', reason: `${block.reason}: nothing written`, cause: 'breaker' };
    const outcome = await this.link.request(message, fields, options);
    this.count(outcome);
    return outcome;
  }

  private count(outcome: LinkOutcome): void {
    if (outcome.status === 'answered') this.breaker.answered();
    else if (outcome.status === 'unknown' || (outcome.cause ?? 'link') === 'link') this.breaker.failed(outcome.reason);
  }

  /** Sends the probe when one is due; its answer (with a success code) closes the breaker. */
  async probeIfDue(): Promise<void> {
    if (!this.breaker.beginProbe()) return;
    let ok = false;
    let reason: string;
    try {
      const outcome = await this.link.request(this.probe.message, {}, { timeoutMs: this.probe.timeoutMs });
      ok = outcome.status === 'answered' && this.probe.successCodes.includes(outcome.responseCode);
      reason = outcome.status === 'answered' ? `test call answered ${outcome.responseCode}` : `test call ${outcome.status}: ${outcome.reason}`;
    } catch (e) {
      reason = `test call could not be sent: ${(e as Error).message}`;
    }
    this.log.info('link.breaker-probe', { message: this.probe.message, ok, reason });
    this.breaker.probeEnded(ok, reason);
  }
}
