import { verifySignature } from '../../src/webhooks/signature.js';
import type { FeedPage } from './feed-reader.js';
import type { StoredDelivery, StoredEvent } from './ledger-reader.js';
import type { Violation } from './verdict.js';
import { isSuccess, type Receipt } from './webhook-receiver.js';

/** What the run saw of its webhook endpoint. */
export interface WebhookEvidence {
  /** The event types the endpoint was registered for. */
  readonly types: readonly string[];
  /** Every request the receiver got, in the order it answered them. */
  readonly receipts: readonly Receipt[];
  /** The endpoint's secret, from the registration's answer. */
  readonly secret: string;
  /** The path of the registered URL: deliveries go there and nowhere else. */
  readonly path: string;
  /** The dispatcher's deliveries, after the run waited for none to be pending. */
  readonly deliveries: readonly StoredDelivery[];
}

/** What the run read of the change feed: its pages, in the order read (each after the one before). */
export interface FeedEvidence {
  readonly pages: readonly FeedPage[];
}

/** The service's events and how they reached it, by webhook and by the feed. */
export interface EventsEvidence {
  readonly service: string;
  /** Every event of the service, in position order (the endpoint was registered before any existed). */
  readonly events: readonly StoredEvent[];
  readonly webhooks: WebhookEvidence;
  readonly feed: FeedEvidence;
}

/** Every promise of the events to a service (webhooks and feed), judged together. */
export function judgeEvents(e: EventsEvidence): Violation[] {
  return [...judgeWebhooks(e.events, e.webhooks, feedDocuments(e.feed.pages)), ...judgeFeed(e.service, e.events, e.feed)];
}

// The webhook contract, as the README documents it to services (not the dispatcher's constants: a rename
// there must show here).
const EVENT_ID = 'firmbank-event-id';
const EVENT_TYPE = 'firmbank-event-type';
const SIGNATURE = 'firmbank-signature';

/** The transfer an aggregate is about, for the evidence; none for other aggregates. */
function about(aggregate: string | undefined): { transferId?: string } {
  return aggregate?.startsWith('transfer:') ? { transferId: aggregate.slice('transfer:'.length) } : {};
}

/**
 * The webhook promise, from the receiver's side:
 * - every event was delivered in the end: no dead letter, nothing pending, nothing never fanned out;
 * - every event was received whole at least once;
 * - every request read whole is a POST to the endpoint's path, signed with the endpoint's secret
 *   (verified at the time it was received), names an event of ours with its type, and carries that
 *   event's document — the change feed's, byte for byte after parsing (`feedDocs`, by id, when given);
 * - per aggregate, the order of first successful receipt (the receiver answered 2xx) follows the events'
 *   positions: a transfer's `reversed` never reached the service before its `succeeded`;
 * - what the dispatcher marked delivered the receiver did answer 2xx.
 * Requests cut off before their body was read (a dropped connection) are not judged: they may be partial.
 */
