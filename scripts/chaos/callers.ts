import type { GatewayFleet } from './fleet.js';
import type { PlannedTransfer, TransferBody } from './plan.js';
import type { Random } from './prng.js';

/** An answer of the API that a valid request should never get. */
export interface UnexpectedAnswer {
  readonly requestId: string;
  readonly status: number;
  readonly code: string;
  readonly detail: string;
}

/** What the callers saw: the verdict checks it against the ledger. */
export interface ApiRecord {
  /** Transfer ids the API answered, per requestId (one each, if idempotency holds). */
  readonly answered: Map<string, Set<string>>;
  /** Statuses of the calls that reused a requestId with another body (each must be 409). */
  readonly conflicts: { requestId: string; status: number }[];
  readonly unexpected: UnexpectedAnswer[];
  /** Planned transfers never acknowledged before the run stopped. */
  readonly unanswered: string[];
  calls: number;
  /** Calls that got no usable answer (connection refused or reset, timeout, 5xx) and were made again. */
  retries: number;
  serverErrors: number;
  repeats: number;
  races: number;
}

export function emptyApiRecord(): ApiRecord {
  return { answered: new Map(), conflicts: [], unexpected: [], unanswered: [], calls: 0, retries: 0, serverErrors: 0, repeats: 0, races: 0 };
}

/**
 * Internal services calling POST /v1/transfers: `concurrency` callers, transfers started at most `rate`
 * a second. A call without a usable answer (the gateway was killed, Redis is away, a timeout) is made
 * again with the same requestId, as a careful client does: idempotency makes that safe, and the run
 * checks that it is.
 */
export class Callers {
  readonly record = emptyApiRecord();

  constructor(
    private readonly fleet: GatewayFleet,
    private readonly key: string,
    private readonly random: Random,
  ) {}

  async run(plan: readonly PlannedTransfer[], concurrency: number, rate: number, signal: AbortSignal): Promise<void> {
    const t0 = Date.now();
    let next = 0;
    const worker = async () => {
      while (next < plan.length && !signal.aborted) {
        const i = next++;
        const wait = t0 + (i * 1000) / rate - Date.now();
        if (wait > 0) await sleep(wait, signal);
        await this.one(plan[i]!, signal);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    for (const p of plan) if (!this.record.answered.has(p.body.requestId)) this.record.unanswered.push(p.body.requestId);
  }

  private async one(p: PlannedTransfer, signal: AbortSignal): Promise<void> {
    const first = p.repeat === 'race' ? Promise.all([this.submit(p.body, 0, signal), this.submit(p.body, 0, signal)]) : this.submit(p.body, p.waitS, signal);
    if (p.repeat === 'race') this.record.races++;
    await first;
    if (!this.record.answered.has(p.body.requestId)) return; // refused or stopped: nothing to repeat
    if (p.repeat === 'again') {
      this.record.repeats++;
      await this.submit(p.body, this.random.chance(0.5) ? 1 : 0, signal);
    }
    if (p.conflict) {
      const status = await this.submit({ ...p.body, amount: String(Number(p.body.amount) + 1) }, 0, signal, true);
      if (status !== null) this.record.conflicts.push({ requestId: p.body.requestId, status });
    }
  }

  /**
   * One request, made again until the API answers it; records the transfer id it names. Returns the final
   * status (null if the run stopped first).
   */
  private async submit(body: TransferBody, waitS: number, signal: AbortSignal, conflicting = false): Promise<number | null> {
    for (let attempt = 0; !signal.aborted; attempt++) {
      const base = await this.fleet.pick(this.random, signal);
      if (!base) return null;
      this.record.calls++;
      let status: number;
      let answer: Record<string, unknown>;
      try {
        const r = await fetch(`${base}/v1/transfers`, {
          method: 'POST',
          headers: { authorization: `Bearer ${this.key}`, 'content-type': 'application/json', ...(waitS > 0 ? { prefer: `wait=${waitS}` } : {}) },
          body: JSON.stringify(body),
          signal: AbortSignal.any([signal, AbortSignal.timeout((waitS + 10) * 1000)]),
        });
        status = r.status;
        answer = (await r.json()) as Record<string, unknown>;
      } catch {
        status = 0; // refused, reset, timed out: the gateway may or may not have it
        answer = {};
      }
      if (status === 200 || status === 201 || status === 202) {
        if (conflicting) this.unexpected(body, status, { code: 'accepted', detail: 'another body under a used requestId was accepted' });
        const ids = this.record.answered.get(body.requestId) ?? new Set<string>();
        ids.add(String(answer['id']));
        this.record.answered.set(body.requestId, ids);
        return status;
      }
      if (status >= 400 && status < 500) {
        if (!(conflicting && status === 409)) this.unexpected(body, status, answer);
        return status;
      }
      if (status >= 500) this.record.serverErrors++;
      this.record.retries++;
      await sleep(Math.min(2_000, 50 * 2 ** Math.min(attempt, 5)) + this.random.int(0, 100), signal);
    }
    return null;
  }

  private unexpected(body: TransferBody, status: number, answer: Record<string, unknown>): void {
    this.record.unexpected.push({ requestId: body.requestId, status, code: String(answer['code'] ?? ''), detail: String(answer['detail'] ?? '') });
  }
}

/** Waits `ms`, or less if `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
