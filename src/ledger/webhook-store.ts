import type { DataSource } from 'typeorm';
import { EVENT_TYPES, type EventType, type ServiceEvent } from '../domain/events.js';
import { FirmbankError } from '../errors/firmbank-error.js';
import { eventFromRow } from './event-store.js';
import { Sql, readTime, timeOrNull } from './sql.js';
import { inTransaction } from './writes.js';

/** A service's webhook endpoint as the API shows it: never its secret. */
export interface WebhookEndpoint {
  id: number;
  service: string;
  url: string;
  types: EventType[];
  createdAt: Date;
  /** Set when the endpoint was disabled: it receives nothing new from then on. */
  disabledAt: Date | null;
  /** The last rotation's overlap: the previous secret signs too until then (a past time once it is over). */
  previousSecretUntil: Date | null;
}

/** One event to one endpoint. */
export interface WebhookDelivery {
  id: number;
  endpointId: number;
  /** `evt_<id>`, as in the event's body and `Firmbank-Event-Id`. */
  eventId: string;
  type: EventType;
  aggregate: string;
  status: 'pending' | 'delivered' | 'dead';
  attempts: number;
  /** Its first attempt (its creation until then): the 24 hours to dead-lettering count from here. */
  firstAt: Date;
  nextAt: Date;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
}

/** Encrypts secrets at rest (SecretBox in src/webhooks does). */
export interface Sealer {
  seal(plain: string): string;
  open(sealed: string): string;
}

/** A delivery this process holds for one attempt, until `claimedUntil` (the claim's token with `attempts`). */
export interface ClaimedDelivery {
  readonly id: number;
  readonly endpointId: number;
  readonly eventId: number;
  readonly aggregate: string;
  readonly position: number;
  /** Attempts made before this one. */
  readonly attempts: number;
  readonly firstAt: Date;
  readonly claimedUntil: Date;
}

/** What an attempt needs to POST a claimed delivery: where, signed with what, and the event itself. */
export interface DeliveryTarget {
  readonly url: string;
  /** The secrets to sign with: the current one, then the previous one while its overlap lasts. */
  readonly secrets: string[];
  readonly event: ServiceEvent;
}

/** A pending delivery that may be attempted: its next attempt is number `attempts + 1`. */
export interface DueDelivery {
  readonly id: number;
  readonly attempts: number;
  readonly nextAt: Date;
}

/** How a failed attempt ends: retried at `nextAt`, or dead-lettered. */
export interface FailedAttempt {
  readonly status: number | null;
  readonly error: string;
  readonly nextAt: Date;
  readonly dead: boolean;
}

/** Positions fanned out in one transaction, at most. */
const FAN_OUT_SPAN = 1_000;

/** Any number, the same in every process: PostgreSQL's advisory lock that lets one fan-out run at a time. */
const FAN_OUT_LOCK = 7_311_002;

/** Longest `last_error` kept (the column's width). */
const ERROR_CHARS = 300;

/**
 * Webhook endpoints and their deliveries, as the API, the CLI and the dispatcher need them.
 *
 * - Fan-out: each endpoint has a cursor (an event position); {@link fanOut} inserts one delivery per
 *   event of the endpoint's service and types after it and moves the cursor, in the same transaction,
 *   one process at a time. Positions are gap-free and given in commit order, so nothing is skipped; a
 *   delivery is made once however many processes fan out (the lock, and the unique (endpoint_id,
 *   event_id) index behind it), and a lane's earlier deliveries always exist before its later ones.
 * - Lanes: deliveries of one endpoint and one aggregate go out in position order. One is attempted only
 *   when every earlier one of its lane is delivered: a pending one holds its successors back, and so does
 *   a dead one, until an operator redelivers it (a transfer's `reversed` must never arrive before its
 *   `succeeded`, even a day late).
 * - Claims: an attempt {@link claim}s its delivery until a time; another process does not attempt it
 *   before then, and a claim left behind by a killed process simply runs out. The result of an attempt is
 *   kept only while its claim is still the one on the row.
 * - Secrets are sealed at rest ({@link Sealer}); the clear secret is returned once, at creation or
 *   rotation, and opened again only to sign.
 */