export function judgeWebhooks(serviceEvents: readonly StoredEvent[], w: WebhookEvidence, feedDocs?: ReadonlyMap<string, string>): Violation[] {
  const out: Violation[] = [];
  const events = serviceEvents.filter((e) => w.types.includes(e.type));
  const byId = new Map(events.map((e) => [e.id, e]));
  const v = (detail: string, aggregate?: string) => out.push({ kind: 'webhook', ...about(aggregate), detail });

  const deliveryOf = new Map<string, StoredDelivery>();
  for (const d of w.deliveries) {
    const e = byId.get(d.eventId);
    if (!e) v(`a delivery of ${d.eventId}, which is not an event of the endpoint's service and types`);
    else if (deliveryOf.has(d.eventId)) v(`${d.eventId} has more than one delivery to the endpoint`, e.aggregate);
    deliveryOf.set(d.eventId, d);
    const why = `${d.attempts} attempts${d.lastError ? `, last: ${d.lastError}` : ''}`;
    if (d.status === 'dead') v(`${d.eventId} (${e?.type ?? '?'}) was dead-lettered (${why})`, e?.aggregate);
    else if (d.status !== 'delivered') v(`${d.eventId} (${e?.type ?? '?'}) was still ${d.status} at the end of the run (${why})`, e?.aggregate);
  }
  for (const e of events) if (!deliveryOf.has(e.id)) v(`${e.id} (${e.type}) never got a delivery to the endpoint`, e.aggregate);

  const receivedWhole = new Set<string>();
  for (const r of w.receipts) {
    if (!r.complete) continue;
    const id = r.headers[EVENT_ID] ?? '';
    const e = byId.get(id);
    const what = `a request for ${id || '(no event id)'} (attempt ${r.headers['firmbank-delivery-attempt'] ?? '?'})`;
    if (r.method !== 'POST' || r.path !== w.path) v(`${what} came as ${r.method} ${r.path}, not POST ${w.path}`, e?.aggregate);
    if (!verifySignature(r.headers[SIGNATURE] ?? '', r.body, [w.secret], { now: new Date(r.at) })) v(`${what}: its signature does not verify with the endpoint's secret`, e?.aggregate);
    if (!e) {
      v(`${what}: not an event of ours`);
      continue;
    }
    receivedWhole.add(id);
    if (r.headers[EVENT_TYPE] !== e.type) v(`${what}: Firmbank-Event-Type ${r.headers[EVENT_TYPE] ?? '(none)'}, the event is ${e.type}`, e.aggregate);
    let doc: Record<string, unknown> | null = null;
    try {
      doc = JSON.parse(r.body.toString('utf8')) as Record<string, unknown>;
    } catch {
      // judged just below
    }
    if (!doc || doc['id'] !== id || doc['type'] !== e.type || doc['aggregate'] !== e.aggregate) v(`${what}: its body is not the event it names`, e.aggregate);
    else if (feedDocs?.has(id) && JSON.stringify(doc) !== feedDocs.get(id)) v(`${what}: its body differs from the change feed's document of the event`, e.aggregate);
  }
  for (const e of events) if (!receivedWhole.has(e.id)) v(`${e.id} (${e.type}) was never received whole`, e.aggregate);

  // Order per aggregate, by first 2xx; and a 2xx for everything the dispatcher counts as delivered.
  const firstOk = new Set<string>();
  const lastPosition = new Map<string, StoredEvent>();
  for (const r of w.receipts) {
    const e = isSuccess(r) ? byId.get(r.headers[EVENT_ID] ?? '') : undefined;
    if (!e || firstOk.has(e.id)) continue;
    firstOk.add(e.id);
    const before = lastPosition.get(e.aggregate);
    if (before && (e.position === null || before.position === null || e.position < before.position)) {
      v(`${e.aggregate}: ${e.id} (${e.type}, position ${e.position}) reached the service before ${before.id} (${before.type}, position ${before.position})`, e.aggregate);
    }
    if (!before || (e.position ?? 0) > (before.position ?? 0)) lastPosition.set(e.aggregate, e);
  }
  for (const d of w.deliveries) {
    if (d.status === 'delivered' && !firstOk.has(d.eventId)) v(`${d.eventId} is marked delivered, but the receiver never answered it 2xx`, byId.get(d.eventId)?.aggregate);
  }
  return out;
}

/**
 * The change feed's promise, from pages read while the run went on: every event of the service exactly
 * once across pages, in position order; each page no longer than asked, of the service only, its `next`
 * the position of its last event (or its `after` when empty). An event never numbered is one neither the
 * feed nor a webhook can hand out.
 */
export function judgeFeed(service: string, events: readonly StoredEvent[], f: FeedEvidence): Violation[] {
  const out: Violation[] = [];
  const byId = new Map(events.map((e) => [e.id, e]));
  const v = (detail: string, aggregate?: string) => out.push({ kind: 'feed', ...about(aggregate), detail });
  const times = new Map<string, number>();
  let previous: StoredEvent | null = null;
  for (const p of f.pages) {
    const where = `the page after ${p.after} (limit ${p.limit})`;
    if (p.events.length > p.limit) v(`${where} holds ${p.events.length} events`);
    const last = p.events.length ? byId.get(p.events[p.events.length - 1]!.id) : undefined;
    const wantNext = p.events.length === 0 ? p.after : last?.position != null ? String(last.position) : null;
    if (wantNext !== null && p.next !== wantNext) v(`${where}: next is ${p.next}, expected ${wantNext}`);
    for (const doc of p.events) {
      times.set(doc.id, (times.get(doc.id) ?? 0) + 1);
      const e = byId.get(doc.id);
      if (doc.service !== service) v(`${where} holds ${doc.id} of the service ${JSON.stringify(doc.service)}`);
      if (!e) {
        v(`${where} holds ${doc.id}, not an event of the service's`);
        continue;
      }
      if (doc.type !== e.type || doc.aggregate !== e.aggregate) v(`${where}: ${doc.id} is ${doc.type} of ${doc.aggregate}, the outbox says ${e.type} of ${e.aggregate}`, e.aggregate);
      if (previous && (e.position === null || previous.position === null || e.position <= previous.position)) {
        v(`${doc.id} (position ${e.position}) came after ${previous.id} (position ${previous.position})`, e.aggregate);
      }
      previous = e;
    }
  }
  for (const e of events) {
    const n = times.get(e.id) ?? 0;
    if (e.position === null) v(`${e.id} (${e.type}) was never numbered`, e.aggregate);
    else if (n === 0) v(`${e.id} (${e.type}, position ${e.position}) was never returned by the feed`, e.aggregate);
    else if (n > 1) v(`${e.id} (${e.type}, position ${e.position}) was returned ${n} times`, e.aggregate);
  }
  return out;
}

/** The feed's documents by event id, as JSON text: what a webhook body must equal once parsed. */
export function feedDocuments(pages: readonly FeedPage[]): Map<string, string> {
  return new Map(pages.flatMap((p) => p.events.map((e) => [e.id, JSON.stringify(e)] as const)));
}
