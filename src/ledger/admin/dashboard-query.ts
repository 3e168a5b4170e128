import { Decimal } from 'decimal.js';
import type { DataSource } from 'typeorm';
import type { SendScope } from '../recon-store.js';
import { Sql, readTime, timeOrNull } from '../sql.js';

/** An institution's figures for the console's dashboard (what the database knows; links, breaker and queue come from the gateway). */
export interface InstitutionFigures {
  readonly institution: string;
  /** Transfers created today (the Korean business day), by what they are now. */
  readonly today: {
    readonly count: number;
    readonly succeeded: number;
    readonly succeededAmount: Decimal;
    readonly failed: number;
    readonly unknown: number;
  };
  /** Transfers unknown now (whatever the day), those flagged for an operator, and since when the oldest is. */
  readonly unknownOpen: number;
  readonly unknownNeedOperator: number;
  readonly oldestUnknownAt: Date | null;
  /** 전문번호 taken today by the institution's (bank, company) scopes. */
  readonly seqUsedToday: number;
  /** From accepted to the bank's final word, for transfers accepted in the last {@link LATENCY_WINDOW_MS} and settled. */
  readonly latency: Latency;
}

/** Milliseconds from accepted to final: the median and the 99th percentile, and of how many transfers. */
export interface Latency {
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly settled: number;
}

/** The dashboard's latency looks at transfers accepted in the last five minutes, the newest 5,000 at most. */
export const LATENCY_WINDOW_MS = 5 * 60_000;
const LATENCY_SAMPLE = 5_000;

/** One minute of the last hour, all institutions: transfers created, and moves into each outcome. */
export interface MinuteFigures {
  /** The minute's start. */
  readonly minute: Date;
  readonly created: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly unknown: number;
}

