import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeys, KEY_CACHE, keyIdOf } from '../src/api/api-keys.js';
import { AuthFailureLimiter } from '../src/api/auth-failure-limiter.js';
import { buildApi, type ApiOptions } from '../src/api/server.js';
import type { ApiServices } from '../src/api/services.js';
import { TtlLru } from '../src/api/ttl-lru.js';
import type { Gateway } from '../src/gateway/gateway.js';
import { openDatabase } from '../src/ledger/data-source.js';
import { Initial1764000000000 } from '../src/ledger/migrations/0001-initial.js';
import { ClaimToken1764100000000 } from '../src/ledger/migrations/0002-claim-token.js';
import { freshPostgres, freshSqlite, startGateway, testConfig } from './helpers/gateway.js';
import { recordingLogger } from './helpers/link.js';
import { ROOT } from './helpers/specs.js';

const TRANSFER = { bankCode: '088', account: '110123456789', amount: '15000', memo: '급여', recipientName: '홍길동' };
const VERIFY = { bankCode: '088', account: '110123456789', name: '홍길동' };
const wellFormedKey = () => `fbk_${randomBytes(24).toString('base64url')}`;

/** Sends raw bytes to 127.0.0.1:port and returns everything the server wrote before closing. */
function rawRequest(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    s.on('data', (c) => (got += c.toString('utf8')));
    s.on('error', (e) => (got ? resolve(got) : reject(e)));
    s.on('close', () => resolve(got));
    s.write(bytes);
  });
}

/** Status, headers and JSON body of a raw HTTP/1.1 answer. */
function parseRaw(text: string): { status: number; headers: Record<string, string>; body: Record<string, unknown> } {
  const [head, body] = [text.slice(0, text.indexOf('\r\n\r\n')), text.slice(text.indexOf('\r\n\r\n') + 4)];
  const [statusLine, ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine!.split(' ')[1]), headers, body: JSON.parse(body) as Record<string, unknown> };
}