export class WebhookStore {
  private readonly sql: Sql;

  /**
   * @param newSecret makes an endpoint secret (`generateEndpointSecret` from src/webhooks/secret-box.ts).
   */
  constructor(
    private readonly ds: DataSource,
    private readonly sealer: Sealer,
    private readonly newSecret: () => string,
  ) {
    this.sql = new Sql(ds);
  }

  /**
   * Registers an endpoint; it receives the events committed from now on (its cursor starts at the
   * highest position handed out). The URL must have been checked (`checkEndpointUrl`; store its `href`).
   * Returns the secret, in clear, this once.
   *
   * @throws FirmbankError `FB_VALIDATION` when `types` is empty or names an unknown type.
   */
  async create(service: string, url: string, types: readonly EventType[], now: Date): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const wanted = checkTypes(types);
    const secret = this.newSecret();
    const rows = await inTransaction(this.ds, (m) =>
      this.sql.rows(
        m,
        `INSERT INTO webhook_endpoints (service, url, types, secret, cursor, created_at)
         SELECT $1, $2, $3, $4, COALESCE(MAX(position), 0), ${this.time('$5')} FROM events RETURNING *`,
        [service, url, wanted.join(','), this.sealer.seal(secret), now],
      ),
    );
    return { endpoint: endpointFromRow(rows[0]!), secret };
  }

  /** A service's endpoints, disabled ones included (with `disabledAt`), oldest first. */
  async list(service: string): Promise<WebhookEndpoint[]> {
    const rows = await this.sql.rows(this.ds, 'SELECT * FROM webhook_endpoints WHERE service = $1 ORDER BY id', [service]);
    return rows.map(endpointFromRow);
  }

  /** One endpoint of a service, or null. */
  async get(service: string, id: number): Promise<WebhookEndpoint | null> {
    const rows = await this.sql.rows(this.ds, 'SELECT * FROM webhook_endpoints WHERE service = $1 AND id = $2', [service, id]);
    return rows[0] ? endpointFromRow(rows[0]) : null;
  }

  /**
   * Gives an endpoint a new secret (returned in clear, this once); the current one keeps signing beside
   * it until `now + overlapMs`, so that the service can switch its receivers over. A rotation during the
   * overlap of the one before drops the oldest secret: two sign at most. Null when the service has no
   * such endpoint, or it is disabled.
   */
  async rotate(service: string, id: number, overlapMs: number, now: Date): Promise<{ endpoint: WebhookEndpoint; secret: string } | null> {
    const secret = this.newSecret();
    const until = new Date(now.getTime() + Math.max(0, overlapMs));
    const rows = await inTransaction(this.ds, (m) =>
      this.sql.rows(
        m,
        `UPDATE webhook_endpoints SET previous_secret = secret, previous_until = $1, secret = $2
          WHERE service = $3 AND id = $4 AND disabled_at IS NULL RETURNING *`,
        [until, this.sealer.seal(secret), service, id],
      ),
    );
    return rows[0] ? { endpoint: endpointFromRow(rows[0]), secret } : null;
  }

  /**
   * Disables an endpoint: no new deliveries are made for it and its pending ones are not attempted any
   * more (they stay pending, visible). True when the service has that endpoint, disabled now or before
   * (the first time is kept); false when it has none.
   */
  async disable(service: string, id: number, now: Date): Promise<boolean> {
    const rows = await inTransaction(this.ds, (m) =>
      this.sql.rows(m, `UPDATE webhook_endpoints SET disabled_at = COALESCE(disabled_at, $1) WHERE service = $2 AND id = $3 RETURNING id`, [now, service, id]),
    );
    return rows.length === 1;
  }

  /** Deliveries, newest first, filtered by service (through the endpoint), endpoint and status. */
  async deliveries(filter: { service?: string; endpointId?: number; status?: WebhookDelivery['status'] }, limit: number): Promise<WebhookDelivery[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    for (const [column, value] of [
      ['w.service', filter.service],
      ['d.endpoint_id', filter.endpointId],
      ['d.status', filter.status],
    ] as const) {
      if (value === undefined) continue;
      params.push(value);
      where.push(`${column} = $${params.length}`);
    }
    const rows = await this.sql.rows(
      this.ds,
      `SELECT d.*, e.type FROM webhook_deliveries d
         JOIN webhook_endpoints w ON w.id = d.endpoint_id
         JOIN events e ON e.id = d.event_id
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY d.id DESC LIMIT ${Math.max(0, Math.floor(limit))}`,
      params,
    );
    return rows.map(deliveryFromRow);
  }

  /**
   * Puts a dead delivery back to pending, due now, as if new (attempts 0, its 24 hours counted again from
   * its next attempt); its lane then drains in order behind it. `service` null is an operator (any
   * service). False when there is no such dead delivery (for that service), or its endpoint is disabled.
   */
  async redeliver(service: string | null, deliveryId: number, now: Date): Promise<boolean> {
    const rows = await inTransaction(this.ds, (m) =>
      this.sql.rows(
        m,
        `UPDATE webhook_deliveries SET status = 'pending', attempts = 0, first_at = $1, next_at = $1, claimed_until = NULL
          WHERE id = $2 AND status = 'dead'
            AND EXISTS (SELECT 1 FROM webhook_endpoints w WHERE w.id = webhook_deliveries.endpoint_id AND w.disabled_at IS NULL
                          AND (CAST($3 AS VARCHAR(64)) IS NULL OR w.service = CAST($3 AS VARCHAR(64))))
          RETURNING id`,
        [now, deliveryId, service],
      ),
    );
    return rows.length === 1;
  }

  // ---- for the dispatcher ------------------------------------------------------------------------

  /**
   * Makes the deliveries of the numbered events that the enabled endpoints have not had yet (their
   * service, their types) and moves their cursors past them, in one transaction, one process at a time;
   * at most {@link FAN_OUT_SPAN} positions past the lowest cursor per call. Returns how many it made.
   */
  async fanOut(now: Date): Promise<number> {
    // Most ticks find nothing to do: find out without a transaction or a lock.
    if (!(await this.behind(this.ds))) return 0;
    return inTransaction(this.ds, async (m) => {
      // One fan-out at a time: PostgreSQL's advisory lock; SQLite's write lock, taken by a first statement
      // that writes (a transaction that read first could not take it once another process has written).
      if (this.sql.postgres) await this.sql.rows(m, 'SELECT pg_advisory_xact_lock($1)', [FAN_OUT_LOCK]);
      else await this.sql.rows(m, 'UPDATE webhook_endpoints SET cursor = cursor WHERE id = 0', []);
      const bounds = await this.behind(m);
      if (!bounds) return 0;
      // A fixed bound for both statements: positions are given gap-free in commit order, so every event
      // up to it is visible now, and none at or below it can appear later.
      const upTo = Math.min(bounds.top, bounds.low + FAN_OUT_SPAN);
      const inserted = await this.sql.rows(
        m,
        `INSERT INTO webhook_deliveries (endpoint_id, event_id, position, aggregate, status, attempts, first_at, next_at)
         SELECT w.id, e.id, e.position, e.aggregate, 'pending', 0, ${this.time('$2')}, ${this.time('$2')}
           FROM webhook_endpoints w JOIN events e ON e.service = w.service AND e.position > w.cursor AND e.position <= $1
          WHERE w.disabled_at IS NULL AND w.cursor < $1 AND (',' || w.types || ',') LIKE ('%,' || e.type || ',%')
          ORDER BY e.position, w.id
         ON CONFLICT DO NOTHING RETURNING id`,
        [upTo, now],
      );
      await this.sql.rows(m, 'UPDATE webhook_endpoints SET cursor = $1 WHERE disabled_at IS NULL AND cursor < $1', [upTo]);
      return inserted.length;
    });
  }

  /** The lowest cursor of the enabled endpoints and the highest position, when the one is below the other. */
  private async behind(runner: Parameters<Sql['rows']>[0]): Promise<{ low: number; top: number } | null> {
    const r = (
      await this.sql.rows(runner, 'SELECT MIN(cursor) AS low, (SELECT COALESCE(MAX(position), 0) FROM events) AS top FROM webhook_endpoints WHERE disabled_at IS NULL', [])
    )[0];
    if (!r || r['low'] === null || r['low'] === undefined) return null;
    const low = Number(r['low']);
    const top = Number(r['top']);
    return low < top ? { low, top } : null;
  }

  /**
   * Pending deliveries that may be attempted at `now`: due, not claimed, of an enabled endpoint, first of
   * their lane; at most `perEndpoint` per endpoint counting the attempts under way (so that a slow
   * endpoint cannot fill the queue ahead of the others), oldest due first, or only `endpointId`'s.
   */
  async due(now: Date, limit: number, perEndpoint: number, endpointId?: number): Promise<DueDelivery[]> {
    if (endpointId !== undefined) return this.dueOf(endpointId, now, Math.min(limit, perEndpoint), perEndpoint);
    const params: unknown[] = [now, perEndpoint];
    const only = endpointId === undefined ? '' : `AND d.endpoint_id = $${params.push(endpointId)}`;
    const rows = await this.sql.rows(
      this.ds,
      `WITH busy AS (
              SELECT endpoint_id, COUNT(*) AS n FROM webhook_deliveries
               WHERE status = 'pending' AND claimed_until > $1 GROUP BY endpoint_id),
            ready AS (
              SELECT d.id, d.endpoint_id, d.attempts, d.next_at,
                     ROW_NUMBER() OVER (PARTITION BY d.endpoint_id ORDER BY d.next_at, d.id) AS k
                FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id AND w.disabled_at IS NULL
               WHERE d.status = 'pending' AND d.next_at <= $1 AND (d.claimed_until IS NULL OR d.claimed_until <= $1) ${only}
                 AND NOT EXISTS (SELECT 1 FROM webhook_deliveries b
                                  WHERE b.endpoint_id = d.endpoint_id AND b.aggregate = d.aggregate AND b.position < d.position AND b.status <> 'delivered'))
       SELECT r.id, r.attempts, r.next_at FROM ready r LEFT JOIN busy ON busy.endpoint_id = r.endpoint_id
        WHERE r.k + COALESCE(busy.n, 0) <= $2
        ORDER BY r.next_at, r.id LIMIT ${Math.max(0, Math.floor(limit))}`,
      params,
    );
    return rows.map((r) => ({ id: Number(r['id']), attempts: Number(r['attempts']), nextAt: readTime(r['next_at']) }));
  }

  /**
   * One endpoint's next due deliveries, after an attempt of its own ended: the oldest due first, read
   * through the due index and stopping at `limit` (the whole backlog is not ranked, as the tick's
   * query does for every endpoint at once), less the attempts already under way.
   */
  private async dueOf(endpointId: number, now: Date, limit: number, perEndpoint: number): Promise<DueDelivery[]> {
    const busy = await this.sql.rows(this.ds, `SELECT COUNT(*) AS n FROM webhook_deliveries WHERE endpoint_id = $1 AND claimed_until > $2 AND status = 'pending'`, [endpointId, now]);
    const room = Math.min(limit, perEndpoint - Number(busy[0]?.['n'] ?? 0));
    if (room <= 0) return [];
    const rows = await this.sql.rows(
      this.ds,
      `SELECT d.id, d.attempts, d.next_at FROM webhook_deliveries d
        WHERE d.status = 'pending' AND d.next_at <= $1 AND d.endpoint_id = $2 AND (d.claimed_until IS NULL OR d.claimed_until <= $1)
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries b
                           WHERE b.endpoint_id = d.endpoint_id AND b.aggregate = d.aggregate AND b.position < d.position AND b.status <> 'delivered')
        ORDER BY d.next_at, d.id LIMIT ${Math.floor(room)}`,
      [now, endpointId],
    );
    return rows.map((r) => ({ id: Number(r['id']), attempts: Number(r['attempts']), nextAt: readTime(r['next_at']) }));
  }

  /**
   * Takes a delivery for one attempt, until `now + claimMs`: only when it is pending, due, not claimed
   * (or its claim has run out), of an enabled endpoint with fewer than `perEndpoint` attempts under way,
   * and every earlier delivery of its lane is delivered. Its first attempt starts its 24 hours. Null when
   * it may not be attempted now; two processes never both get it.
   */
  async claim(deliveryId: number, now: Date, claimMs: number, perEndpoint: number): Promise<ClaimedDelivery | null> {
    const until = new Date(now.getTime() + claimMs);
    const rows = await inTransaction(this.ds, (m) =>
      this.sql.rows(
        m,
        `UPDATE webhook_deliveries SET claimed_until = $2, first_at = CASE WHEN attempts = 0 THEN ${this.time('$3')} ELSE first_at END
          WHERE id = $1 AND status = 'pending' AND next_at <= $3 AND (claimed_until IS NULL OR claimed_until <= $3)
            AND EXISTS (SELECT 1 FROM webhook_endpoints w WHERE w.id = webhook_deliveries.endpoint_id AND w.disabled_at IS NULL)
            AND NOT EXISTS (SELECT 1 FROM webhook_deliveries b
                             WHERE b.endpoint_id = webhook_deliveries.endpoint_id AND b.aggregate = webhook_deliveries.aggregate
                               AND b.position < webhook_deliveries.position AND b.status <> 'delivered')
            AND (SELECT COUNT(*) FROM webhook_deliveries c
                  WHERE c.status = 'pending' AND c.claimed_until > $3 AND c.endpoint_id = webhook_deliveries.endpoint_id) < $4
          RETURNING id, endpoint_id, event_id, aggregate, position, attempts, first_at, claimed_until`,
        [deliveryId, until, now, perEndpoint],
      ),
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: Number(r['id']),
      endpointId: Number(r['endpoint_id']),
      eventId: Number(r['event_id']),
      aggregate: String(r['aggregate']),
      position: Number(r['position']),
      attempts: Number(r['attempts']),
      firstAt: readTime(r['first_at']),
      claimedUntil: until,
    };
  }

  /** The URL, the secrets that sign at `now` and the event of a claimed delivery; null if either is gone. */
  async target(claimed: ClaimedDelivery, now: Date): Promise<DeliveryTarget | null> {
    const endpoint = (await this.sql.rows(this.ds, 'SELECT url, secret, previous_secret, previous_until FROM webhook_endpoints WHERE id = $1', [claimed.endpointId]))[0];
    const event = (await this.sql.rows(this.ds, 'SELECT * FROM events WHERE id = $1', [claimed.eventId]))[0];
    if (!endpoint || !event) return null;
    return { url: String(endpoint['url']), secrets: this.secretsOf(endpoint, now), event: eventFromRow(event) };
  }

  /** The secrets an endpoint signs with at `now`: the current one, and the previous one while its overlap lasts. */
  async signingSecrets(endpointId: number, now: Date): Promise<string[]> {
    const rows = await this.sql.rows(this.ds, 'SELECT secret, previous_secret, previous_until FROM webhook_endpoints WHERE id = $1', [endpointId]);
    return rows[0] ? this.secretsOf(rows[0], now) : [];
  }

  /** Keeps a successful attempt; false when the claim was no longer this attempt's (nothing written). */
  async delivered(claimed: ClaimedDelivery, status: number | null, now: Date): Promise<boolean> {
    const rows = await inTransaction(this.ds, (m) =>
      this.sql.rows(
        m,
        `UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = $1, last_status = $2, last_error = NULL, claimed_until = NULL
          WHERE id = $3 AND status = 'pending' AND attempts = $4 AND claimed_until = $5 RETURNING id`,
        [now, status, claimed.id, claimed.attempts, claimed.claimedUntil],
      ),
    );
    return rows.length === 1;
  }

  /** Keeps a failed attempt: retried at `nextAt`, or dead; false when the claim was no longer this attempt's. */
  async failed(claimed: ClaimedDelivery, outcome: FailedAttempt): Promise<boolean> {
    const error = outcome.error.length <= ERROR_CHARS ? outcome.error : `${outcome.error.slice(0, ERROR_CHARS - 1)}…`;
    const rows = await inTransaction(this.ds, (m) =>
      this.sql.rows(
        m,
        `UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1, next_at = $2, last_status = $3, last_error = $4, claimed_until = NULL
          WHERE id = $5 AND status = 'pending' AND attempts = $6 AND claimed_until = $7 RETURNING id`,
        [outcome.dead ? 'dead' : 'pending', outcome.nextAt, outcome.status, error, claimed.id, claimed.attempts, claimed.claimedUntil],
      ),
    );
    return rows.length === 1;
  }

  /** The first undelivered delivery of a lane (endpoint and aggregate), if it is pending. */
  async laneHead(endpointId: number, aggregate: string): Promise<DueDelivery | null> {
    const rows = await this.sql.rows(
      this.ds,
      `SELECT id, status, attempts, next_at FROM webhook_deliveries WHERE endpoint_id = $1 AND aggregate = $2 AND status <> 'delivered' ORDER BY position LIMIT 1`,
      [endpointId, aggregate],
    );
    const r = rows[0];
    return r && r['status'] === 'pending' ? { id: Number(r['id']), attempts: Number(r['attempts']), nextAt: readTime(r['next_at']) } : null;
  }

  private secretsOf(r: Record<string, unknown>, now: Date): string[] {
    const secrets = [this.sealer.open(String(r['secret']))];
    const previous = r['previous_secret'];
    const until = r['previous_until'];
    if (previous !== null && previous !== undefined && until !== null && until !== undefined && readTime(until).getTime() > now.getTime()) {
      secrets.push(this.sealer.open(String(previous)));
    }
    return secrets;
  }

  /** A time parameter where PostgreSQL cannot infer its type (a SELECT list, a CASE); SQLite takes the text as it is. */
  private time(param: string): string {
    return this.sql.postgres ? `CAST(${param} AS TIMESTAMPTZ)` : param;
  }
}

