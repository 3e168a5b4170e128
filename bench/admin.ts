import pg from 'pg';
import type { DataSource } from 'typeorm';
import { AdminQueries } from '../src/ledger/admin-queries.js';
import type { TransferSearch } from '../src/ledger/admin/transfer-search.js';
import { openDatabase } from '../src/ledger/data-source.js';

/** The slowest p95 a search may take on a 1,000,000-transfer ledger before the bench fails. */
export const ADMIN_P95_TARGET_MS = 200;

const PG_ADMIN = 'postgres://postgres@127.0.0.1:5432/test';
const PAGE = 50;
const CALLS = 200;
const DAY_MS = 86_400_000;
/** The seeded ledger spans these many days, up to the moment the bench starts. */
const SPAN_DAYS = 90;

/** Services and their share of the traffic: a few big ones and a rare one (what a skewed filter meets). */
const SERVICES: readonly (readonly [string, number])[] = [
  ['payroll', 0.4],
  ['shop', 0.25],
  ['insurance', 0.15],
  ['loans', 0.1],
  ['rent', 0.09],
  ['audit-rare', 0.01],
];

export interface AdminScenario {
  readonly name: string;
  readonly calls: number;
  /** Rows returned per call, on average (a filter that matches little returns short pages). */
  readonly rows: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

export interface AdminBenchResult {
  readonly transfers: number;
  readonly seedSeconds: number;
  readonly scenarios: AdminScenario[];
  readonly dashboardMs: number;
  readonly unknownsMs: number;
}

/**
 * `npm run bench -- admin`: the console's transfer search on a PostgreSQL ledger of `n` transfers
 * (1,000,000 by default) spread over 90 days, with the spread of states, services, institutions, amounts
 * and accounts a busy ledger has, and the events of its unknown transfers. Each scenario makes at least
 * 200 calls of `AdminQueries.transfers` with limit 50 — the first page again and again, a chain of cursors
 * 200 pages deep, and the filters (state, service, account suffix, amount range, date range), each with
 * random values and following its cursors a few pages — and reports p50/p95/max. The database is made
 * for the bench and dropped after it.
 */
export async function benchAdmin(n = 1_000_000): Promise<AdminBenchResult> {
  const dbName = `fb_admin_${Date.now()}`;
  const c = new pg.Client({ connectionString: PG_ADMIN });
  await c.connect();
  await c.query(`CREATE DATABASE ${dbName}`);
  await c.end();
  const url = `postgres://postgres@127.0.0.1:5432/${dbName}`;
  const ds = await openDatabase({ url });
  try {
    const now = new Date();
    const t0 = process.hrtime.bigint();
    await seedAdminLedger(ds, n, now);
    const seedSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    return { transfers: n, seedSeconds, ...(await searchAdmin(ds, n, now)) };
  } finally {
    await ds.destroy();
    const d = new pg.Client({ connectionString: PG_ADMIN });
    await d.connect();
    await d.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await d.end();
  }
}

/** The scenarios, on a ledger seeded by {@link seedAdminLedger} with `n` transfers up to `now`. */
export async function searchAdmin(ds: DataSource, n: number, now: Date): Promise<Pick<AdminBenchResult, 'scenarios' | 'dashboardMs' | 'unknownsMs'>> {
  const q = new AdminQueries(ds);
  const rnd = seeded(20_261_201);
  const scenarios: AdminScenario[] = [];

  // warm the caches as a running console would have them
  for (let i = 0; i < 20; i++) await q.transfers({}, { limit: PAGE });

  const run = (name: string, pick: () => Search, skip = 0) => measure(q, name, pick, skip);
  const day = () => new Date(now.getTime() - Math.floor(rnd() * SPAN_DAYS) * DAY_MS);
  scenarios.push(await run('first page', () => ({ filter: {}, pages: 1 })));
  // pages 201–400 of one chain of cursors: 10,000 rows in and deeper
  scenarios.push(await run('deep pages (cursor chain, pages 201–400)', () => ({ filter: {}, pages: 2 * CALLS }), CALLS));
  scenarios.push(await run('state = unknown (0.5 %)', () => ({ filter: { state: 'unknown' }, pages: 5 })));
  scenarios.push(await run('state = failed (10 %)', () => ({ filter: { state: 'failed' }, pages: 5 })));
  scenarios.push(await run('service = payroll (40 %)', () => ({ filter: { service: 'payroll' }, pages: 5 })));
  scenarios.push(await run('service = audit-rare (1 %)', () => ({ filter: { service: 'audit-rare' }, pages: 5 })));
  scenarios.push(await run('accountSuffix (4 random digits)', () => ({ filter: { accountSuffix: digits(rnd, 4) }, pages: 5 })));
  scenarios.push(await run('accountSuffix (6 random digits)', () => ({ filter: { accountSuffix: digits(rnd, 6) }, pages: 5 })));
  scenarios.push(await run('accountSuffix (1 random digit)', () => ({ filter: { accountSuffix: digits(rnd, 1) }, pages: 5 })));
  scenarios.push(
    await run('amount range (random, 5 % wide)', () => {
      const low = 1 + Math.floor(Math.exp(rnd() * 16));
      return { filter: { minAmount: String(low), maxAmount: String(Math.floor(low * 1.05)) }, pages: 5 };
    }),
  );
  scenarios.push(
    await run('exact amount (random)', () => {
      const v = String(1 + Math.floor(Math.exp(rnd() * 12)));
      return { filter: { minAmount: v, maxAmount: v }, pages: 5 };
    }),
  );
  scenarios.push(await run('minAmount ≥ 5,000,000', () => ({ filter: { minAmount: '5000000' }, pages: 5 })));
  scenarios.push(
    await run('date range (random day)', () => {
      const from = day();
      return { filter: { from, to: new Date(from.getTime() + DAY_MS) }, pages: 5 };
    }),
  );
  scenarios.push(
    await run('service + state + week', () => {
      const from = day();
      return { filter: { service: 'shop', state: 'failed', from, to: new Date(from.getTime() + 7 * DAY_MS) }, pages: 5 };
    }),
  );
  scenarios.push(await run('requestId (random)', () => ({ filter: { requestId: `req-${Math.floor(rnd() * n)}` }, pages: 1 })));

  const dashboardMs = await median(() => q.dashboard(new Date()));
  const unknownsMs = await median(() => q.unknowns(100));
  return { scenarios, dashboardMs, unknownsMs };
}

/**
 * Fills the ledger in SQL, one statement per table (the setup is not what is measured): `n` transfers in
 * creation order over the 90 days up to `now`, with their random parts drawn per row.
 */
export async function seedAdminLedger(ds: DataSource, n: number, now: Date): Promise<void> {
  let cumulative = 0;
  const service = SERVICES.map(([name, share]) => `WHEN rs < ${(cumulative += share).toFixed(4)} THEN '${name}'`).join(' ');
  const spanMs = SPAN_DAYS * DAY_MS;
  await ds.query(
    `INSERT INTO transfers (id, kind, service, request_id, request_hash, institution, bank_code, company_id, withdraw_account, deposit_bank_code, deposit_account,
       amount, fee, memo, recipient_name, state, seq_no, send_date, response_code, inquiries, no_record_answers, needs_operator, created_at, updated_at)
     SELECT gen_random_uuid()::text,
            CASE WHEN rk < 0.1 THEN 'collection' ELSE 'transfer' END,
            CASE ${service} ELSE 'payroll' END,
            'req-' || i, md5(i::text),
            CASE WHEN ri < 0.7 THEN 'hecto' ELSE 'lgcns' END,
            CASE WHEN ri < 0.7 THEN '004' ELSE '088' END, 'FIRMBANK01', '12345678901234',
            (ARRAY['004', '088', '020', '081', '011', '003'])[1 + floor(ra * 6)::int],
            substr(lpad(floor(ra * 1e14)::bigint::text, 14, '0'), 1, 10 + (i % 5)),
            1 + floor(exp(rm * 16))::bigint,
            CASE WHEN st = 'succeeded' THEN 500 ELSE NULL END,
            '급여', '홍길동', st,
            CASE WHEN st = 'requested' THEN NULL ELSE lpad(((i % 900000) + 1)::text, 6, '0') END,
            CASE WHEN st = 'requested' THEN NULL ELSE to_char(at AT TIME ZONE 'Asia/Seoul', 'YYYY-MM-DD') END,
            CASE st WHEN 'succeeded' THEN '0000' WHEN 'failed' THEN 'E101' ELSE NULL END,
            CASE WHEN st = 'unknown' THEN 3 ELSE 0 END, 0,
            st = 'unknown' AND rk > 0.8,
            at, at + interval '2 seconds'
       FROM (
         SELECT i, rs, ri, rk, ra, rm, at,
                CASE WHEN i >= ${n - 200} THEN (CASE WHEN i % 2 = 0 THEN 'requested' ELSE 'sending' END)
                     WHEN rst < 0.005 THEN 'unknown' WHEN rst < 0.01 THEN 'reversed' WHEN rst < 0.11 THEN 'failed' ELSE 'succeeded' END AS st
           FROM (
             SELECT i, random() AS rs, random() AS ri, random() AS rk, random() AS ra, random() AS rm, random() AS rst,
                    date_trunc('milliseconds', CAST($1 AS TIMESTAMPTZ) - (${n - 1} - i) * (${spanMs} / ${n}.0) * interval '1 millisecond' + random() * interval '2 seconds') AS at
               FROM generate_series(0, ${n - 1}) AS g(i)
           ) r
       ) s`,
    [now.toISOString()],
  );
  // The history a console reads: when each unknown one became unknown, and the last two hours' moves.
  await ds.query(
    `INSERT INTO transfer_events (transfer_id, from_state, to_state, reason, at)
     SELECT id, 'sending', 'unknown', 'no answer in time', created_at + interval '30 seconds' FROM transfers WHERE state = 'unknown'`,
  );
  await ds.query(
    `INSERT INTO transfer_events (transfer_id, from_state, to_state, reason, at)
     SELECT id, 'sending', state, 'answered', created_at + interval '1 second' FROM transfers
      WHERE created_at >= CAST($1 AS TIMESTAMPTZ) - interval '2 hours' AND state IN ('succeeded', 'failed')`,
    [now.toISOString()],
  );
  await ds.query('ANALYZE');
}

/** One search of a scenario: the filter, and how many pages of it to follow. */
interface Search {
  readonly filter: TransferSearch;
  readonly pages: number;
}

/**
 * Times each page on its own, search after search as `pick` draws them (following each one's cursors for
 * its pages), until {@link CALLS} pages were timed; the first `skip` pages of each search are fetched but
 * not timed (the deep-pages scenario times pages 201–400 only).
 */
async function measure(q: AdminQueries, name: string, pick: () => Search, skip = 0): Promise<AdminScenario> {
  const times: number[] = [];
  let rows = 0;
  while (times.length < CALLS) {
    const { filter, pages } = pick();
    let after: string | undefined;
    for (let p = 0; p < pages && times.length < CALLS; p++) {
      const t = process.hrtime.bigint();
      const page = await q.transfers(filter, after === undefined ? { limit: PAGE } : { after, limit: PAGE });
      if (p >= skip) {
        times.push(Number(process.hrtime.bigint() - t) / 1e6);
        rows += page.items.length;
      }
      if (page.next === null) break;
      after = page.next;
    }
  }
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)]!;
  return { name, calls: times.length, rows: rows / times.length, p50: at(0.5), p95: at(0.95), max: times[times.length - 1]! };
}