describe('API hardening (gateway on SQLite, Redis, the simulator)', () => {
  let gw: Gateway;
  let base: string;
  let key: string;
  const extra: FastifyInstance[] = [];

  /** A second API over the same gateway, with its own limits and a logger the test can read. */
  async function ownApi(options: ApiOptions = {}) {
    const log = recordingLogger();
    // services() is the gateway's own wiring, private to it; the test reuses it rather than copy it.
    const services = (gw as unknown as { services(): ApiServices }).services();
    const app = buildApi(services, gw.apiKeys, log, 10_000, options);
    await app.listen({ host: '127.0.0.1', port: 0 });
    extra.push(app);
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    return { log, port, url: `http://127.0.0.1:${port}`, requests: () => log.events.filter((e) => e.event === 'api.request').map((e) => e.details!) };
  }

  const get = (url: string, k: string | null, headers: Record<string, string> = {}) => fetch(url, { headers: { ...(k ? { authorization: `Bearer ${k}` } : {}), ...headers } });
  const postJson = (url: string, k: string, body: unknown) => fetch(url, { method: 'POST', headers: { authorization: `Bearer ${k}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const problemOf = async (res: Response) => {
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    return (await res.json()) as { code: string; status: number; detail: string };
  };

  beforeAll(async () => {
    gw = await startGateway(testConfig(freshSqlite()));
    base = `http://127.0.0.1:${gw.apiPort}`;
    key = await gw.apiKeys.create('payroll', new Decimal('5000000'));
  }, 60_000);

  afterAll(async () => {
    for (const app of extra) await app.close();
    await gw?.stop();
  });

  describe('the key cache and failed authentications have bounded memory', () => {
    it('keeps at most maxEntries entries, whatever keys are presented; good keys still work', async () => {
      const keys = new ApiKeys(gw.ds);
      expect(await keys.identify(key)).toMatchObject({ service: 'payroll', keyId: keyIdOf(key) });
      for (let i = 0; i < 50; i++) {
        await Promise.all(Array.from({ length: 1_000 }, () => keys.identify(wellFormedKey())));
      }
      expect(keys.cachedEntries).toBe(KEY_CACHE.maxEntries);
      expect(await keys.identify(key)).toMatchObject({ service: 'payroll' });
      expect(await keys.identify('fbk_short')).toBeNull(); // malformed: refused without a lookup or an entry
      expect(keys.cachedEntries).toBe(KEY_CACHE.maxEntries);
    }, 120_000);

    it('TtlLru behaves like a bounded, expiring, least-recently-used map (model check)', () => {
      type Op = { kind: 'set'; key: number; ttl: number } | { kind: 'get'; key: number } | { kind: 'tick'; ms: number };
      const op: fc.Arbitrary<Op> = fc.oneof(
        fc.record({ kind: fc.constant('set' as const), key: fc.integer({ min: 0, max: 9 }), ttl: fc.integer({ min: 1, max: 50 }) }),
        fc.record({ kind: fc.constant('get' as const), key: fc.integer({ min: 0, max: 9 }) }),
        fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 30 }) }),
      );
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 5 }), fc.array(op, { maxLength: 80 }), (max, ops) => {
          const lru = new TtlLru<number, number>(max);
          let model: { key: number; value: number; until: number }[] = []; // least recently used first
          let now = 0;
          ops.forEach((o, i) => {
            if (o.kind === 'tick') now += o.ms;
            else if (o.kind === 'set') {
              lru.set(o.key, i, o.ttl, now);
              model = model.filter((e) => e.key !== o.key);
              if (model.length >= max) model.shift();
              model.push({ key: o.key, value: i, until: now + o.ttl });
            } else {
              const e = model.find((m) => m.key === o.key);
              model = model.filter((m) => m.key !== o.key);
              const live = e && e.until > now ? e : undefined;
              if (live) model.push(live);
              expect(lru.get(o.key, now)).toBe(live?.value);
            }
            expect(lru.size).toBeLessThanOrEqual(max);
          });
        }),
      );
    });

    it('tracks at most maxClients addresses, and limits each one on its own', () => {
      const limiter = new AuthFailureLimiter({ maxFailures: 3, windowMs: 1_000, maxClients: 100 });
      for (let i = 0; i < 5_000; i++) limiter.fail(`10.0.${i >> 8}.${i & 255}`, 0);
      expect(limiter.trackedClients).toBe(100);
      for (let i = 0; i < 3; i++) limiter.fail('192.0.2.1', 0);
      expect(limiter.retryAfterSeconds('192.0.2.1', 100)).toBe(1);
      expect(limiter.retryAfterSeconds('192.0.2.2', 100)).toBe(0);
      expect(limiter.retryAfterSeconds('192.0.2.1', 1_000)).toBe(0); // the window is over
    });

    it('answers 429 problem+json with Retry-After after 20 failures in 10 s from one address — for every key, the good one included', async () => {
      const api = await ownApi();
      for (let i = 0; i < 20; i++) expect((await get(`${api.url}/health`, wellFormedKey())).status).toBe(401);
      const limited = await get(`${api.url}/health`, wellFormedKey());
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(10);
      expect(await problemOf(limited)).toMatchObject({ status: 429, code: 'FB_AUTH_RATE_LIMITED' });
      expect((await get(`${api.url}/health`, key)).status).toBe(429);
      expect((await get(base + '/health', key)).status).toBe(200); // another API instance keeps its own count
    });

    it('lets the address in again once the window is over', async () => {
      const api = await ownApi({ authFailures: { maxFailures: 3, windowMs: 600, maxClients: 10 } });
      for (let i = 0; i < 3; i++) expect((await get(`${api.url}/health`, null)).status).toBe(401);
      expect((await get(`${api.url}/health`, key)).status).toBe(429);
      await new Promise((r) => setTimeout(r, 700));
      expect((await get(`${api.url}/health`, key)).status).toBe(200);
    });
  });

  describe('errors before the key check are problem+json too (real sockets)', () => {
    it('bad percent-encoding in the path: 400 FB_BAD_URL, with a request id', async () => {
      const res = await get(`${base}/v1/transfers/%E0%A4%A`, null);
      expect(res.status).toBe(400);
      expect(await problemOf(res)).toMatchObject({ status: 400, code: 'FB_BAD_URL' });
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('an overlong path segment or URL: 414 FB_URI_TOO_LONG', async () => {
      const segment = await get(`${base}/v1/transfers/${'a'.repeat(200)}`, null);
      expect(segment.status).toBe(414);
      expect(await problemOf(segment)).toMatchObject({ code: 'FB_URI_TOO_LONG' });
      const url = await get(`${base}/v1/balances?institution=${'x'.repeat(3_000)}`, null);
      expect(url.status).toBe(414);
      const p = await problemOf(url);
      expect(p).toMatchObject({ code: 'FB_URI_TOO_LONG' });
      expect(JSON.stringify(p)).not.toContain('xxxxxxxx'); // the URL is not echoed
    });

    it('headers larger than Node accepts: 431 FB_HEADERS_TOO_LARGE, written on the raw socket', async () => {
      const res = await get(`${base}/health`, key, { 'x-padding': 'p'.repeat(20_000) });
      expect(res.status).toBe(431);
      expect(await problemOf(res)).toMatchObject({ status: 431, code: 'FB_HEADERS_TOO_LARGE' });
      const raw = parseRaw(await rawRequest(gw.apiPort, `GET /health HTTP/1.1\r\nHost: x\r\nX-Padding: ${'p'.repeat(20_000)}\r\n\r\n`));
      expect(raw.status).toBe(431);
      expect(raw.headers['content-type']).toBe('application/problem+json');
      expect(raw.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(raw.body).toMatchObject({ code: 'FB_HEADERS_TOO_LARGE' });
    });

    it('not HTTP at all: 400 FB_BAD_REQUEST', async () => {
      const raw = parseRaw(await rawRequest(gw.apiPort, 'HELLO THERE\r\n\r\n'));
      expect(raw.status).toBe(400);
      expect(raw.headers['content-type']).toBe('application/problem+json');
      expect(raw.body).toMatchObject({ code: 'FB_BAD_REQUEST' });
    });
  });

  describe('scopes', () => {
    it('a default key sends and verifies but may not read the parent account: 403 naming the scope', async () => {
      const balance = await get(`${base}/v1/balances`, key);
      expect(balance.status).toBe(403);
      const p = await problemOf(balance);
      expect(p).toMatchObject({ status: 403, code: 'FB_FORBIDDEN' });
      expect(p.detail).toContain('"parent-account"');
      expect((await get(`${base}/v1/totals`, key)).status).toBe(403);
      expect((await postJson(`${base}/v1/account-verifications`, key, VERIFY)).status).toBe(200);
      expect((await postJson(`${base}/v1/transfers`, key, { requestId: 'scoped-1', ...TRANSFER })).status).toBeLessThan(300);
    });

    it('a key with only parent-account reads the balance and nothing else', async () => {
      const treasury = await gw.apiKeys.create('treasury', new Decimal('1'), ['parent-account']);
      expect((await get(`${base}/v1/balances`, treasury)).status).toBe(200);
      expect((await get(`${base}/v1/totals`, treasury)).status).toBe(200);
      const send = await postJson(`${base}/v1/transfers`, treasury, { requestId: 'scoped-2', ...TRANSFER });
      expect(send.status).toBe(403);
      expect((await problemOf(send)).detail).toContain('"transfers"');
      expect((await postJson(`${base}/v1/account-verifications`, treasury, VERIFY)).status).toBe(403);
      expect((await get(`${base}/health`, treasury)).status).toBe(200); // health needs a key, no scope
    });

    it('a key revoked in this process is refused at once, although it was cached', async () => {
      const doomed = await gw.apiKeys.create('doomed', new Decimal('1000'));
      expect((await get(`${base}/health`, doomed)).status).toBe(200);
      const r = await gw.apiKeys.revoke(keyIdOf(doomed));
      expect(r).toMatchObject({ alreadyRevoked: false, key: { keyId: keyIdOf(doomed), service: 'doomed' } });
      expect((await get(`${base}/health`, doomed)).status).toBe(401);
      expect((await gw.apiKeys.revoke(keyIdOf(doomed)))?.alreadyRevoked).toBe(true);
      expect(await gw.apiKeys.revoke('000000000000')).toBeNull();
    });
  });

  describe('access log', () => {
    it('one api.request line per request: route pattern, status, latency, service, request id; nothing sensitive', async () => {
      const api = await ownApi();
      const id = '0f1e2d3c-4b5a-4968-8776-655443322110';
      const res = await get(`${api.url}/v1/transfers/${id}?secret=query-value`, key, { 'x-request-id': 'caller-req-42' });
      expect(res.status).toBe(404);
      expect(res.headers.get('x-request-id')).toBe('caller-req-42');
      await get(`${api.url}/health`, wellFormedKey());
      const odd = await get(`${api.url}/health`, key, { 'x-request-id': 'has space' });
      const generated = odd.headers.get('x-request-id')!;
      expect(generated).toMatch(/^[0-9a-f-]{36}$/);
      await get(`${api.url}/health`, key, { 'x-request-id': 'r'.repeat(129) });
      await get(`${api.url}/v1/transfers/%E0%A4%A`, key);

      const lines = api.requests();
      expect(lines).toHaveLength(5);
      expect(lines[0]).toMatchObject({ method: 'GET', route: '/v1/transfers/:id', status: 404, service: 'payroll', keyId: keyIdOf(key), requestId: 'caller-req-42', ip: '127.0.0.1' });
      expect(typeof lines[0]!['latencyMs']).toBe('number');
      expect(lines[1]).toMatchObject({ route: '/health', status: 401, service: undefined });
      expect(lines[2]).toMatchObject({ status: 200, requestId: generated });
      expect(String(lines[3]!['requestId'])).toMatch(/^[0-9a-f-]{36}$/);
      expect(lines[4]).toMatchObject({ route: null, status: 400 });
      const text = JSON.stringify(api.log.events);
      for (const secret of [key, 'query-value', id, 'Bearer', 'authorization']) expect(text).not.toContain(secret);
    });

    it('logs what Node\'s parser refused, too', async () => {
      const api = await ownApi();
      await rawRequest(api.port, `GET /health HTTP/1.1\r\nHost: x\r\nX-Padding: ${'p'.repeat(20_000)}\r\n\r\n`);
      expect(api.requests()).toEqual([expect.objectContaining({ method: null, route: null, status: 431 })]);
    });
  });

  it('the OpenAPI document names 401/403/429, the request id header, and every $ref resolves', async () => {
    const res = await get(`${base}/openapi.json`, key);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Record<string, unknown> & { paths: Record<string, Record<string, { responses: Record<string, unknown>; parameters: { $ref?: string }[]; security: Record<string, string[]>[] }>> };
    expect(doc['openapi']).toBe('3.1.0');
    const refs: string[] = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) k === '$ref' ? refs.push(x as string) : walk(x);
    };
    walk(doc);
    for (const ref of refs) {
      const target = ref.replace(/^#\//, '').split('/').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], doc);
      expect(target, ref).toBeDefined();
    }
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        expect(Object.keys(op.responses), `${method} ${path}`).toEqual(expect.arrayContaining(['401', '429']));
        expect(op.parameters[0]).toEqual({ $ref: '#/components/parameters/RequestId' });
      }
    }
    expect(doc.paths['/v1/balances']!['get']!.responses['403']).toBeDefined();
    expect(doc.paths['/v1/balances']!['get']!.security).toEqual([{ apiKey: ['parent-account'] }]);
  });
});

