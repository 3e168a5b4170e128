import type { DataSource } from 'typeorm';
import type { Consent, ConsentState } from '../domain/consent.js';
import type { ReconRun } from '../domain/reconciliation.js';
import type { Notice, Transfer } from '../domain/transfer.js';
import type { OneWonStoredState } from '../flows/one-won-ports.js';
import { dashboardFigures, type DashboardFigures } from './admin/dashboard-query.js';
import type { Page, PageRequest } from './admin/newest-first.js';
import { noticeGaps, noticePage, type NoticeGap } from './admin/notice-lists.js';
import { reconRuns, webhookDeliveries, webhookEndpoints, type ServiceDelivery } from './admin/ops-lists.js';
import { consentPage, oneWonPage, type OneWonListing } from './admin/payer-lists.js';
import { TransferSearchQuery, type TransferSearch } from './admin/transfer-search.js';
import { unknownQueue, type UnknownOutcome } from './admin/unknown-queue.js';
import type { SendScope } from './recon-store.js';
import type { WebhookDelivery, WebhookEndpoint } from './webhook-store.js';

export type { DashboardFigures, InstitutionFigures, MinuteFigures } from './admin/dashboard-query.js';
export { MAX_ADMIN_PAGE, type Page, type PageRequest } from './admin/newest-first.js';
export type { NoticeGap } from './admin/notice-lists.js';
export type { ServiceDelivery } from './admin/ops-lists.js';
export type { OneWonListing } from './admin/payer-lists.js';
export type { TransferSearch } from './admin/transfer-search.js';
export type { UnknownOutcome } from './admin/unknown-queue.js';

/**
 * What the operators' console reads, on PostgreSQL and SQLite alike: domain objects, accounts as stored
 * (masking is the views' job, src/admin/views.ts). Listings that grow without end (transfers, notices,
 * consents, one-won verifications) come in keyset pages, newest first, with opaque cursors; a bad cursor,
 * limit or filter value is a ValidationError `FB_VALIDATION` naming the field. Nothing here writes.
 */
export class AdminQueries {
  private readonly search: TransferSearchQuery;

  constructor(private readonly ds: DataSource) {
    this.search = new TransferSearchQuery(ds);
  }

  /**
   * Transfers and collections matching `filter`, newest first (created_at DESC, id DESC), a page of
   * 1–200. As fast 200 pages deep in a million rows as on the first page (bench/admin.ts).
   */
  transfers(filter: TransferSearch, page: PageRequest): Promise<Page<Transfer>> {
    return this.search.page(filter, page);
  }

  /** Transfers whose outcome is unknown, oldest first (by their move to unknown), each with its pending settlement. */
  unknowns(limit: number): Promise<UnknownOutcome[]> {
    return unknownQueue(this.ds, limit);
  }

  /** Notices the banks sent, newest first. */
  notices(filter: { readonly institution?: string }, page: PageRequest): Promise<Page<Notice>> {
    return noticePage(this.ds, filter, page);
  }

  /** Notice numbers found missing by the reconciliation, and whether they were recovered. */
  noticeGaps(): Promise<NoticeGap[]> {
    return noticeGaps(this.ds);
  }

  /** Payer consents, newest first (a state that does not exist is a ValidationError on `state`). */
  consents(filter: { readonly state?: ConsentState | string }, page: PageRequest): Promise<Page<Consent>> {
    return consentPage(this.ds, filter, page);
  }

  /** One-won verifications, newest first, with their 1 won's transfer (a state that does not exist is a ValidationError on `state`). */
  oneWon(filter: { readonly state?: OneWonStoredState | string }, page: PageRequest): Promise<Page<OneWonListing>> {
    return oneWonPage(this.ds, filter, page);
  }

  /** Reconciliation runs, newest first (1–1000). */
  reconRuns(filter: { readonly institution?: string }, limit: number): Promise<ReconRun[]> {
    return reconRuns(this.ds, filter, limit);
  }

  /** Every service's webhook endpoints. */
  webhookEndpoints(): Promise<WebhookEndpoint[]> {
    return webhookEndpoints(this.ds);
  }

  /** Webhook deliveries, newest first (1–1000), with their service. */
  webhookDeliveries(filter: { readonly status?: WebhookDelivery['status']; readonly service?: string }, limit: number): Promise<ServiceDelivery[]> {
    return webhookDeliveries(this.ds, filter, limit);
  }

  /**
   * The database's half of the dashboard at `now`: per institution, today's transfers (the Korean
   * business day), its unknowns and 전문번호 taken today; and the last hour by minute.
   *
   * @param scopes the gateway's (institution, bank, company) numbering scopes: institutions without
   *   traffic today are listed too, and 전문번호 are summed per institution over exactly these.
   */
  dashboard(now: Date, scopes?: readonly SendScope[]): Promise<DashboardFigures> {
    return dashboardFigures(this.ds, now, scopes);
  }
}
