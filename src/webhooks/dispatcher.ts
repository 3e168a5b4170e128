import { eventDocument, type ServiceEvent } from '../domain/events.js';
import type { EventStore } from '../ledger/event-store.js';
import type { ClaimedDelivery, WebhookStore } from '../ledger/webhook-store.js';
import type { Logger } from '../log/logger.js';
import type { WebhookQueue } from '../queue/webhook-queue.js';
import { isDeadLetter, nextAttemptDelayMs } from './backoff.js';
import { deliverWebhook } from './deliver.js';
import { EndpointDnsError } from './endpoint-dns-error.js';
import { EndpointUrlError } from './endpoint-url-error.js';
import { checkEndpointUrl, resolveDeliveryAddress, type HostLookup } from './endpoint-url.js';
import { SIGNATURE_HEADER, signPayload } from './signature.js';

/** The idempotency key: the same in every attempt of an event, to every endpoint. */
export const EVENT_ID_HEADER = 'Firmbank-Event-Id';
export const EVENT_TYPE_HEADER = 'Firmbank-Event-Type';
/** 1 for the first attempt of a delivery, 2 for the first retry, … */
export const DELIVERY_ATTEMPT_HEADER = 'Firmbank-Delivery-Attempt';

/** Attempts of one endpoint under way at once, across processes, by default. */
export const DEFAULT_MAX_IN_FLIGHT_PER_ENDPOINT = 8;

/** Due deliveries queued per tick, at most. */
const DUE_PER_TICK = 500;

export interface WebhookDispatcherOptions {
  readonly store: WebhookStore;
  readonly events: Pick<EventStore, 'sequence'>;
  readonly queue: Pick<WebhookQueue, 'enqueue'>;
  /** Deliver to private and loopback addresses too: tests and local development only. */
  readonly allowPrivate: boolean;
  /** Each of resolving the host and the whole POST (connect, TLS, answer) must fit in this time. */
  readonly timeoutMs: number;
  /** More response body than this is a failed attempt. */
  readonly maxResponseBytes: number;
  readonly logger: Logger;
  readonly now?: () => Date;
  readonly lookup?: HostLookup;
  readonly userAgent?: string;
  /** Certificates to trust for https instead of the system's (tests, a private CA). */
  readonly ca?: string | Buffer;
  /** The wait after failed attempt number n (default `nextAttemptDelayMs`: 10 s doubling to 1 h, jittered). */
  readonly retryDelayMs?: (attempt: number) => number;
  /** Attempts of one endpoint under way at once, across processes (default {@link DEFAULT_MAX_IN_FLIGHT_PER_ENDPOINT}). */
  readonly maxInFlightPerEndpoint?: number;
}

/** How an attempt went, from the POST or from what kept it from being made. */
interface Outcome {
  readonly ok: boolean;
  readonly status: number | null;
  readonly retryable: boolean;
  readonly error: string | null;
  readonly ms: number;
}

/** The body POSTed for an event: the same bytes at every attempt, and what the change feed shows. */
export function webhookBody(e: ServiceEvent): string {
  return JSON.stringify(eventDocument(e));
}

/**
 * Delivers the events to the services' webhook endpoints, at least once each, in order per aggregate.
 * Every gateway process runs one; they share the work through the database (claims) and one BullMQ queue.
 *
 * - {@link tick} (every 250 ms or so, in each process) numbers committed events, fans them out into
 *   deliveries, and queues every delivery that may be attempted now: new ones, retries that are due, and
 *   any whose job was lost (the job id makes a second queueing a no-op).
 * - {@link attempt} (the queue's job) claims the delivery, checks the endpoint's URL and resolves its host
 *   again (private ranges refused unless `allowPrivate`), POSTs the signed event, and keeps the outcome:
 *   delivered (and the lane's next delivery queued at once), or retried after a backoff, until 24 hours
 *   of failures dead-letter it. Every failure is retried, a 4xx too (`deliverWebhook` calls those not
 *   retryable): a receiver that answers 401 or 404 for a while (a deploy, a misconfigured secret) gets
 *   its events once it is fixed, without an operator, and a dead letter blocks its lane.
 *
 * Order per aggregate: a delivery is attempted only once every earlier delivery of the same endpoint and
 * aggregate is delivered. A dead delivery therefore holds back its lane's later events (a transfer's
 * `reversed` never reaches a service that has not had its `succeeded`) until an operator redelivers it
 * (`WebhookStore.redeliver`); the lane then drains in order.
 *
 * A slow endpoint holds at most `maxInFlightPerEndpoint` attempts at once, each for at most twice
 * `timeoutMs`; the others' deliveries go on beside it.
 */
export class WebhookDispatcher {
  private readonly store: WebhookStore;
  private readonly now: () => Date;
  private readonly retryDelayMs: (attempt: number) => number;
  private readonly perEndpoint: number;
  /** A claim outlives the longest attempt (resolving, then posting) by a margin, then runs out. */
  private readonly claimMs: number;
  private ticking: Promise<void> | null = null;

  constructor(private readonly opts: WebhookDispatcherOptions) {
    if (!(opts.timeoutMs > 0)) throw new RangeError(`WebhookDispatcher: timeoutMs must be positive, got ${opts.timeoutMs}`);
    this.store = opts.store;
    this.now = opts.now ?? (() => new Date());
    this.retryDelayMs = opts.retryDelayMs ?? ((attempt) => nextAttemptDelayMs(attempt));
    this.perEndpoint = Math.max(1, Math.floor(opts.maxInFlightPerEndpoint ?? DEFAULT_MAX_IN_FLIGHT_PER_ENDPOINT));
    this.claimMs = 2 * opts.timeoutMs + 30_000;
  }