export interface DashboardFigures {
  readonly at: Date;
  /** Today's Korean date, YYYY-MM-DD: the day `today` counts and the 전문번호 are numbered for. */
  readonly businessDate: string;
  readonly institutions: InstitutionFigures[];
  /** 60 points, oldest first; the last one is the minute under way. */
  readonly lastHour: MinuteFigures[];
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Korea Standard Time, UTC+9 all year (koreanDate in src/queue/batch-queue.ts counts days the same way). */
const KST_OFFSET_MS = 9 * 3_600_000;
/**
 * How far an event's time may run behind the order of its id: ids are given at insert, times a moment
 * before by the writer's clock. Far more than any transaction takes or any two clocks differ.
 */
const ID_ORDER_SLACK_MS = 5 * MINUTE_MS;

/**
 * The dashboard's figures in a handful of statements, on PostgreSQL and SQLite alike, each bounded by an
 * index: today's transfers by a range of `ix_transfers_created_id`; unknowns by `ix_transfers_state`; the
 * 전문번호 by the sequences table's key (as src/ledger/metrics-queries.ts reads them); the last hour's
 * creations by the same range index, and its moves by a range of transfer_events ids (see
 * {@link firstEventAtOrAfter}: the events table has no index on its time, and the console should not add
 * a write to every move for a dashboard).
 *
 * @param scopes the (institution, bank, company) scopes the gateway numbers telegrams for, so that an
 *   institution with nothing today is shown too; without them, those seen in today's transfers.
 */
export async function dashboardFigures(ds: DataSource, now: Date, scopes: readonly SendScope[] = []): Promise<DashboardFigures> {
  const sql = new Sql(ds);
  const businessDate = koreanDate(now.getTime());
  const dayStart = new Date(Date.parse(`${businessDate}T00:00:00Z`) - KST_OFFSET_MS);
  const dayEnd = new Date(dayStart.getTime() + DAY_MS);

  const today = await sql.rows(
    ds,
    `SELECT institution, bank_code, company_id, state, COUNT(*) AS n, COALESCE(SUM(amount), 0) AS amount FROM transfers
      WHERE created_at >= $1 AND created_at < $2 GROUP BY institution, bank_code, company_id, state`,
    [dayStart, dayEnd],
  );
  const unknown = await sql.rows(
    ds,
    `SELECT institution, COUNT(*) AS n, SUM(operator) AS operator, MIN(since) AS oldest FROM (
       SELECT t.institution, CASE WHEN t.needs_operator THEN 1 ELSE 0 END AS operator,
              COALESCE((SELECT MAX(e.at) FROM transfer_events e WHERE e.transfer_id = t.id AND e.to_state = 'unknown'), t.updated_at) AS since
         FROM transfers t WHERE t.state = 'unknown'
     ) u GROUP BY institution`,
    [],
  );
  const sequences = await sql.rows(ds, 'SELECT bank_code, company_id, next_value FROM sequences WHERE scope_date = $1', [businessDate]);
  const latencies = await recentLatencies(ds, sql, now);

  const figures = new Map<string, { today: Mutable<InstitutionFigures['today']>; scopes: Set<string>; unknownOpen: number; unknownNeedOperator: number; oldestUnknownAt: Date | null }>();
  const of = (institution: string) => {
    let f = figures.get(institution);
    if (!f) {
      f = { today: { count: 0, succeeded: 0, succeededAmount: new Decimal(0), failed: 0, unknown: 0 }, scopes: new Set(), unknownOpen: 0, unknownNeedOperator: 0, oldestUnknownAt: null };
      figures.set(institution, f);
    }
    return f;
  };
  for (const s of scopes) of(s.institution).scopes.add(`${s.bankCode}|${s.companyId}`);
  for (const r of today) {
    const f = of(String(r['institution']));
    // the configured scopes, when given, are the institution's; otherwise what its transfers name
    if (scopes.length === 0) f.scopes.add(`${String(r['bank_code'])}|${String(r['company_id'])}`);
    const n = Number(r['n']);
    f.today.count += n;
    const state = String(r['state']);
    if (state === 'succeeded') {
      f.today.succeeded += n;
      f.today.succeededAmount = f.today.succeededAmount.plus(String(r['amount']));
    } else if (state === 'failed') f.today.failed += n;
    else if (state === 'unknown') f.today.unknown += n;
  }
  for (const r of unknown) {
    const f = of(String(r['institution']));
    f.unknownOpen = Number(r['n']);
    f.unknownNeedOperator = Number(r['operator'] ?? 0);
    f.oldestUnknownAt = timeOrNull(r['oldest']);
  }
  // `next_value` is the first number nobody reserved yet: everything below it is taken (metrics-queries.ts).
  const taken = new Map(sequences.map((r) => [`${String(r['bank_code'])}|${String(r['company_id'])}`, Math.max(0, Number(r['next_value']) - 1)]));
  const institutions = [...figures]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([institution, f]) => ({
      institution,
      today: f.today,
      unknownOpen: f.unknownOpen,
      unknownNeedOperator: f.unknownNeedOperator,
      oldestUnknownAt: f.oldestUnknownAt,
      seqUsedToday: [...f.scopes].reduce((sum, k) => sum + (taken.get(k) ?? 0), 0),
      latency: latencyOf(latencies.get(institution) ?? []),
    }));
  return { at: now, businessDate, institutions, lastHour: await lastHour(ds, sql, now) };
}

/**
 * Per institution, how long recent transfers took from accepted to final (a final transfer's updated_at is
 * its last move; a reversal, later, is left out), through the order index: bounded by the window and the
 * sample, whatever the day's volume.
 */
async function recentLatencies(ds: DataSource, sql: Sql, now: Date): Promise<Map<string, number[]>> {
  const rows = await sql.rows(
    ds,
    `SELECT institution, created_at, updated_at FROM transfers
      WHERE created_at >= $1 AND created_at <= $2 AND state IN ('succeeded', 'failed') ORDER BY created_at DESC LIMIT ${LATENCY_SAMPLE}`,
    [new Date(now.getTime() - LATENCY_WINDOW_MS), now],
  );
  const by = new Map<string, number[]>();
  for (const r of rows) {
    const institution = String(r['institution']);
    const list = by.get(institution) ?? [];
    list.push(Math.max(0, readTime(r['updated_at']).getTime() - readTime(r['created_at']).getTime()));
    by.set(institution, list);
  }
  return by;
}

