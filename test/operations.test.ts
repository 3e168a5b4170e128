import { randomBytes } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../src/gateway/gateway.js';
import type { TransferRow } from '../src/ledger/entities.js';
import type { BankSimulator } from '../src/sim/bank-simulator.js';
import { freshPostgres, freshSqlite, startGateway, testConfig } from './helpers/gateway.js';
import { eventually } from './helpers/link.js';
import { adminRequest, operator, type OperatorClient } from './helpers/operators.js';

const BODY = { bankCode: '088', account: '110123456789', amount: '15000', memo: '급여', recipientName: '홍길동' };

/** A gateway's API as a test calls it, with one service key. */
function client(gw: Gateway, key: string) {
  const base = `http://127.0.0.1:${gw.apiPort}`;
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  return {
    transfer: async (requestId: string, wait = 0) => {
      const res = await fetch(`${base}/v1/transfers`, { method: 'POST', headers: { ...headers, prefer: `wait=${wait}` }, body: JSON.stringify({ requestId, ...BODY }) });
      return { status: res.status, body: (await res.json()) as Record<string, string> };
    },
    get: async (path: string) => {
      const res = await fetch(`${base}${path}`, { headers });
      return { status: res.status, text: await res.text() };
    },
  };
}

/** Sets a switch through a gateway's admin API, as the operator `who` (an admin) from the console. */
async function setSwitch(gw: Gateway, who: OperatorClient, name: string, state: string, reason = 'test: bank maintenance') {
  const res = await adminRequest(`http://127.0.0.1:${gw.apiPort}`, 'PUT', `/admin/api/switches/${name}`, { state, reason }, who.cookie, who.csrf);
  return { status: res.status, body: res.body };
}

/** Every sample of one metric in a Prometheus text exposition: labels → value. */
function samples(text: string, name: string): { labels: Record<string, string>; value: number }[] {
  const out: { labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-z_:][a-z0-9_:]*)(?:\{(.*)\})? (\S+)$/i.exec(line);
    if (!m || m[1] !== name) continue;
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
    out.push({ labels, value: Number(m[3]) });
  }
  return out;
}

const sum = (xs: { value: number }[]) => xs.reduce((a, x) => a + x.value, 0);

/** What the bank applied equals what we say succeeded, 전문번호 for 전문번호. */
async function invariant(gw: Gateway, sim: BankSimulator): Promise<void> {
  const ours = await gw.ledger.ds.getRepository<TransferRow>('Transfer').findBy({ state: 'succeeded' });
  expect(ours.map((t) => `${t.sendDate}|${t.seqNo}`).sort()).toEqual(sim.ledger.applied().map((t) => `${t.date}|${t.seqNo}`).sort());
}

