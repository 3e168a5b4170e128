import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../src/gateway/gateway.js';
import type { BankSimulator } from '../src/sim/bank-simulator.js';
import { freshPostgres, startGateway, testConfig } from './helpers/gateway.js';
import { eventually } from './helpers/link.js';
import { adminRequest, createOperator, login, operator, TEST_PASSWORD, type OperatorAnswer, type OperatorClient } from './helpers/operators.js';
import { ROOT } from './helpers/specs.js';

/** The admin API's contract: every route, its least role (`x-role`), its answers' schemas. */
const CONTRACT = parse(readFileSync(join(ROOT, 'admin/openapi.yaml'), 'utf8')) as {
  paths: Record<string, Record<string, { 'x-role': 'anonymous' | 'viewer' | 'operator' | 'admin'; responses: Record<string, unknown> }>>;
};
const OPERATIONS = Object.entries(CONTRACT.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method: method.toUpperCase(), role: op['x-role'] })));

const ajv = new Ajv({ strict: false, allErrors: true });
// ajv-formats is CommonJS: its function is the default export's default under NodeNext.
(formats as unknown as { default: (a: Ajv) => void }).default(ajv);
ajv.addFormat('binary', true);
ajv.addSchema({ ...CONTRACT, $id: 'admin' });

/** Checks an answer against the contract's schema for that route and status. */
function conforms(path: string, method: string, res: OperatorAnswer): void {
  const pointer = `admin#/paths/${path.replace(/~/g, '~0').replace(/\//g, '~1')}/${method.toLowerCase()}/responses/${res.status}/content/application~1json/schema`;
  const validate = ajv.getSchema(pointer) ?? ajv.compile({ $ref: pointer });
  if (!validate(res.body)) throw new Error(`${method} ${path} ${res.status} does not match admin/openapi.yaml: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(res.body).slice(0, 500)}`);
}

/** Path parameters and bodies that pass validation, so that only who is asking decides the answer. */
const PARAMS: Record<string, string> = { id: '00000000-0000-0000-0000-000000000000', sid: '1', rid: '1', cid: '00000000-0000-0000-0000-000000000000', bid: '1', did: '1', scope: 'hecto', flow: 'transfers', keyId: 'abc', name: 'nobody' };
const BODIES: Record<string, unknown> = {
  'POST /session/password': { current: 'x', next: 'a long enough password' },
  'POST /transfers/{id}/settlements': { outcome: 'failed', reason: 'test', evidence: 'the bank said so' },
  'PUT /switches/{scope}/{flow}': { state: 'on', reason: 'test' },
  'POST /api-keys': { service: 'svc', scopes: ['transfers'], maxAmount: '1000', reason: 'test' },
  'POST /operators': { name: 'newbie', role: 'viewer', reason: 'test' },
  'PATCH /operators/{name}': { reason: 'test' },
};
const url = (path: string) => '/admin/api' + path.replace(/\{(\w+)\}/g, (_, k: string) => PARAMS[k]!);
const bodyOf = (method: string, path: string) => (method === 'GET' || method === 'DELETE' ? undefined : (BODIES[`${method} ${path}`] ?? { reason: 'test' }));

