import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { openDatabase } from '../src/ledger/data-source.js';
import { LedgerMetricsQueries } from '../src/ledger/metrics-queries.js';
import { Sql } from '../src/ledger/sql.js';
import type { LedgerSnapshot, MetricSources } from '../src/metrics/metric-sources.js';
import { Metrics } from '../src/metrics/metrics.js';
import { insertDayRows } from './helpers/day-rows.js';
import { freshDatabase } from './helpers/gateway.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** One sample of the text exposition. */
interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A small parser of Prometheus' text format: enough for what prom-client writes. */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\(.)/g, '$1');
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

async function scrape(metrics: Metrics): Promise<Sample[]> {
  return parseExposition((await metrics.render()).body);
}

/** The value of the one sample with this name and (at least) these labels; undefined if there is none. */
function value(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

const series = (samples: readonly Sample[], name: string) => samples.filter((s) => s.name === name);

describe('Metrics: event methods', () => {
  it('moves the series each method names, with only the labels it is given', async () => {
    const m = new Metrics({ processMetrics: false });
    m.linkRoundTrip('hecto', 'transfer', 0.042, 'answered');
    m.linkRoundTrip('hecto', 'transfer', 12, 'unknown');
    m.telegram('hecto', 'out', 'transfer');
    m.telegram('hecto', 'out', 'transfer');
    m.telegram('hecto', 'in', 'depositNotice');
    m.answer('hecto', 'transfer', 'success');
    m.answer('hecto', 'transfer', 'rejected');
    m.answer('hecto', 'transfer', 'rejected');
    m.transferTransition('hecto', 'sending', 'unknown');
    m.inquiry('hecto', 'not-answered');
    m.transferFirstSend('hecto', 'direct');
    m.transferFirstSend('hecto', 'queued');
    m.transferFirstSend('hecto', 'queued');
    m.jobLatency('transfers-hecto-004', 'send', 0.3);
    m.jobLatency('transfers-hecto-004', 'inquire', -1); // clocks of two processes: never below 0
    m.apiRequest('POST', '/v1/transfers', 201, 0.02);
    m.apiRequest('get', '/v1/transfers/:id', 200, 0.004);
    m.apiRequest('GET', undefined, 404, 0.001);
    m.apiRequest('GET', '/v1/transfers/110123456789', 404, 0.001); // a raw URL by mistake: not stored
    m.apiRequest('BREW', null, 500, 0.001);
    m.breakerTransition('hecto', 'closed', 'open');
    const s = await scrape(m);

    expect(value(s, 'firmbank_link_round_trip_seconds_count', { institution: 'hecto', message: 'transfer', outcome: 'answered' })).toBe(1);
    expect(value(s, 'firmbank_link_round_trip_seconds_bucket', { outcome: 'answered', le: '0.05' })).toBe(1);
    expect(value(s, 'firmbank_link_round_trip_seconds_bucket', { outcome: 'answered', le: '0.025' })).toBe(0);
    expect(value(s, 'firmbank_link_round_trip_seconds_bucket', { outcome: 'unknown', le: '20' })).toBe(1);
    expect(value(s, 'firmbank_link_round_trip_seconds_bucket', { outcome: 'unknown', le: '10' })).toBe(0);
    expect(value(s, 'firmbank_link_round_trip_seconds_sum', { outcome: 'unknown' })).toBe(12);
    expect(value(s, 'firmbank_telegrams_total', { institution: 'hecto', direction: 'out', message: 'transfer' })).toBe(2);
    expect(value(s, 'firmbank_telegrams_total', { direction: 'in', message: 'depositNotice' })).toBe(1);
    expect(value(s, 'firmbank_answers_total', { message: 'transfer', response_class: 'rejected' })).toBe(2);
    expect(value(s, 'firmbank_answers_total', { message: 'transfer', response_class: 'success' })).toBe(1);
    expect(value(s, 'firmbank_transfer_transitions_total', { institution: 'hecto', from: 'sending', to: 'unknown' })).toBe(1);
    expect(value(s, 'firmbank_inquiries_total', { institution: 'hecto', result: 'not-answered' })).toBe(1);
    expect(value(s, 'firmbank_transfer_first_sends_total', { institution: 'hecto', how: 'direct' })).toBe(1);
    expect(value(s, 'firmbank_transfer_first_sends_total', { institution: 'hecto', how: 'queued' })).toBe(2);
    expect(value(s, 'firmbank_job_latency_seconds_count', { queue: 'transfers-hecto-004', kind: 'send' })).toBe(1);
    expect(value(s, 'firmbank_job_latency_seconds_sum', { kind: 'inquire' })).toBe(0);
    expect(value(s, 'firmbank_api_request_duration_seconds_count', { method: 'POST', route: '/v1/transfers', status: '201' })).toBe(1);
    expect(value(s, 'firmbank_api_request_duration_seconds_count', { method: 'GET', route: '/v1/transfers/:id', status: '200' })).toBe(1);
    expect(value(s, 'firmbank_api_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status: '404' })).toBe(2);
    expect(value(s, 'firmbank_api_request_duration_seconds_count', { method: 'OTHER', route: 'unmatched', status: '500' })).toBe(1);
    expect(value(s, 'firmbank_breaker_transitions_total', { institution: 'hecto', from: 'closed', to: 'open' })).toBe(1);
    // Every source's error counter is there from the start, at 0.
    expect(series(s, 'firmbank_scrape_errors_total').map((x) => [x.labels['source'], x.value])).toEqual([
      ['links', 0], ['breakers', 0], ['switches', 0], ['queues', 0], ['ledger', 0],
    ]);
    // No label value carries anything but what was passed as an id, name, state or pattern.
    expect(s.some((x) => Object.values(x.labels).some((v) => v.includes('110123456789')))).toBe(false);
  });

  it('keeps two instances apart (each its own registry) and can add Node process metrics', async () => {
    const a = new Metrics();
    const b = new Metrics();
    a.telegram('hecto', 'out', 'transfer');
    expect(value(await scrape(a), 'firmbank_telegrams_total', { message: 'transfer' })).toBe(1);
    expect(value(await scrape(b), 'firmbank_telegrams_total', { message: 'transfer' })).toBeUndefined();
    expect(series(await scrape(a), 'firmbank_process_cpu_user_seconds_total')).toHaveLength(1);
    const { contentType } = await a.render();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });
});

const LEDGER: LedgerSnapshot = {
  transfers: [
    { institution: 'hecto', state: 'succeeded', count: 1200 },
    { institution: 'hecto', state: 'unknown', count: 3 },
  ],
  unknowns: [{ institution: 'hecto', open: 3, needOperator: 1, oldestSince: new Date('2026-03-02T00:50:00Z') }],
  sequences: [{ institution: 'hecto', bankCode: '004', companyId: 'FIRMBANK01', used: 800_000, max: 950_000 }],
  reconBreaks: [
    { institution: 'hecto', category: 'ours-only', open: 2 },
    { institution: 'hecto', category: 'notice-gap', open: 1 },
  ],
};

describe('Metrics: sources read on scrape', () => {
  const now = Date.parse('2026-03-02T01:00:00Z');

  function sources(overrides: Partial<MetricSources> = {}): MetricSources {
    return {
      links: () => [
        { institution: 'hecto', link: 0, state: 'ready', inFlight: 4 },
        { institution: 'hecto', link: 1, state: 'waiting', inFlight: 0 },
      ],
      breakers: () => [{ institution: 'hecto', state: 'half-open' }],
      switches: () => [{ scope: 'hecto', flow: 'transfer', state: 'hold' }],
      queues: async () => [{ queue: 'transfers-hecto-004', waiting: 7, active: 2, delayed: 1, failed: 0 }],
      ledger: async () => LEDGER,
      ...overrides,
    };
  }

  it('writes every gauge from its source', async () => {
    const m = new Metrics({ processMetrics: false, now: () => now });
    m.setSources(sources());
    const s = await scrape(m);
    expect(value(s, 'firmbank_link_up', { institution: 'hecto', link: '0' })).toBe(1);
    expect(value(s, 'firmbank_link_up', { institution: 'hecto', link: '1' })).toBe(0);
    expect(value(s, 'firmbank_link_state', { link: '1', state: 'waiting' })).toBe(1);
    expect(series(s, 'firmbank_link_state').filter((x) => x.labels['link'] === '1')).toHaveLength(7);
    expect(series(s, 'firmbank_link_state').filter((x) => x.labels['link'] === '1' && x.value === 1)).toHaveLength(1);
    expect(value(s, 'firmbank_link_connections', { institution: 'hecto' })).toBe(2);
    expect(value(s, 'firmbank_link_in_flight', { link: '0' })).toBe(4);
    expect(value(s, 'firmbank_breaker_state', { institution: 'hecto' })).toBe(1);
    expect(value(s, 'firmbank_switch_state', { scope: 'hecto', flow: 'transfer', state: 'hold' })).toBe(1);
    expect(value(s, 'firmbank_switch_state', { scope: 'hecto', flow: 'transfer', state: 'on' })).toBe(0);
    expect(value(s, 'firmbank_queue_jobs', { queue: 'transfers-hecto-004', status: 'waiting' })).toBe(7);
    expect(value(s, 'firmbank_queue_jobs', { status: 'failed' })).toBe(0);
    expect(value(s, 'firmbank_transfers', { institution: 'hecto', state: 'succeeded' })).toBe(1200);
    expect(value(s, 'firmbank_transfers', { institution: 'hecto', state: 'reversed' })).toBe(0); // every state, 0 when none
    expect(value(s, 'firmbank_unknown_outcomes_open', { institution: 'hecto' })).toBe(3);
    expect(value(s, 'firmbank_unknown_outcomes_need_operator', { institution: 'hecto' })).toBe(1);
    expect(value(s, 'firmbank_unknown_outcome_oldest_age_seconds', { institution: 'hecto' })).toBe(600);
    expect(value(s, 'firmbank_seq_used', { institution: 'hecto', bank_code: '004', company_id: 'FIRMBANK01' })).toBe(800_000);
    expect(value(s, 'firmbank_seq_max', { bank_code: '004' })).toBe(950_000);
    expect(value(s, 'firmbank_seq_remaining', { bank_code: '004' })).toBe(150_000);
    expect(value(s, 'firmbank_recon_breaks_open', { institution: 'hecto', category: 'ours-only' })).toBe(2);
    expect(value(s, 'firmbank_notice_gaps_open', { institution: 'hecto' })).toBe(1);
  });

  it('reads the sources again at every scrape: series whose subject is gone disappear', async () => {
    let clock = now;
    let breaks = LEDGER.reconBreaks;
    const m = new Metrics({ processMetrics: false, now: () => clock });
    m.setSources(sources({ ledger: async () => ({ ...LEDGER, reconBreaks: breaks }) }));
    await scrape(m);
    clock += 60_000;
    breaks = [];
    const s = await scrape(m);
    expect(value(s, 'firmbank_unknown_outcome_oldest_age_seconds', { institution: 'hecto' })).toBe(660);
    expect(series(s, 'firmbank_recon_breaks_open')).toEqual([]);
    expect(value(s, 'firmbank_notice_gaps_open', { institution: 'hecto' })).toBe(0);
  });

  it('counts a failing source and still renders the others', async () => {
    const m = new Metrics({ processMetrics: false, now: () => now });
    m.setSources(
      sources({
        queues: async () => {
          throw new Error('redis down');
        },
        breakers: () => {
          throw new Error('synchronous failure');
        },
      }),
    );
    await scrape(m);
    const s = await scrape(m);
    expect(value(s, 'firmbank_scrape_errors_total', { source: 'queues' })).toBe(2);
    expect(value(s, 'firmbank_scrape_errors_total', { source: 'breakers' })).toBe(2);
    expect(value(s, 'firmbank_scrape_errors_total', { source: 'ledger' })).toBe(0);
    expect(series(s, 'firmbank_queue_jobs')).toEqual([]);
    expect(series(s, 'firmbank_breaker_state')).toEqual([]);
    expect(value(s, 'firmbank_link_up', { link: '0' })).toBe(1);
    expect(value(s, 'firmbank_transfers', { state: 'succeeded' })).toBe(1200);
  });

  it('lets scrapes that come together share one read of the sources', async () => {
    let reads = 0;
    const m = new Metrics({ processMetrics: false, now: () => now });
    m.setSources(
      sources({
        ledger: async () => {
          reads++;
          await new Promise((r) => setTimeout(r, 20));
          return LEDGER;
        },
      }),
    );
    const [a, b] = await Promise.all([m.render(), m.render()]);
    expect(reads).toBe(1);
    expect(a.body).toBe(b.body);
    await m.render();
    expect(reads).toBe(2);
  });

  it('renders with no sources set', async () => {
    const s = await scrape(new Metrics({ processMetrics: false }));
    expect(series(s, 'firmbank_link_up')).toEqual([]);
  });
});

/** Every `firmbank_…` name in a PromQL expression (and the labels matched on it, when it has a selector). */
function namesIn(expr: string): { name: string; labels: string[] }[] {
  return [...expr.matchAll(/\b(firmbank_[a-zA-Z0-9_:]*)(\{([^}]*)\})?/g)].map((m) => ({
    name: m[1]!,
    labels: [...(m[3] ?? '').matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)].map((l) => l[1]!),
  }));
}

/**
 * What is wrong with the metric names an expression uses: names that are not in the registry (a
 * histogram's `_bucket`, `_sum` and `_count` count as the histogram), and label matchers on labels
 * the metric does not have.
 */
function problems(exprs: readonly string[], registry: Metrics['registry']): string[] {
  const out: string[] = [];
  const targetLabels = ['instance', 'job'];
  for (const expr of exprs) {
    for (const { name, labels } of namesIn(expr)) {
      const base = /^(.*)_(bucket|sum|count)$/.exec(name)?.[1];
      const histogram = base === undefined ? undefined : registry.getMetricsAsArray().find((m) => m.name === base && String(m.type) === 'histogram');
      const metric = registry.getSingleMetric(name) ?? histogram;
      const isHistogramPart = !registry.getSingleMetric(name) && histogram !== undefined;
      if (!metric) {
        out.push(`${name} (in ${expr.trim()}) is no metric of the registry`);
        continue;
      }
      const known = [...((metric as unknown as { labelNames: string[] }).labelNames ?? []), ...targetLabels, ...(isHistogramPart && name.endsWith('_bucket') ? ['le'] : [])];
      for (const l of labels) if (!known.includes(l)) out.push(`${name} has no label ${l} (in ${expr.trim()})`);
    }
  }
  return out;
}

function dashboardExprs(): string[] {
  const d = JSON.parse(readFileSync(`${ROOT}ops/grafana/firmbank-dashboard.json`, 'utf8')) as {
    panels: { type: string; targets?: { expr: string }[] }[];
    templating: { list: { query: string | { query: string } }[] };
  };
  return [
    ...d.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
    ...d.templating.list.map((v) => (typeof v.query === 'string' ? v.query : v.query.query)),
  ];
}

function alertRules(): { alert: string; expr: string; for?: string; labels?: { severity?: string }; annotations?: { summary?: string } }[] {
  const y = parseYaml(readFileSync(`${ROOT}ops/prometheus/alerts.yml`, 'utf8')) as { groups: { name: string; rules: ReturnType<typeof alertRules> }[] };
  return y.groups.flatMap((g) => g.rules);
}

describe('ops/: the dashboard and the alert rules name only metrics that exist', () => {
  const registry = new Metrics({ processMetrics: false }).registry;

  it('finds the names in an expression, and would catch a misspelt name or label', () => {
    expect(namesIn('sum by (q) (rate(firmbank_job_latency_seconds_count{queue=~"$queue", kind!="x"}[5m])) / firmbank_seq_max')).toEqual([
      { name: 'firmbank_job_latency_seconds_count', labels: ['queue', 'kind'] },
      { name: 'firmbank_seq_max', labels: [] },
    ]);
    expect(problems(['firmbank_link_up == 0', 'rate(firmbank_api_request_duration_seconds_bucket{le="1"}[5m])'], registry)).toEqual([]);
    expect(problems(['sum(firmbank_link_upp) == 0'], registry)).toEqual(['firmbank_link_upp (in sum(firmbank_link_upp) == 0) is no metric of the registry']);
    expect(problems(['firmbank_seq_used_count'], registry)).toHaveLength(1); // a gauge has no _count
    expect(problems(['firmbank_link_up{institutoin="hecto"}'], registry)).toHaveLength(1);
    expect(problems(['firmbank_link_up{le="1"}'], registry)).toHaveLength(1);
  });

  it('dashboard: a Grafana dashboard over a ${DS_PROMETHEUS} input, with an institution variable', () => {
    const d = JSON.parse(readFileSync(`${ROOT}ops/grafana/firmbank-dashboard.json`, 'utf8')) as Record<string, unknown> & {
      __inputs: { name: string }[];
      panels: { id: number; type: string; datasource?: { uid: string }; targets?: unknown[] }[];
      templating: { list: { name: string }[] };
    };
    expect(d.__inputs.map((i) => i.name)).toEqual(['DS_PROMETHEUS']);
    expect(d['schemaVersion']).toBeGreaterThanOrEqual(36);
    expect(d.templating.list.map((v) => v.name)).toContain('institution');
    const shown = d.panels.filter((p) => p.type !== 'row');
    expect(new Set(d.panels.map((p) => p.id)).size).toBe(d.panels.length);
    for (const p of shown) {
      expect(p.datasource?.uid).toBe('${DS_PROMETHEUS}');
      expect(p.targets?.length).toBeGreaterThan(0);
    }
  });

  it('dashboard: every metric named exists, and every metric of the registry has a panel', () => {
    const exprs = dashboardExprs();
    expect(exprs.length).toBeGreaterThan(20);
    expect(problems(exprs, registry)).toEqual([]);
    const named = new Set(exprs.flatMap((e) => namesIn(e).map((n) => n.name.replace(/_(bucket|sum|count)$/, ''))));
    const missing = registry.getMetricsAsArray().map((m) => m.name).filter((n) => !named.has(n) && !named.has(n.replace(/_(bucket|sum|count)$/, '')));
    expect(missing).toEqual([]);
  });

  it('alerts: every rule is well formed and every metric it names exists', () => {
    const rules = alertRules();
    const names = rules.map((r) => r.alert);
    for (const wanted of ['FirmbankLinkDown', 'FirmbankBreakerOpen', 'FirmbankUnknownOutcomesOld', 'FirmbankSeqNoNearDailyMax', 'FirmbankReconciliationBreaksOpen', 'FirmbankQueueStalled', 'FirmbankApiErrors']) {
      expect(names).toContain(wanted);
    }
    expect(new Set(names).size).toBe(names.length);
    for (const r of rules) {
      expect(r.expr, r.alert).toMatch(/firmbank_/);
      expect(r.for, r.alert).toMatch(/^\d+[smh]$/);
      expect(['critical', 'warning'], r.alert).toContain(r.labels?.severity);
      expect(r.annotations?.summary, r.alert).toBeTruthy();
      // Balanced brackets: the least a PromQL parser would ask (promtool is not on every machine).
      for (const [open, close] of [['(', ')'], ['{', '}'], ['[', ']']] as const) expect(r.expr.split(open).length, `${r.alert} ${open}${close}`).toBe(r.expr.split(close).length);
    }
    expect(problems(rules.map((r) => r.expr), registry)).toEqual([]);
    expect(rules.find((r) => r.alert === 'FirmbankSeqNoNearDailyMax')!.expr).toMatch(/firmbank_seq_used \/ firmbank_seq_max\) > 0\.8$/);
    expect(rules.find((r) => r.alert === 'FirmbankUnknownOutcomesOld')!.expr).toMatch(/> 600$/);
  });
});

