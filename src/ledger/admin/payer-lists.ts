import type { DataSource } from 'typeorm';
import { CONSENT_STATES, type Consent, type ConsentState } from '../../domain/consent.js';
import type { OneWonStoredState, OneWonVerification } from '../../flows/one-won-ports.js';
import { ValidationError } from '../../flows/validation-error.js';
import { consentFromRow } from '../consent-store.js';
import { oneWonFromRow } from '../one-won-store.js';
import { Sql, textOrNull } from '../sql.js';
import { newestByTime, type Page, type PageRequest } from './newest-first.js';

/** A one-won verification as the console lists it: with its 1 won's transfer, once there is one. */
export interface OneWonListing extends OneWonVerification {
  readonly transferId: string | null;
}

const ONE_WON_STATES: readonly OneWonStoredState[] = ['open', 'verified', 'locked', 'failed', 'expired'];

/** Consents newest first, (created_at DESC, id DESC), optionally in one state. */
export async function consentPage(ds: DataSource, filter: { readonly state?: ConsentState | string }, page: PageRequest): Promise<Page<Consent>> {
  const sql = new Sql(ds);
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.state !== undefined) {
    if (!CONSENT_STATES.includes(filter.state as ConsentState)) throw new ValidationError('state', `"${String(filter.state)}" is not a consent state (${CONSENT_STATES.join(', ')})`);
    where.push(`state = $${params.push(filter.state)}`);
  }
  const rows = await newestByTime(sql, ds, { listing: 'consents', select: '*', from: 'consents', where, params }, 'created_at', 'id', page);
  return { items: rows.items.map(consentFromRow), next: rows.next };
}

/**
 * One-won verifications newest first, (created_at DESC, id DESC), optionally in one state, each with its
 * 1 won's transfer: the service's transfer under the request id `onewon-<id>` (oneWonTransferRequestId),
 * found through ux_transfers_request.
 */
export async function oneWonPage(ds: DataSource, filter: { readonly state?: OneWonStoredState | string }, page: PageRequest): Promise<Page<OneWonListing>> {
  const sql = new Sql(ds);
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.state !== undefined) {
    if (!ONE_WON_STATES.includes(filter.state as OneWonStoredState)) throw new ValidationError('state', `"${String(filter.state)}" is not a one-won state (${ONE_WON_STATES.join(', ')})`);
    where.push(`v.state = $${params.push(filter.state)}`);
  }
  const rows = await newestByTime(
    sql,
    ds,
    {
      listing: 'one-won',
      select: 'v.*, t.id AS transfer_id',
      from: `one_won_verifications v LEFT JOIN transfers t ON t.service = v.service AND t.request_id = 'onewon-' || v.id`,
      where,
      params,
    },
    'v.created_at',
    'v.id',
    page,
  );
  return { items: rows.items.map((r) => ({ ...oneWonFromRow(r), transferId: textOrNull(r['transfer_id']) })), next: rows.next };
}

