import type { DataSource } from 'typeorm';
import type { ReconRun } from '../../domain/reconciliation.js';
import { ValidationError } from '../../flows/validation-error.js';
import { Sql } from '../sql.js';
import { deliveryFromRow, endpointFromRow, type WebhookDelivery, type WebhookEndpoint } from '../webhook-store.js';
import { runFromRow } from '../recon-store.js';

/** A delivery as the console lists it: with the service whose endpoint it goes to. */
export interface ServiceDelivery extends WebhookDelivery {
  readonly service: string;
}

const DELIVERY_STATUSES: readonly WebhookDelivery['status'][] = ['pending', 'delivered', 'dead'];
/** The most rows of a list without pages. */
const MAX_LIST = 1_000;

/** Reconciliation runs newest first (by id), optionally of one institution. */
export async function reconRuns(ds: DataSource, filter: { readonly institution?: string }, limit: number): Promise<ReconRun[]> {
  const sql = new Sql(ds);
  const params: unknown[] = [];
  const where = filter.institution === undefined ? '' : ` WHERE institution = $${params.push(filter.institution)}`;
  const rows = await sql.rows(ds, `SELECT * FROM recon_runs${where} ORDER BY id DESC LIMIT $${params.push(checkListLimit(limit))}`, params);
  return rows.map(runFromRow);
}

/** Every service's webhook endpoints (disabled ones too, with their time), by service then id. Never a secret. */
export async function webhookEndpoints(ds: DataSource): Promise<WebhookEndpoint[]> {
  const sql = new Sql(ds);
  const rows = await sql.rows(ds, 'SELECT id, service, url, types, created_at, disabled_at, previous_until FROM webhook_endpoints ORDER BY service, id', []);
  return rows.map(endpointFromRow);
}

/** Deliveries newest first (by id), optionally in one status (`dead`: the dead letters) or of one service. */
export async function webhookDeliveries(ds: DataSource, filter: { readonly status?: WebhookDelivery['status']; readonly service?: string }, limit: number): Promise<ServiceDelivery[]> {
  const sql = new Sql(ds);
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.status !== undefined) {
    if (!DELIVERY_STATUSES.includes(filter.status)) throw new ValidationError('status', `must be one of ${DELIVERY_STATUSES.join(', ')}, got "${String(filter.status)}"`);
    where.push(`d.status = $${params.push(filter.status)}`);
  }
  if (filter.service !== undefined) where.push(`w.service = $${params.push(filter.service)}`);
  const rows = await sql.rows(
    ds,
    `SELECT d.*, e.type, w.service FROM webhook_deliveries d
       JOIN webhook_endpoints w ON w.id = d.endpoint_id
       JOIN events e ON e.id = d.event_id
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY d.id DESC LIMIT $${params.push(checkListLimit(limit))}`,
    params,
  );
  return rows.map((r) => ({ ...deliveryFromRow(r), service: String(r['service']) }));
}

/** A list size from 1 to {@link MAX_LIST}. */
export function checkListLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST) throw new ValidationError('limit', `must be a whole number from 1 to ${MAX_LIST}, got ${String(limit)}`);
  return limit;
}

