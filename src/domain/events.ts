/**
 * Events for the calling services: what changed, written in the same transaction as the change itself
 * (the outbox), then numbered in commit order and handed out by the change feed and webhooks.
 */

/** The event types a service can receive, and their payloads (ids and masked data only). */
export type EventType =
  | 'transfer.succeeded'
  | 'transfer.failed'
  | 'transfer.reversed'
  | 'collection.succeeded'
  | 'collection.failed'
  | 'collection.reversed'
  | 'reconciliation.break';

export const EVENT_TYPES: readonly EventType[] = [
  'transfer.succeeded',
  'transfer.failed',
  'transfer.reversed',
  'collection.succeeded',
  'collection.failed',
  'collection.reversed',
  'reconciliation.break',
];

/**
 * The transfer states whose arrival is an event: final states and the reversal. The outbox types it by
 * the kind that moved (`transfer.*`, `collection.*`).
 */
export const EVENT_OF_STATE: Readonly<Partial<Record<string, EventType>>> = {
  succeeded: 'transfer.succeeded',
  failed: 'transfer.failed',
  reversed: 'transfer.reversed',
};

/** Payload of a `transfer.*` or `collection.*` event: the transfer as the change left it, masked. */
export interface TransferEventPayload {
  readonly transferId: string;
  readonly kind: 'transfer' | 'collection';
  readonly requestId: string;
  readonly state: string;
  readonly amount: string;
  readonly fee: string | null;
  readonly bankCode: string;
  /** The other party's account (payee's; a collection's payer's): its last 4 digits, never the whole number. */
  readonly accountSuffix: string;
  readonly responseCode: string | null;
}

/** Payload of a `reconciliation.break` event. */
export interface BreakEventPayload {
  readonly breakId: number;
  readonly institution: string;
  readonly businessDate: string;
  readonly category: string;
  readonly transferId: string | null;
  readonly detail: string;
}

/** An event as the feed and webhooks hand it out. */
export interface ServiceEvent {
  /** Stable id: the same event delivered twice carries the same id (the receiver's idempotency key). */
  readonly id: string;
  readonly type: EventType;
  readonly service: string;
  /** What it is about (`transfer:<id>`, `break:<id>`): events of one aggregate are delivered in order. */
  readonly aggregate: string;
  /** Its place in commit order, gap-free: the change feed's cursor. */
  readonly position: number;
  readonly occurredAt: Date;
  readonly data: TransferEventPayload | BreakEventPayload;
}

/** An event as services read it, in the change feed and in a webhook's body alike. */
export function eventDocument(e: ServiceEvent) {
  return { id: e.id, type: e.type, service: e.service, aggregate: e.aggregate, createdAt: e.occurredAt.toISOString(), data: e.data };
}