/** The median and 99th percentile (nearest rank) of `ms`. */
export function latencyOf(ms: readonly number[]): Latency {
  if (ms.length === 0) return { p50Ms: null, p99Ms: null, settled: 0 };
  const sorted = [...ms].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
  return { p50Ms: rank(0.5), p99Ms: rank(0.99), settled: sorted.length };
}

/** The last hour by minute: creations through the order index, moves through a range of event ids. */
async function lastHour(ds: DataSource, sql: Sql, now: Date): Promise<MinuteFigures[]> {
  const current = Math.floor(now.getTime() / MINUTE_MS);
  const first = current - 59;
  const start = new Date(first * MINUTE_MS);
  const end = new Date((current + 1) * MINUTE_MS);
  const minuteOf = (column: string) => (sql.postgres ? `CAST(floor(extract(epoch FROM ${column}) / 60) AS BIGINT)` : `CAST(strftime('%s', ${column}) AS INTEGER) / 60`);
  const created = await sql.rows(ds, `SELECT ${minuteOf('created_at')} AS m, COUNT(*) AS n FROM transfers WHERE created_at >= $1 AND created_at < $2 GROUP BY 1`, [start, end]);
  const fromId = await firstEventAtOrAfter(ds, sql, new Date(start.getTime() - ID_ORDER_SLACK_MS));
  const moves =
    fromId === null
      ? []
      : await sql.rows(
          ds,
          `SELECT ${minuteOf('at')} AS m, to_state, COUNT(*) AS n FROM transfer_events
            WHERE id >= $1 AND at >= $2 AND at < $3 AND to_state IN ('succeeded', 'failed', 'unknown') GROUP BY 1, 2`,
          [fromId, start, end],
        );
  const points = Array.from({ length: 60 }, (_, i) => ({ minute: new Date((first + i) * MINUTE_MS), created: 0, succeeded: 0, failed: 0, unknown: 0 }));
  const at = (m: unknown) => points[Number(m) - first];
  for (const r of created) {
    const p = at(r['m']);
    if (p) p.created = Number(r['n']);
  }
  for (const r of moves) {
    const p = at(r['m']);
    const state = String(r['to_state']) as 'succeeded' | 'failed' | 'unknown';
    if (p) p[state] = Number(r['n']);
  }
  return points;
}

/**
 * The lowest transfer_events id whose event is at or after `t` (null if none is), by bisecting the ids:
 * events are appended as moves happen, so their times rise with their ids, give or take the moment
 * between a writer's clock and its insert (the caller asks for an earlier time than it needs, by
 * {@link ID_ORDER_SLACK_MS}, and filters the times exactly). About 25 primary-key lookups on a table of
 * tens of millions of events, instead of an index on `at` that every move would have to write.
 */
async function firstEventAtOrAfter(ds: DataSource, sql: Sql, t: Date): Promise<number | null> {
  const bounds = (await sql.rows(ds, 'SELECT MIN(id) AS lo, MAX(id) AS hi FROM transfer_events', []))[0];
  if (!bounds || bounds['hi'] === null || bounds['hi'] === undefined) return null;
  let lo = Number(bounds['lo']);
  let hi = Number(bounds['hi']) + 1;
  // Smallest x such that the first event at or after id x is at or after t (hi + 1: none is).
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const r = (await sql.rows(ds, 'SELECT id, at FROM transfer_events WHERE id >= $1 ORDER BY id LIMIT 1', [mid]))[0];
    if (!r || readTime(r['at']).getTime() >= t.getTime()) hi = mid;
    else lo = Number(r['id']) + 1;
  }
  return lo > Number(bounds['hi']) ? null : lo;
}

/** The Korean date (YYYY-MM-DD) of an instant: koreanDate of src/queue/batch-queue.ts, repeated so that reading the ledger does not load the job queue. */
function koreanDate(ms: number): string {
  return new Date(ms + KST_OFFSET_MS).toISOString().slice(0, 10);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