describe.each(['sqlite', 'postgres'] as const)('migration 0003 on %s', (db) => {
  it('gives existing keys an id and the scopes transfers,verifications; nothing else changes', async () => {
    let url = freshSqlite();
    let drop = async () => {};
    if (db === 'postgres') ({ url, drop } = await freshPostgres());
    try {
      // The schema as it was before 0003, with a key made then.
      const old = db === 'postgres'
        ? new DataSource({ type: 'postgres', url, migrations: [Initial1764000000000, ClaimToken1764100000000] })
        : new DataSource({ type: 'better-sqlite3', database: url, migrations: [Initial1764000000000, ClaimToken1764100000000] });
      await old.initialize();
      await old.runMigrations({ transaction: 'each' });
      const oldKey = wellFormedKey();
      const { createHash } = await import('node:crypto');
      await old.query(`INSERT INTO api_keys (service, key_hash, max_amount) VALUES ('legacy', '${createHash('sha256').update(oldKey).digest('hex')}', 7000)`);
      await old.destroy();

      const ds = await openDatabase({ url });
      try {
        const keys = new ApiKeys(ds);
        expect(await keys.identify(oldKey)).toMatchObject({ service: 'legacy', keyId: keyIdOf(oldKey), scopes: ['transfers', 'verifications'] });
        expect((await keys.identify(oldKey))!.maxAmount.toFixed()).toBe('7000');
        const fresh = await keys.create('fresh', new Decimal('1'), ['parent-account']);
        const listed = await keys.list();
        expect(listed.map((k) => [k.keyId, k.service, k.scopes.join(','), k.revokedAt])).toEqual([
          [keyIdOf(oldKey), 'legacy', 'transfers,verifications', null],
          [keyIdOf(fresh), 'fresh', 'parent-account', null],
        ]);
        expect(listed[0]!.createdAt).toBeInstanceOf(Date);
        expect(JSON.stringify(listed)).not.toMatch(/fbk_|[0-9a-f]{64}/);
      } finally {
        await ds.destroy();
      }
    } finally {
      await drop();
    }
  }, 60_000);
});