  /**
   * Numbers committed events, fans them out to the endpoints, queues what may be attempted now. A call
   * made while one is running shares it. Rejects on a database or Redis failure (the caller logs it and
   * ticks again: everything done so far is kept, nothing is done twice).
   */
  tick(): Promise<void> {
    this.ticking ??= this.runTick().finally(() => {
      this.ticking = null;
    });
    return this.ticking;
  }

  private async runTick(): Promise<void> {
    await this.opts.events.sequence();
    await this.store.fanOut(this.now());
    const now = this.now();
    const due = await this.store.due(now, DUE_PER_TICK, this.perEndpoint);
    await Promise.all(due.map((d) => this.opts.queue.enqueue(d.id, d.attempts + 1, d.nextAt.getTime() - now.getTime())));
  }

  /**
   * One attempt of a delivery (the queue's job). Does nothing when the delivery may not be attempted now
   * (delivered, dead, not due, claimed by another process, behind an undelivered one of its lane, its
   * endpoint disabled or busy). Never throws for anything the endpoint does; rejects only when the
   * database or Redis fails, and then the claim runs out and a later tick queues the delivery again.
   */
  async attempt(deliveryId: number): Promise<void> {
    const claimed = await this.store.claim(deliveryId, this.now(), this.claimMs, this.perEndpoint);
    if (!claimed) return;
    let outcome: Outcome;
    let event: ServiceEvent | null = null;
    const started = Date.now();
    try {
      const target = await this.store.target(claimed, this.now());
      event = target?.event ?? null;
      outcome = target ? await this.post(claimed, target.url, target.secrets, target.event) : fault('the endpoint or the event is gone', started);
    } catch (e) {
      outcome = fault(e instanceof EndpointUrlError || e instanceof EndpointDnsError ? e.message : `the attempt failed: ${String(e)}`, started);
    }
    await this.settle(claimed, event, outcome);
  }

  private async post(claimed: ClaimedDelivery, href: string, secrets: readonly string[], event: ServiceEvent): Promise<Outcome> {
    const { allowPrivate, timeoutMs } = this.opts;
    // Checked again at each attempt: the rules may have changed since the endpoint was registered, and
    // what the name resolves to may have too (the address is pinned for the connection: DNS rebinding).
    const url = checkEndpointUrl(href, { allowPrivate });
    const address = await resolveDeliveryAddress(url, { allowPrivate, timeoutMs, ...(this.opts.lookup ? { lookup: this.opts.lookup } : {}) });
    const body = webhookBody(event);
    const headers: Record<string, string> = {
      [SIGNATURE_HEADER]: signPayload(secrets, body, this.now()),
      [EVENT_ID_HEADER]: event.id,
      [EVENT_TYPE_HEADER]: event.type,
      [DELIVERY_ATTEMPT_HEADER]: String(claimed.attempts + 1),
      ...(this.opts.userAgent ? { 'user-agent': this.opts.userAgent } : {}),
    };
    return deliverWebhook({ url, address, body, headers, timeoutMs, maxResponseBytes: this.opts.maxResponseBytes, ...(this.opts.ca !== undefined ? { ca: this.opts.ca } : {}) });
  }

  /** Keeps the outcome (if the claim is still this attempt's), logs it, and queues what comes next. */
  private async settle(claimed: ClaimedDelivery, event: ServiceEvent | null, outcome: Outcome): Promise<void> {
    const { logger, queue } = this.opts;
    const now = this.now();
    const attempt = claimed.attempts + 1;
    // Ids and figures only: never a secret, a body, or the URL (its path or query may hold a receiver's token).
    const details = { delivery: claimed.id, endpoint: claimed.endpointId, eventId: event?.id ?? `evt_${claimed.eventId}`, type: event?.type ?? null, attempt, status: outcome.status, ms: outcome.ms };
    if (outcome.ok) {
      if (!(await this.store.delivered(claimed, outcome.status, now))) return this.lost(details);
      logger.info('webhook.delivered', details);
      // The lane's next event waited for this one: it goes now.
      const next = await this.store.laneHead(claimed.endpointId, claimed.aggregate);
      if (next) await queue.enqueue(next.id, next.attempts + 1, next.nextAt.getTime() - now.getTime());
    } else {
      const delay = Math.max(0, Math.round(this.retryDelayMs(attempt)));
      const nextAt = new Date(now.getTime() + delay);
      // Judged at the time the next attempt would run: none is scheduled past the 24 hours.
      const dead = isDeadLetter(claimed.firstAt, nextAt);
      // deliverWebhook says a 4xx is "not retried"; here it is (see above).
      const error = (outcome.error ?? `HTTP ${outcome.status ?? '?'}`).replace('; not retried', '');
      if (!(await this.store.failed(claimed, { status: outcome.status, error, nextAt, dead }))) return this.lost(details);
      if (dead) {
        logger.error('webhook.dead', { ...details, error, firstAt: claimed.firstAt.toISOString() });
      } else {
        logger.warn('webhook.failed', { ...details, error, retryInMs: delay });
        await queue.enqueue(claimed.id, attempt + 1, delay);
      }
    }
    // This attempt's place at the endpoint is free: give it to the endpoint's next due delivery.
    for (const d of await this.store.due(now, this.perEndpoint, this.perEndpoint, claimed.endpointId)) {
      await queue.enqueue(d.id, d.attempts + 1, d.nextAt.getTime() - now.getTime());
    }
  }

  /** The claim ran out during the attempt and another process took the delivery: its outcome counts. */
  private lost(details: Record<string, unknown>): void {
    this.opts.logger.warn('webhook.claim-lost', details);
  }
}

function fault(error: string, started: number): Outcome {
  return { ok: false, status: null, retryable: true, error, ms: Date.now() - started };
}
