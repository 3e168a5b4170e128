import type { DataSource } from 'typeorm';
import type { EventType } from '../../domain/events.js';
import type { ReconRun, RunFigures } from '../../domain/reconciliation.js';
import { ValidationError } from '../../flows/validation-error.js';
import { Sql, readTime, textOrNull } from '../sql.js';
import type { WebhookDelivery, WebhookEndpoint } from '../webhook-store.js';

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
  return rows.map((r) => ({
    id: Number(r['id']),
    service: String(r['service']),
    url: String(r['url']),
    types: String(r['types']).split(',').filter(Boolean) as EventType[],
    createdAt: readTime(r['created_at']),
    disabledAt: timeOrNull(r['disabled_at']),
    previousSecretUntil: timeOrNull(r['previous_until']),
  }));
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
  return rows.map((r) => ({
    id: Number(r['id']),
    endpointId: Number(r['endpoint_id']),
    service: String(r['service']),
    eventId: `evt_${String(r['event_id'])}`,
    type: String(r['type']) as EventType,
    aggregate: String(r['aggregate']),
    status: String(r['status']) as WebhookDelivery['status'],
    attempts: Number(r['attempts']),
    firstAt: readTime(r['first_at']),
    nextAt: readTime(r['next_at']),
    lastStatus: r['last_status'] === null || r['last_status'] === undefined ? null : Number(r['last_status']),
    lastError: textOrNull(r['last_error']),
    deliveredAt: timeOrNull(r['delivered_at']),
  }));
}

/** A list size from 1 to {@link MAX_LIST}. */
export function checkListLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST) throw new ValidationError('limit', `must be a whole number from 1 to ${MAX_LIST}, got ${String(limit)}`);
  return limit;
}

const timeOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : readTime(v));

function runFromRow(r: Record<string, unknown>): ReconRun {
  return {
    id: Number(r['id']),
    institution: String(r['institution']),
    businessDate: String(r['business_date']),
    file: textOrNull(r['file']),
    status: String(r['status']) as ReconRun['status'],
    figures: r['figures'] === null || r['figures'] === undefined ? null : (JSON.parse(String(r['figures'])) as RunFigures),
    startedAt: readTime(r['started_at']),
    finishedAt: timeOrNull(r['finished_at']),
  };
}