describe.each(['sqlite', 'postgres'] as const)('LedgerMetricsQueries on %s', (kind) => {
  let ds: DataSource;
  let drop: () => Promise<void>;
  const today = '2026-03-02';

  beforeAll(async () => {
    const db = await freshDatabase(kind);
    drop = db.drop;
    ds = await openDatabase({ url: db.url });
    const row = (id: string, state: 'succeeded' | 'failed' | 'unknown' | 'requested', institution = 'hecto') => ({ id, institution, seqNo: id.slice(-6).padStart(6, '0'), sendDate: today, amount: 1000, state });
    await insertDayRows(ds, [
      row('t-000001', 'succeeded'),
      row('t-000002', 'succeeded'),
      row('t-000003', 'failed'),
      row('t-000004', 'unknown'),
      row('t-000005', 'unknown'),
      row('t-000006', 'unknown'),
      row('t-000007', 'requested'),
      row('k-000001', 'succeeded', 'kftc'),
    ]);
    const sql = new Sql(ds);
    // t-4 became unknown at 00:10, t-5 at 00:20 (and was touched by inquiries since): the oldest is t-4.
    for (const [id, at] of [['t-000004', '2026-03-02T00:10:00Z'], ['t-000005', '2026-03-02T00:20:00Z']] as const) {
      await sql.rows(ds, 'INSERT INTO transfer_events (transfer_id, from_state, to_state, reason, at) VALUES ($1, $2, $3, $4, $5)', [id, 'sending', 'unknown', 'no answer', new Date(at)]);
    }
    // t-6 has no event (written by hand): it counts from its updated_at, 00:30.
    await sql.rows(ds, 'UPDATE transfers SET updated_at = $1, needs_operator = $2 WHERE id = $3', [new Date('2026-03-02T00:30:00Z'), true, 't-000006']);
    await sql.rows(ds, 'UPDATE transfers SET updated_at = $1 WHERE id IN ($2, $3)', [new Date('2026-03-02T00:59:00Z'), 't-000004', 't-000005']);
    await sql.rows(ds, 'INSERT INTO sequences (scope_date, bank_code, company_id, next_value) VALUES ($1, $2, $3, $4), ($5, $2, $3, $6)', [today, '004', 'FIRMBANK01', 201, '2026-03-01', 900_001]);
    let n = 0;
    const brk = (institution: string, category: string, status: string) =>
      sql.rows(ds, 'INSERT INTO recon_breaks (institution, business_date, category, subject, detail, status, first_run_id, last_run_id) VALUES ($1, $2, $3, $4, $5, $6, 1, 1)', [institution, '2026-03-01', category, `s${++n}`, 'd', status]);
    await brk('hecto', 'ours-only', 'open');
    await brk('hecto', 'ours-only', 'open');
    await brk('hecto', 'ours-only', 'resolved');
    await brk('hecto', 'notice-gap', 'open');
    await brk('kftc', 'amount-mismatch', 'resolved');
  });

  afterAll(async () => {
    await ds?.destroy();
    await drop?.();
  });

  const scopes = [
    { institution: 'hecto', bankCode: '004', companyId: 'FIRMBANK01', maxSeqNo: 950_000 },
    { institution: 'kftc', bankCode: '088', companyId: 'FIRMBANK02', maxSeqNo: 99_999 },
  ];

  it('counts transfers by state, open unknowns with the oldest, 전문번호 of the day and open breaks', async () => {
    const snap = await new LedgerMetricsQueries(ds, { sequences: scopes }).snapshot(today);
    const byKey = (xs: readonly { institution: string; state: string; count: number }[]) => Object.fromEntries(xs.map((x) => [`${x.institution} ${x.state}`, x.count]));
    expect(byKey(snap.transfers)).toEqual({ 'hecto succeeded': 2, 'hecto failed': 1, 'hecto unknown': 3, 'hecto requested': 1, 'kftc succeeded': 1 });
    expect(snap.unknowns).toEqual([{ institution: 'hecto', open: 3, needOperator: 1, oldestSince: new Date('2026-03-02T00:10:00Z') }]);
    expect(snap.sequences).toEqual([
      { institution: 'hecto', bankCode: '004', companyId: 'FIRMBANK01', used: 200, max: 950_000 },
      { institution: 'kftc', bankCode: '088', companyId: 'FIRMBANK02', used: 0, max: 99_999 },
    ]);
    const breaks = Object.fromEntries(snap.reconBreaks.map((b) => [`${b.institution} ${b.category}`, b.open]));
    expect(breaks).toEqual({ 'hecto ours-only': 2, 'hecto notice-gap': 1 });
  });

  it('counts the day it is asked for, and never more than the maximum', async () => {
    const snap = await new LedgerMetricsQueries(ds, { sequences: [{ ...scopes[0]!, maxSeqNo: 800_000 }] }).snapshot('2026-03-01');
    expect(snap.sequences).toEqual([{ institution: 'hecto', bankCode: '004', companyId: 'FIRMBANK01', used: 800_000, max: 800_000 }]);
  });

  it('serves one snapshot for cacheMs, then reads the ledger again', async () => {
    let clock = 0;
    const q = new LedgerMetricsQueries(ds, { sequences: scopes, cacheMs: 10_000, now: () => clock });
    const first = await q.snapshot(today);
    await new Sql(ds).rows(ds, 'UPDATE transfers SET state = $1 WHERE id = $2', ['failed', 't-000007']);
    clock = 9_999;
    expect(await q.snapshot(today)).toBe(first);
    expect(await q.snapshot('2026-03-03')).not.toBe(first); // a new day is read at once
    clock = 30_000;
    const later = await q.snapshot(today);
    expect(later.transfers.find((t) => t.institution === 'hecto' && t.state === 'requested')).toBeUndefined();
    const [a, b] = await Promise.all([q.snapshot('2026-03-04'), q.snapshot('2026-03-04')]);
    expect(a).toBe(b);
  });

  it('feeds the gauges through Metrics', async () => {
    const q = new LedgerMetricsQueries(ds, { sequences: scopes });
    const m = new Metrics({ processMetrics: false, now: () => Date.parse('2026-03-02T01:00:00Z') });
    m.setSources({ ledger: () => q.snapshot(today) });
    const s = await scrape(m);
    expect(value(s, 'firmbank_unknown_outcome_oldest_age_seconds', { institution: 'hecto' })).toBe(3000);
    expect(value(s, 'firmbank_unknown_outcome_oldest_age_seconds', { institution: 'kftc' })).toBe(0);
    expect(value(s, 'firmbank_seq_used', { institution: 'hecto' })).toBe(200);
    expect(value(s, 'firmbank_notice_gaps_open', { institution: 'hecto' })).toBe(1);
    expect(value(s, 'firmbank_scrape_errors_total', { source: 'ledger' })).toBe(0);
  });
});