describe('firmbank apikey (a real process)', () => {
  const dbUrl = freshSqlite();
  /** The CLI from its TypeScript source (no build needed), in a process of its own. */
  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `import { main } from ${JSON.stringify(join(ROOT, 'src/cli/main.ts'))}; await main(process.argv.slice(1));`, ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: dbUrl },
      encoding: 'utf8',
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const userError = (r: ReturnType<typeof cli>, pattern: RegExp) => {
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  };

  it('creates, lists and revokes keys; a revoked key is refused; mistakes are one line, exit 2', async () => {
    const made = cli('apikey', 'create', 'payroll', '--max-amount', '5000000');
    expect(made.status, made.stderr).toBe(0);
    const payrollKey = made.stdout.trim();
    expect(payrollKey).toMatch(/^fbk_[A-Za-z0-9_-]{32}$/); // stdout is the key alone
    expect(made.stderr).toContain(keyIdOf(payrollKey));
    const treasury = cli('apikey', 'create', 'treasury', '--scope', 'parent-account,transfers');
    expect(treasury.status, treasury.stderr).toBe(0);

    const list = cli('apikey', 'list');
    expect(list.status, list.stderr).toBe(0);
    const rows = list.stdout.trim().split('\n').map((l) => l.split(/\s{2,}/));
    expect(rows[0]).toEqual(['ID', 'SERVICE', 'SCOPES', 'MAX_AMOUNT', 'CREATED', 'REVOKED']);
    expect(rows.slice(1).map((r) => [r[0], r[1], r[2], r[3], r[5]])).toEqual([
      [keyIdOf(payrollKey), 'payroll', 'transfers,verifications', '5000000', '-'],
      [keyIdOf(treasury.stdout.trim()), 'treasury', 'parent-account,transfers', '10000000', '-'],
    ]);
    expect(list.stdout).not.toMatch(/fbk_|[0-9a-f]{64}/);

    const revoked = cli('apikey', 'revoke', keyIdOf(payrollKey));
    expect(revoked.status, revoked.stderr).toBe(0);
    expect(revoked.stdout).toMatch(/revoked at .*within 30 s/);
    expect(cli('apikey', 'revoke', keyIdOf(payrollKey)).stdout).toContain('already revoked');

    const ds = await openDatabase({ url: dbUrl });
    try {
      expect((await new ApiKeys(ds).list()).map((k) => k.revokedAt !== null)).toEqual([true, false]);
      expect(await new ApiKeys(ds).identify(payrollKey)).toBeNull();
      expect(await new ApiKeys(ds).identify(treasury.stdout.trim())).toMatchObject({ service: 'treasury', scopes: ['parent-account', 'transfers'] });
    } finally {
      await ds.destroy();
    }

    userError(cli('apikey', 'create', 'billing', '--scope', 'transfers,everything'), /FB_USAGE: --scope .*"everything" is not a scope/);
    userError(cli('apikey', 'revoke', '123456789abc'), /FB_USAGE: .*no key has id 123456789abc/);
    const pasted = cli('apikey', 'revoke', payrollKey);
    userError(pasted, /not the key/);
    expect(pasted.stderr).not.toContain(payrollKey);
  }, 120_000);
});
