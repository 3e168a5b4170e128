import { TtlLru } from './ttl-lru.js';

export interface AuthFailureLimits {
  /** Failed authentications allowed per client address and window… */
  readonly maxFailures: number;
  /** …of this many milliseconds (a fixed window, opened by the first failure). */
  readonly windowMs: number;
  /** Client addresses tracked at most; the least recently seen is forgotten first. */
  readonly maxClients: number;
}

export const DEFAULT_AUTH_FAILURE_LIMITS: AuthFailureLimits = { maxFailures: 20, windowMs: 10_000, maxClients: 10_000 };

/**
 * Counts failed authentications per client address. Once an address has failed `maxFailures` times in a
 * window it is refused until the window ends, whatever key it presents then: a client guessing keys is
 * stopped before any lookup, and a client being limited cannot use a good key to prove otherwise (it
 * would have to be the guesser's own). Memory is bounded by `maxClients`.
 */
export class AuthFailureLimiter {
  private readonly windows: TtlLru<string, { failures: number; until: number }>;

  constructor(private readonly limits: AuthFailureLimits = DEFAULT_AUTH_FAILURE_LIMITS) {
    this.windows = new TtlLru(limits.maxClients);
  }

  /** Seconds `client` must wait before trying again, or 0 when it may try now. */
  retryAfterSeconds(client: string, now = Date.now()): number {
    const w = this.windows.get(client, now);
    return w && w.failures >= this.limits.maxFailures ? Math.max(1, Math.ceil((w.until - now) / 1000)) : 0;
  }

  /** Counts one failed authentication from `client`. */
  fail(client: string, now = Date.now()): void {
    const w = this.windows.get(client, now);
    if (w) w.failures++;
    else this.windows.set(client, { failures: 1, until: now + this.limits.windowMs }, this.limits.windowMs, now);
  }

  /** Addresses tracked now (bounded by `maxClients`). */
  get trackedClients(): number {
    return this.windows.size;
  }
}
