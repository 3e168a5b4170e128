import type { EventType, ServiceEvent } from '../domain/events.js';
import type { Transfer } from '../domain/transfer.js';
import type { WebhookDelivery, WebhookEndpoint } from '../ledger/webhook-store.js';
import type { ServiceIdentity } from '../flows/transfer-flow.js';
import type { TransferInput } from '../flows/transfer-input.js';
import type { CollectionInput } from '../flows/collection-input.js';
import type { ConsentService } from './consent-service.js';
import type { OneWonService } from './one-won-service.js';
import type { VerificationInput, VerificationResult } from '../flows/verification-flow.js';


/**
 * What the HTTP API needs, one narrow service per flow; the composition root provides them. An
 * `institution` is the one the caller named, or undefined for the default (routing rules, for transfers);
 * an unknown one is a ValidationError naming the field.
 */
export interface TransferService {
  submit(institution: string | undefined, caller: ServiceIdentity, input: TransferInput): Promise<{ transfer: Transfer; created: boolean }>;
  get(id: string): Promise<Transfer | null>;
  /** Resolves with the transfer when this process changes it, or with null after `ms`. */
  waitForChange(id: string, ms: number): Promise<Transfer | null>;
  /** The telegrams of a transfer, decoded from the kept bytes and masked. */
  telegrams(transfer: Transfer): Promise<unknown[]>;
}

/** Collections (집금) from payers with a registered consent. */
export interface CollectionService {
  submit(institution: string | undefined, caller: ServiceIdentity, input: CollectionInput): Promise<{ transfer: Transfer; created: boolean }>;
  get(id: string): Promise<Transfer | null>;
  waitForChange(id: string, ms: number): Promise<Transfer | null>;
}

export interface VerificationService {
  verify(institution: string | undefined, input: VerificationInput): Promise<VerificationResult>;
}

/** Balance and today's totals of the parent account, as the bank counts them. */
export interface ParentAccountService {
  balance(institution: string | undefined): Promise<unknown>;
  totals(institution: string | undefined): Promise<unknown>;
}

export interface ReadinessService {
  ready(): Promise<{ ready: boolean; detail: Record<string, unknown> }>;
}

/** The change feed: a service's events in commit order, from a cursor. */
export interface EventService {
  feed(service: string, after: number, limit: number): Promise<{ events: ServiceEvent[]; next: number }>;
}

/** A service's webhook endpoints and their deliveries. `create` refuses a URL it must not call (400). */
export interface WebhookService {
  create(service: string, url: string, types: readonly EventType[]): Promise<{ endpoint: WebhookEndpoint; secret: string }>;
  list(service: string): Promise<WebhookEndpoint[]>;
  rotate(service: string, id: number): Promise<{ endpoint: WebhookEndpoint; secret: string } | null>;
  disable(service: string, id: number): Promise<boolean>;
  deliveries(service: string, status?: WebhookDelivery['status']): Promise<WebhookDelivery[]>;
  redeliver(service: string, deliveryId: number): Promise<boolean>;
}

/** The Prometheus exposition of this process. */
export interface MetricsService {
  render(): Promise<{ contentType: string; body: string }>;
}

export interface ApiServices {
  readonly transfers: TransferService;
  readonly collections: CollectionService;
  readonly consents: ConsentService;
  readonly oneWon: OneWonService;
  readonly events: EventService;
  readonly webhooks: WebhookService;
  readonly verifications: VerificationService;
  readonly parentAccount: ParentAccountService;
  readonly readiness: ReadinessService;
  readonly metrics: MetricsService;
}
