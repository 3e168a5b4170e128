import { sleep } from './callers.js';
import type { GatewayFleet } from './fleet.js';
import type { Random } from './prng.js';

/** An event as the change feed shows it (the `Event` of the OpenAPI document). */
export interface FeedEvent {
  readonly id: string;
  readonly type: string;
  readonly service: string;
  readonly aggregate: string;
  readonly [field: string]: unknown;
}

/** One page the feed answered: asked with `after` and `limit`, it gave `events` and `next`. */
export interface FeedPage {
  readonly after: string;
  readonly limit: number;
  readonly events: readonly FeedEvent[];
  readonly next: string;
}

/**
 * A service that prefers to pull: follows `GET /v1/events` from the start through the whole run, in small
 * pages of random size, resuming from the last `next` at whichever gateway runs — across gateway and Redis
 * kills, while transfers commit at the same time. A page that does not come (the gateway was killed) is
 * asked again with the same cursor. The verdict checks the pages together returned every event once.
 */
export class FeedReader {
  readonly pages: FeedPage[] = [];
  /** Reads that got no page (refused, reset, timed out, not a 200). */
  failedReads = 0;
  private after = '0';

  constructor(
    private readonly fleet: GatewayFleet,
    private readonly key: string,
    private readonly random: Random,
  ) {}

  /** Follows the feed until `signal` aborts: reads what is there, waits a little, again. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.drain(signal);
      await sleep(this.random.int(200, 800), signal);
    }
  }

  /**
   * Reads pages until one comes back empty; true then, false when `signal` aborted first or a read
   * failed `tries` times running.
   */
  async drain(signal: AbortSignal, tries = Infinity): Promise<boolean> {
    for (let failed = 0; !signal.aborted && failed < tries; ) {
      const page = await this.read(signal);
      if (!page) {
        failed++;
        await sleep(200, signal);
      } else if (page.events.length === 0) return true;
      else failed = 0;
    }
    return false;
  }

  private async read(signal: AbortSignal): Promise<FeedPage | null> {
    const base = await this.fleet.pick(this.random, signal);
    if (!base) return null;
    const limit = this.random.int(1, 7);
    try {
      const r = await fetch(`${base}/v1/events?after=${this.after}&limit=${limit}`, {
        headers: { authorization: `Bearer ${this.key}` },
        signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]),
      });
      const body = (await r.json()) as { events?: FeedEvent[]; next?: string };
      if (r.status !== 200 || !Array.isArray(body.events) || typeof body.next !== 'string') {
        this.failedReads++;
        return null;
      }
      const page: FeedPage = { after: this.after, limit, events: body.events, next: body.next };
      this.pages.push(page);
      this.after = body.next;
      return page;
    } catch {
      this.failedReads++;
      return null;
    }
  }
}