/** Every route of Fastify's printed tree (`└── /a (GET)` lines, nested by indentation), with its full path. */
function servedRoutes(tree: string): { path: string; methods: string[] }[] {
  const stack: string[] = [];
  const out: { path: string; methods: string[] }[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([\s│]*)[└├]── (\S+)(?: \(([^)]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    if (m[3]) out.push({ path: stack.join(''), methods: m[3].split(', ') });
  }
  return out;
}

describe('the admin API on PostgreSQL: sessions, roles, CSRF, the contract', () => {
  let gw: Gateway;
  let sim: BankSimulator;
  let base: string;
  let drop: () => Promise<void>;
  let root: OperatorClient;
  let alice: OperatorClient;
  let bob: OperatorClient;
  let viewer: OperatorClient;
  let serviceKey: string;

  beforeAll(async () => {
    const db = await freshPostgres();
    drop = db.drop;
    gw = await startGateway(testConfig(db.url));
    sim = gw.institutions.get('hecto')!.simulator!;
    base = `http://127.0.0.1:${gw.apiPort}`;
    root = await operator(gw.ds, base, 'root', 'admin', true);
    alice = await operator(gw.ds, base, 'alice', 'operator');
    bob = await operator(gw.ds, base, 'bob', 'operator');
    viewer = await operator(gw.ds, base, 'vera', 'viewer');
    serviceKey = await gw.apiKeys.create('payroll', new Decimal('100000000'));
  }, 60_000);

  afterAll(async () => {
    await gw?.stop();
    await drop?.();
  });

  it('the contract lists every admin route the gateway serves, and each one exists', () => {
    const served = servedRoutes(gw.api!.printRoutes({ commonPrefix: false }))
      .filter((r) => r.path.startsWith('/admin/api/'))
      .flatMap((r) => r.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${r.path.replace('/admin/api', '').replace(/:(\w+)/g, '{$1}')}`));
    const documented = OPERATIONS.map((o) => `${o.method} ${o.path}`);
    expect(new Set(served)).toEqual(new Set(documented));
  });

  it('every route but logging in refuses a request without a session (401), and a service key is no session', async () => {
    for (const op of OPERATIONS.filter((o) => o.role !== 'anonymous')) {
      const bare = await adminRequest(base, op.method, url(op.path), bodyOf(op.method, op.path), null, null);
      expect(bare.body.code, `${op.method} ${op.path}`).toBe('FB_ADMIN_UNAUTHENTICATED');
      const res = await fetch(`${base}${url(op.path)}`, { method: op.method, headers: { authorization: `Bearer ${serviceKey}` } });
      expect(res.status, `${op.method} ${op.path} with a service key`).toBe(401);
    }
  });

  it('every route refuses a role below its own (403), as the contract names it', async () => {
    for (const op of OPERATIONS.filter((o) => o.role === 'operator' || o.role === 'admin')) {
      const below = op.role === 'admin' ? alice : viewer;
      const res = await below.request(op.method, url(op.path), bodyOf(op.method, op.path));
      expect(res.body.code, `${op.method} ${op.path} as ${below.name}`).toBe('FB_ADMIN_FORBIDDEN');
    }
  });

  it('every change refuses a request without the session\'s CSRF token, or with another session\'s (403)', async () => {
    for (const op of OPERATIONS.filter((o) => o.role !== 'anonymous' && o.method !== 'GET')) {
      const none = await root.request(op.method, url(op.path), bodyOf(op.method, op.path), { csrf: null });
      expect(none.body.code, `${op.method} ${op.path} without a token`).toBe('FB_ADMIN_CSRF');
      const other = await root.request(op.method, url(op.path), bodyOf(op.method, op.path), { csrf: alice.csrf });
      expect(other.body.code, `${op.method} ${op.path} with alice's token`).toBe('FB_ADMIN_CSRF');
    }
    // Nothing was changed by any of them.
    expect((await root.get('/admin/api/audit?action=switch.set')).body.items).toEqual([]);
  });

  it('the session cookie is HttpOnly, SameSite=Strict and limited to /admin; logging out ends the session', async () => {
    const pw = await createOperator(gw.ds, 'carol', 'viewer');
    const res = await adminRequest(base, 'POST', '/admin/api/session', { name: 'carol', password: pw }, null, null);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^fb_admin=[A-Za-z0-9_-]+; Path=\/admin; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    const carol = await login(base, 'carol', pw);
    // A one-time password allows nothing but changing it.
    expect((await carol.get('/admin/api/transfers')).body.code).toBe('FB_ADMIN_PASSWORD_CHANGE');
    expect((await carol.request('POST', '/admin/api/session/password', { current: pw, next: 'short' })).status).toBe(400);
    expect((await carol.request('POST', '/admin/api/session/password', { current: pw, next: TEST_PASSWORD })).status).toBe(200);
    expect((await carol.get('/admin/api/transfers')).status).toBe(200);
    expect((await carol.request('DELETE', '/admin/api/session')).status).toBe(204);
    expect((await carol.get('/admin/api/transfers')).body.code).toBe('FB_ADMIN_UNAUTHENTICATED');
  });

  it('wrong passwords lock the account out (423), the same answer for a name that does not exist, and an admin unlocks it', async () => {
    await createOperator(gw.ds, 'dave', 'viewer');
    const attempt = (name: string, password: string) => adminRequest(base, 'POST', '/admin/api/session', { name, password }, null, null);
    const ghost = await attempt('ghost', 'whatever');
    const wrong = await attempt('dave', 'whatever');
    expect([ghost.status, ghost.body.detail]).toEqual([wrong.status, wrong.body.detail]);
    for (let i = 0; i < 4; i++) await attempt('dave', 'whatever');
    const locked = await attempt('dave', 'whatever');
    expect(locked).toMatchObject({ status: 423, body: { code: 'FB_ADMIN_LOCKED' } });
    expect((await root.get('/admin/api/operators')).body.items).toContainEqual(expect.objectContaining({ name: 'dave', locked: true }));
    const unlocked = await root.request('PATCH', '/admin/api/operators/dave', { unlock: true, reason: 'test: dave called the desk' });
    expect(unlocked.body).toMatchObject({ name: 'dave', locked: false });
  });

  it('four eyes: an unknown outcome is settled only when a second operator confirms; both are audited', async () => {
    sim.faults.arm('no-answer', { message: 'transfer.request' });
    sim.faults.arm('no-answer', { message: 'resultInquiry.request', count: 5 });
    const sent = await fetch(`${base}/v1/transfers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${serviceKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ requestId: `four-eyes-${Date.now()}`, bankCode: '088', account: '110123456789', amount: '15000', memo: '급여', recipientName: '홍길동' }),
    });
    const id = ((await sent.json()) as { id: string }).id;
    await eventually(async () => (await gw.ledger.get(id))!.needsOperator, 20_000);

    const unknowns = await viewer.get('/admin/api/unknowns');
    conforms('/unknowns', 'GET', unknowns);
    expect(unknowns.body.items).toContainEqual(expect.objectContaining({ transfer: expect.objectContaining({ id, state: 'unknown', needsOperator: true }) }));

    const proposed = await alice.request('POST', `/admin/api/transfers/${id}/settlements`, { outcome: 'succeeded', reason: 'test: the bank confirmed by phone', evidence: 'call ref 123' });
    expect(proposed.status).toBe(201);
    conforms('/transfers/{id}/settlements', 'POST', proposed);
    const sid = proposed.body['id'] as number;
    expect((await alice.request('POST', `/admin/api/settlements/${sid}/confirm`, { reason: 'test: mine' })).body.code).toBe('FB_ADMIN_FOUR_EYES');
    expect((await gw.ledger.get(id))!.state).toBe('unknown');
    const confirmed = await bob.request('POST', `/admin/api/settlements/${sid}/confirm`, { reason: 'test: checked the statement' });
    expect(confirmed).toMatchObject({ status: 200, body: { status: 'confirmed', decidedBy: 'bob' } });
    expect((await gw.ledger.get(id))!.state).toBe('succeeded');
    // The bank had applied it: our books and the bank's agree, and it was never sent twice.
    expect([...sim.ledger.transfers.values()].filter((x) => x.state === 'applied').length).toBeGreaterThan(0);

    const detail = await viewer.get(`/admin/api/transfers/${id}`);
    conforms('/transfers/{id}', 'GET', detail);
    const audit = (await viewer.get('/admin/api/audit?limit=200')).body.items as { actor: string; action: string; target: string }[];
    expect(audit.filter((e) => e.target === `transfer:${id}`).map((e) => `${e.actor}:${e.action}`)).toEqual(['bob:settlement.confirm', 'alice:settlement.propose']);
  }, 40_000);

  it('"ask the bank now" asks also past the automatic inquiries, and the answer settles the transfer; refused for a settled one', async () => {
    sim.faults.arm('no-answer', { message: 'transfer.request' });
    sim.faults.arm('no-answer', { message: 'resultInquiry.request', count: 5 });
    const sent = await fetch(`${base}/v1/transfers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${serviceKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ requestId: `ask-now-${Date.now()}`, bankCode: '088', account: '110123456789', amount: '7000', memo: '급여', recipientName: '홍길동' }),
    });
    const id = ((await sent.json()) as { id: string }).id;
    await eventually(async () => (await gw.ledger.get(id))!.needsOperator, 20_000);
    // The bank answers inquiries again: the operator asks, and the bank's answer settles it (it had applied it).
    expect((await viewer.request('POST', `/admin/api/transfers/${id}/inquire`, { reason: 'test: bank is back' })).body.code).toBe('FB_ADMIN_FORBIDDEN');
    const asked = await alice.request('POST', `/admin/api/transfers/${id}/inquire`, { reason: 'test: bank is back' });
    expect(asked).toMatchObject({ status: 200, body: { transfer: { id, state: 'succeeded', needsOperator: false, inquiries: 6 } } });
    conforms('/transfers/{id}/inquire', 'POST', asked);
    expect((await alice.request('POST', `/admin/api/transfers/${id}/inquire`, { reason: 'test: again' })).body.code).toBe('FB_ADMIN_CONFLICT');
    const audit = (await root.get('/admin/api/audit?action=transfer.inquire')).body.items as { actor: string; target: string }[];
    expect(audit[0]).toMatchObject({ actor: 'alice', target: `transfer:${id}` });
  }, 40_000);

  it('a transfer\'s page: telegrams as hex beside fields with offsets, masked; unmasking needs the permission and is audited', async () => {
    const sent = await fetch(`${base}/v1/transfers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${serviceKey}`, 'content-type': 'application/json', prefer: 'wait=5' },
      body: JSON.stringify({ requestId: `detail-${Date.now()}`, bankCode: '088', account: '110123456789', amount: '15000', memo: '급여', recipientName: '홍길동' }),
    });
    const id = ((await sent.json()) as { id: string }).id;
    const masked = await viewer.get(`/admin/api/transfers/${id}`);
    conforms('/transfers/{id}', 'GET', masked);
    const telegrams = masked.body['telegrams'] as { hex: string; fields: { name: string; offset: number; length: number; value: string | null; masked: boolean }[] }[];
    expect(telegrams.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(masked.body)).not.toContain('110123456789');
    const account = telegrams[0]!.fields.find((f) => f.masked && f.value !== null && /\*/.test(f.value));
    expect(account).toBeDefined();
    // The hex shows no more than the fields do: a masked field's bytes are '*' (2a) in the dump.
    expect(telegrams[0]!.hex.slice(account!.offset * 2, (account!.offset + account!.length) * 2)).toMatch(/^(2a)+$/);

    expect((await viewer.get(`/admin/api/transfers/${id}?unmask=true`)).body.code).toBe('FB_ADMIN_FORBIDDEN');
    const clear = await root.get(`/admin/api/transfers/${id}?unmask=true`);
    expect(clear.body['unmasked']).toBe(true);
    expect(JSON.stringify(clear.body)).toContain('110123456789');
    const audit = (await root.get('/admin/api/audit?action=unmask.view')).body.items as { actor: string; target: string }[];
    expect(audit[0]).toMatchObject({ actor: 'root', target: `transfer:${id}` });
  });

  it('a night\'s run can be read as its report (CSV and HTML downloads)', async () => {
    const day = new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 10);
    await gw.reconcileNight('hecto', day);
    const runs = (await viewer.get('/admin/api/reconciliation/runs')).body.items as { id: number; status: string }[];
    const run = runs[0]!;
    const csv = await fetch(`${base}/admin/api/reconciliation/runs/${run.id}/report?kind=csv`, { headers: { cookie: viewer.cookie } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="\d{4}-\d{2}-\d{2}-run\d+\.csv"$/);
    expect((await csv.text()).split('\r\n')[0]).toBe('category,subject,transferId,service,ours,bank,detail');
    expect((await fetch(`${base}/admin/api/reconciliation/runs/${run.id}/report`, { headers: { cookie: viewer.cookie } })).headers.get('content-type')).toContain('text/html');
    expect((await viewer.get('/admin/api/reconciliation/runs/999999/report')).status).toBe(404);
  });

  it('a consent\'s recording is for operators (a viewer is refused), its download audited; unmasking the list needs the permission', async () => {
    const key = await gw.apiKeys.create('billing', new Decimal('100000000'), ['consents']);
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) }).then(async (r) => (await r.json()) as Record<string, unknown>);
    const started = await call('POST', '/v1/consents', { requestId: `admin-consent-${Date.now()}`, payerNumber: 'P-ADMIN-1', bankCode: '004', account: '110123456789', holderIdNo: '800101', phone: '010-1234-5678' });
    const id = String(started['id']);
    await eventually(async () => (await call('GET', `/v1/consents/${id}`))['state'] === 'registered', 15_000);

    const listed = await viewer.get('/admin/api/consents');
    conforms('/consents', 'GET', listed);
    expect(JSON.stringify(listed.body)).not.toContain('110123456789');
    expect((await viewer.get('/admin/api/consents?unmask=true')).body.code).toBe('FB_ADMIN_FORBIDDEN');
    expect(JSON.stringify((await root.get('/admin/api/consents?unmask=true')).body)).toContain('110123456789');

    expect((await viewer.get(`/admin/api/consents/${id}/evidence`)).body.code).toBe('FB_ADMIN_FORBIDDEN');
    const recording = await fetch(`${base}/admin/api/consents/${id}/evidence`, { headers: { cookie: alice.cookie } });
    expect(recording.status).toBe(200);
    expect((await recording.arrayBuffer()).byteLength).toBeGreaterThan(0);
    const audit = (await root.get('/admin/api/audit?action=consent.evidence.download')).body.items as { actor: string; target: string }[];
    expect(audit[0]).toMatchObject({ actor: 'alice', target: `consent:${id}` });
  }, 30_000);

  it('answers of the read routes match the contract', async () => {
    for (const path of ['/dashboard', '/transfers', '/notices', '/notice-gaps', '/consents', '/one-won', '/reconciliation/runs', '/reconciliation/breaks', '/webhooks/endpoints', '/webhooks/deliveries', '/switches', '/switches/changes', '/audit', '/session']) {
      const res = await viewer.get(`/admin/api${path}`);
      expect(res.status, path).toBe(200);
      conforms(path, 'GET', res);
    }
    for (const path of ['/api-keys', '/operators']) conforms(path, 'GET', await root.get(`/admin/api${path}`));
    // The transfers of the tests above settled within the last five minutes: the dashboard times them.
    const hecto = ((await viewer.get('/admin/api/dashboard')).body['institutions'] as { id: string; latency: { p50Ms: number; p99Ms: number; settled: number } }[])[0]!;
    expect(hecto.latency.settled).toBeGreaterThanOrEqual(1);
    expect(hecto.latency.p99Ms).toBeGreaterThanOrEqual(hecto.latency.p50Ms);
  });

  it('an admin makes an API key (shown once) and revokes it; the key stops working', async () => {
    const made = await root.request('POST', '/admin/api/api-keys', { service: 'ledger-sync', scopes: ['transfers'], maxAmount: '1000', reason: 'test: new service' });
    expect(made.status).toBe(201);
    conforms('/api-keys', 'POST', made);
    const key = made.body['apiKey'] as string;
    const health = () => fetch(`${base}/health`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status);
    expect(await health()).toBe(200);
    const keyId = (made.body['key'] as { keyId: string }).keyId;
    expect((await root.request('POST', `/admin/api/api-keys/${keyId}/revoke`, { reason: 'test: leaked' })).body['revokedAt']).not.toBeNull();
    await eventually(async () => (await health()) === 401, 40_000);
  }, 50_000);

  it('the console is served at /admin with its security headers, and an unknown admin API path is a problem, not the app', async () => {
    const page = await fetch(`${base}/admin/`);
    expect([200, 503]).toContain(page.status);
    if (page.status === 200) {
      expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(await page.text()).toContain('<div id="root">');
    }
    const deep = await fetch(`${base}/admin/transfers/abc`);
    expect(deep.status).toBe(page.status);
    const missing = await fetch(`${base}/admin/api/nothing-here`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    expect((await fetch(`${base}/admin/assets/..%2f..%2fpackage.json`)).status).toBe(404);
  });
});