describe('switches across two gateway processes sharing PostgreSQL and Redis', () => {
  let a: Gateway;
  let b: Gateway;
  let sim: BankSimulator;
  let drop = async () => {};
  let admin: string;
  let viewer: string;
  let ops: OperatorClient;
  let looker: OperatorClient;

  beforeAll(async () => {
    const db = await freshPostgres();
    drop = db.drop;
    const prefix = `fbops-${randomBytes(4).toString('hex')}`;
    a = await startGateway({ ...testConfig(db.url, {}, prefix), switchPollMs: 500 });
    sim = a.institutions.get('hecto')!.simulator!;
    // The second gateway talks to the first one's bank: one bank, two processes, one queue.
    b = await startGateway({ ...testConfig(db.url, { simulator: false, port: sim.port }, prefix), switchPollMs: 500 });
    admin = await a.apiKeys.create('ops', new Decimal('5000000'), ['transfers', 'metrics']);
    ops = await operator(a.ds, `http://127.0.0.1:${a.apiPort}`, 'ops', 'admin');
    looker = await operator(a.ds, `http://127.0.0.1:${a.apiPort}`, 'looker', 'viewer');
    viewer = await a.apiKeys.create('payroll', new Decimal('5000000'), ['transfers']);
  }, 60_000);

  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await drop();
  });

  it('an off switch set through one process refuses transfers in the other within a second, naming the switch', async () => {
    const set = await setSwitch(b, ops, 'hecto/transfers', 'off');
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ name: 'hecto/transfers', state: 'off', by: 'operator:ops' });
    const started = Date.now();
    await eventually(() => a.switches.state('hecto', 'transfers').state === 'off', 1_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    const requestId = `off-${Date.now()}`;
    const refused = await client(a, viewer).transfer(requestId);
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ code: 'FB_SWITCH_OFF', detail: expect.stringContaining('hecto/transfers') });
    // Nothing was kept for a refused request.
    expect(await a.ledger.ds.getRepository<TransferRow>('Transfer').countBy({ requestId })).toBe(0);
    // A broader switch decides too, and is the one named.
    await setSwitch(b, ops, 'hecto/transfers', 'on');
    await setSwitch(b, ops, '*/*', 'off');
    await eventually(() => a.switches.state('hecto', 'transfers').state === 'off', 1_000);
    expect((await client(a, viewer).transfer(`off2-${Date.now()}`)).body['detail']).toContain('*/*');
    await setSwitch(b, ops, '*/*', 'on');
    await eventually(() => a.switches.state('hecto', 'transfers').state === 'on', 1_000);
  });

  it('hold: a transfer is accepted and kept, not sent; released, it is sent exactly once', async () => {
    await setSwitch(a, ops, 'hecto/transfers', 'hold');
    await eventually(() => b.switches.state('hecto', 'transfers').state === 'hold', 1_000);
    const held = await Promise.all([1, 2, 3].map((i) => client(b, viewer).transfer(`held-${i}-${Date.now()}`)));
    expect(held.map((h) => h.status)).toEqual([202, 202, 202]);
    // Both processes sweep meanwhile: nothing goes out.
    await new Promise((r) => setTimeout(r, 1_200));
    for (const h of held) expect(await a.ledger.get(h.body['id']!)).toMatchObject({ state: 'requested', seqNo: null });
    const appliedBefore = sim.ledger.applied().length;

    await setSwitch(b, ops, 'hecto/transfers', 'on', 'test: maintenance over');
    for (const h of held) await eventually(async () => (await a.ledger.get(h.body['id']!))?.state === 'succeeded', 10_000);
    expect(sim.ledger.applied().length).toBe(appliedBefore + 3);
    await invariant(a, sim);
  });

  it('notices on hold are stored and acknowledged, and applied once the switch is on', async () => {
    const sent = await client(a, viewer).transfer(`notice-${Date.now()}`, 5);
    expect(sent.body['state']).toBe('succeeded');
    const t = (await a.ledger.get(sent.body['id']!))!;
    await setSwitch(a, ops, '*/notices', 'hold');
    await eventually(() => a.switches.state('hecto', 'notices').state === 'hold' && b.switches.state('hecto', 'notices').state === 'hold', 1_000);
    await sim.pushFailureNotice(t.sendDate!, t.seqNo!); // resolves once acknowledged: it was stored
    await new Promise((r) => setTimeout(r, 600));
    expect((await a.ledger.get(t.id))!.state).toBe('succeeded');
    await setSwitch(a, ops, '*/notices', 'on');
    await eventually(async () => (await a.ledger.get(t.id))!.state === 'reversed', 5_000);
  });

  it('every change is audited (who, from, to, why); a viewer may read but not set switches, a service key neither', async () => {
    const log = await ops.get('/admin/api/switches/changes?limit=50');
    const changes = log.body.items as { name: string; from: string; to: string; changedBy: string; reason: string }[];
    expect(changes.filter((c) => c.name === 'hecto/transfers').map((c) => `${c.from}>${c.to}`)).toEqual(['hold>on', 'on>hold', 'off>on', 'on>off']);
    expect(changes.every((c) => c.changedBy === 'operator:ops' && c.reason.startsWith('test:'))).toBe(true);
    const audited = (await ops.get('/admin/api/audit?action=switch.set&limit=50')).body.items as { actor: string; target: string; before: { state: string } | null; after: { state: string } }[];
    expect(audited.filter((e) => e.target === 'switch:hecto/transfers').map((e) => `${e.before?.state ?? 'on'}>${e.after.state}`)).toEqual(['hold>on', 'on>hold', 'off>on', 'on>off']);
    expect(audited.every((e) => e.actor === 'ops')).toBe(true);
    const listed = (await looker.get('/admin/api/switches')).body as { effective: { institution: string; flow: string; state: string }[] };
    expect(listed.effective.find((e) => e.flow === 'transfers')).toMatchObject({ institution: 'hecto', state: 'on' });
    expect((await setSwitch(a, looker, 'hecto/transfers', 'off')).body).toMatchObject({ code: 'FB_ADMIN_FORBIDDEN' });
    expect((await client(a, admin).get('/admin/api/switches')).status).toBe(401);
    const bad = await setSwitch(a, ops, 'Hecto!/transfers', 'off');
    expect(bad).toMatchObject({ status: 400, body: { code: 'FB_SWITCH_INVALID' } });
    const noReason = await ops.request('PUT', '/admin/api/switches/hecto/transfers', { state: 'off' });
    expect(noReason.status).toBe(400);
    expect(a.switches.state('hecto', 'transfers').state).toBe('on');
  });

  it('/metrics needs the metrics scope, parses, and moves as transfers do', async () => {
    expect((await client(a, viewer).get('/metrics')).status).toBe(403);
    // Counters are per process, and either process's worker may send it: scrape both, as Prometheus does.
    const scrape = async () => (await client(a, admin).get('/metrics')).text + (await client(b, admin).get('/metrics')).text;
    const before = await scrape();
    const done = await client(a, viewer).transfer(`metrics-${Date.now()}`, 5);
    expect(done.body['state']).toBe('succeeded');
    const after = await scrape();
    const succeeded = (t: string) => sum(samples(t, 'firmbank_transfer_transitions_total').filter((s) => s.labels['to'] === 'succeeded'));
    expect(succeeded(after)).toBeGreaterThan(succeeded(before));
    const out = (t: string) => sum(samples(t, 'firmbank_telegrams_total').filter((s) => s.labels['direction'] === 'out' && s.labels['message'] === 'transfer.request'));
    expect(out(after)).toBeGreaterThan(out(before));
    expect(samples(after, 'firmbank_link_up').find((s) => s.labels['institution'] === 'hecto')?.value).toBe(1);
    expect(samples(after, 'firmbank_breaker_state')).toEqual([0, 1].map(() => ({ labels: { institution: 'hecto' }, value: 0 })));
    expect(samples(after, 'firmbank_switch_state').find((s) => s.labels['flow'] === 'transfers' && s.labels['state'] === 'on')?.value).toBe(1);
    expect(sum(samples(after, 'firmbank_api_request_duration_seconds_count').filter((s) => s.labels['route'] === '/v1/transfers'))).toBeGreaterThan(0);
    expect(samples(after, 'firmbank_seq_used').length).toBe(2);
    // No label carries an account number or a name.
    expect(after).not.toContain('110123456789');
    expect(after).not.toContain('홍길동');
  });
});