async function median(fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 21; i++) {
    const t = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[10]!;
}

function digits(rnd: () => number, k: number): string {
  return Array.from({ length: k }, () => String(Math.floor(rnd() * 10))).join('');
}

/** A small deterministic generator (mulberry32): the same searches on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function adminTable(r: AdminBenchResult): string {
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  const rows = r.scenarios.map((s) => `| ${s.name} | ${s.calls} | ${s.rows.toFixed(1)} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.max)} |`);
  return [
    `admin transfer search, PostgreSQL, ${r.transfers.toLocaleString('en-US')} transfers (seeded in ${r.seedSeconds.toFixed(0)} s), limit ${PAGE}`,
    '',
    `| search | calls | rows/page | p50 | p95 (target ≤ ${ADMIN_P95_TARGET_MS} ms) | max |`,
    '|---|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    `dashboard (median of 21): ${ms(r.dashboardMs)}; unknowns queue, 100 (median of 21): ${ms(r.unknownsMs)}`,
  ].join('\n');
}

/** Throws (after the table is printed) when a scenario's p95 is over the target: `npm run bench -- admin` exits 1. */
export function assertAdminTargets(r: AdminBenchResult): void {
  const slow = r.scenarios.filter((s) => s.p95 > ADMIN_P95_TARGET_MS);
  if (slow.length) throw new Error(`admin search over the p95 target of ${ADMIN_P95_TARGET_MS} ms: ${slow.map((s) => `${s.name} (${s.p95.toFixed(1)} ms)`).join(', ')}`);
}