function checkTypes(types: readonly EventType[]): EventType[] {
  const unknown = types.filter((t) => !EVENT_TYPES.includes(t));
  if (types.length === 0 || unknown.length) {
    throw new FirmbankError('FB_VALIDATION', `types: ${types.length === 0 ? 'at least one event type is needed' : `unknown event type ${JSON.stringify(unknown[0])}`}; one of ${EVENT_TYPES.join(', ')}`);
  }
  return EVENT_TYPES.filter((t) => types.includes(t));
}


/** A `webhook_endpoints` row, never its secret. */
export function endpointFromRow(r: Record<string, unknown>): WebhookEndpoint {
  return {
    id: Number(r['id']),
    service: String(r['service']),
    url: String(r['url']),
    types: String(r['types']).split(',').filter(Boolean) as EventType[],
    createdAt: readTime(r['created_at']),
    disabledAt: timeOrNull(r['disabled_at']),
    previousSecretUntil: timeOrNull(r['previous_until']),
  };
}

/** A `webhook_deliveries` row (with the event's `type`). */
export function deliveryFromRow(r: Record<string, unknown>): WebhookDelivery {
  return {
    id: Number(r['id']),
    endpointId: Number(r['endpoint_id']),
    eventId: `evt_${String(r['event_id'])}`,
    type: String(r['type']) as EventType,
    aggregate: String(r['aggregate']),
    status: String(r['status']) as WebhookDelivery['status'],
    attempts: Number(r['attempts']),
    firstAt: readTime(r['first_at']),
    nextAt: readTime(r['next_at']),
    lastStatus: r['last_status'] === null || r['last_status'] === undefined ? null : Number(r['last_status']),
    lastError: r['last_error'] === null || r['last_error'] === undefined ? null : String(r['last_error']),
    deliveredAt: timeOrNull(r['delivered_at']),
  };
}