describe('the circuit breaker of a bank link, against the simulator', () => {
  let gw: Gateway;
  let sim: BankSimulator;
  let key: string;

  beforeAll(async () => {
    gw = await startGateway(testConfig(freshSqlite(), { requestTimeoutMs: 500, inquiryDelayMs: 50, breaker: { failures: 3, openMs: 400, whileOpen: 'wait' } }));
    sim = gw.institutions.get('hecto')!.simulator!;
    key = await gw.apiKeys.create('payroll', new Decimal('5000000'), ['transfers', 'metrics']);
  }, 60_000);

  afterAll(async () => {
    await gw?.stop();
  });

  const breaker = () => gw.institutions.get('hecto')!.link.breaker;

  it('no answers: opens, holds new transfers unsent, probes with the test call, closes when the bank answers; nothing moved twice, nothing failed', async () => {
    sim.faults.arm('no-answer', { count: Infinity });
    const first = await Promise.all([1, 2, 3].map((i) => client(gw, key).transfer(`na-${i}`)));
    await eventually(() => breaker().state !== 'closed', 5_000);
    for (const t of first) await eventually(async () => (await gw.ledger.get(t.body['id']!))?.state === 'unknown', 5_000);

    // While open: accepted, kept, not written to the socket.
    const waiting = await client(gw, key).transfer('na-while-open');
    expect(waiting.status).toBe(202);
    await new Promise((r) => setTimeout(r, 1_000)); // a probe or two goes out, and gets no answer either
    expect(breaker().state).not.toBe('closed');
    expect(await gw.ledger.get(waiting.body['id']!)).toMatchObject({ state: 'requested', seqNo: null });
    const metrics = (await client(gw, key).get('/metrics')).text;
    expect(samples(metrics, 'firmbank_breaker_state')[0]?.value).toBeGreaterThan(0);
    const ready = JSON.parse((await client(gw, key).get('/ready')).text) as { detail: { breakers: Record<string, string> } };
    expect(ready.detail.breakers['hecto']).not.toBe('closed');

    sim.faults.clear();
    await eventually(() => breaker().state === 'closed', 5_000);
    for (const t of [...first, waiting]) await eventually(async () => (await gw.ledger.get(t.body['id']!))?.state === 'succeeded', 10_000);
    const all = await gw.ledger.ds.getRepository<TransferRow>('Transfer').find();
    expect(all.filter((t) => t.state === 'failed')).toEqual([]);
    await invariant(gw, sim);
  });

  it('refused connections open it too; the bank back, it closes and what waited is sent', async () => {
    sim.faults.refuseConnections = true;
    sim.dropConnections();
    await eventually(() => breaker().state !== 'closed', 10_000);
    const waiting = await client(gw, key).transfer('refused-while-open');
    expect(waiting.status).toBe(202);
    sim.faults.refuseConnections = false;
    await eventually(() => breaker().state === 'closed', 10_000);
    await eventually(async () => (await gw.ledger.get(waiting.body['id']!))?.state === 'succeeded', 10_000);
    await invariant(gw, sim);
  });
});

describe('a breaker configured to refuse while open', () => {
  let gw: Gateway;

  beforeAll(async () => {
    gw = await startGateway(testConfig(freshSqlite(), { requestTimeoutMs: 300, breaker: { failures: 1, openMs: 60_000, whileOpen: 'refuse' } }));
  }, 60_000);

  afterAll(async () => {
    await gw?.stop();
  });

  it('answers new transfers 503 with Retry-After, and keeps nothing', async () => {
    const key = await gw.apiKeys.create('payroll', new Decimal('5000000'), ['transfers']);
    const sim = gw.institutions.get('hecto')!.simulator!;
    sim.faults.arm('no-answer-unapplied', { count: Infinity });
    await client(gw, key).transfer('opens-it');
    await eventually(() => gw.institutions.get('hecto')!.link.breaker.state === 'open', 5_000);
    const res = await fetch(`http://127.0.0.1:${gw.apiPort}/v1/transfers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ requestId: 'refused', ...BODY }),
    });
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await res.json()) as { code: string }).code).toBe('FB_BREAKER_OPEN');
    expect(await gw.ledger.ds.getRepository<TransferRow>('Transfer').countBy({ requestId: 'refused' })).toBe(0);
  });
});
