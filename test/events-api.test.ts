import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../src/api/scopes.js';
import type { Gateway } from '../src/gateway/gateway.js';
import { verifySignature } from '../src/webhooks/signature.js';
import { freshSqlite, startGateway, testConfig } from './helpers/gateway.js';
import { eventually } from './helpers/link.js';

const BODY = { bankCode: '088', account: '110123456789', amount: '15000', memo: '급여', recipientName: '홍길동' };

interface Received {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** The events API through a real gateway: webhooks registered over HTTP, delivered to a receiver on a real socket, and the feed. */
describe('events for the services, through the API', () => {
  let gw: Gateway;
  let base: string;
  let key: string;
  let other: string;
  let receiver: Server;
  let hook: string;
  const received: Received[] = [];
  let n = 0;

  const call = async (method: string, path: string, body?: unknown, k = key) => {
    const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${k}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    return { status: res.status, body: res.status === 204 ? null : ((await res.json()) as Record<string, unknown>) };
  };
  const transfer = () => call('POST', '/v1/transfers', { requestId: `ev-${++n}`, ...BODY });

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook?token=abc`;
    // the receiver is on 127.0.0.1: private addresses allowed here, as only a test may
    gw = await startGateway({ ...testConfig(freshSqlite()), webhooks: { allowPrivate: true, timeoutMs: 2_000, maxResponseBytes: 65_536 } });
    base = `http://127.0.0.1:${gw.apiPort}`;
    key = await gw.apiKeys.create('payroll', new Decimal('5000000'), SCOPES);
    other = await gw.apiKeys.create('shop', new Decimal('5000000'), SCOPES);
  }, 60_000);
  afterAll(async () => {
    await gw?.stop();
    receiver?.close();
  });

  it('registers an endpoint (secret shown once), delivers signed events in order, and refuses URLs it must not call', async () => {
    const created = await call('POST', '/v1/webhooks', { url: hook, types: ['transfer.succeeded', 'transfer.failed'] });
    expect(created.status).toBe(201);
    const secret = String(created.body!['secret']);
    expect(secret).toMatch(/^whsec_/);
    const listed = await call('GET', '/v1/webhooks');
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(JSON.stringify(await call('GET', '/v1/webhooks', undefined, other))).not.toContain(hook);

    const ids = [String((await transfer()).body!['id']), String((await transfer()).body!['id'])];
    await eventually(async () => received.length >= 2, 10_000);
    for (const r of received) {
      expect(verifySignature(String(r.headers['firmbank-signature']), r.body, [secret], { now: new Date() })).toBe(true);
      expect(verifySignature(String(r.headers['firmbank-signature']), r.body, ['whsec_wrong'], { now: new Date() })).toBe(false);
    }
    const bodies = received.map((r) => JSON.parse(r.body) as { id: string; type: string; data: { transferId: string; accountSuffix: string } });
    expect(bodies.map((b) => [b.type, b.data.transferId])).toEqual(ids.map((id) => ['transfer.succeeded', id]));
    expect(received.map((r) => r.headers['firmbank-event-id'])).toEqual(bodies.map((b) => b.id));
    expect(received.every((r) => !r.body.includes('110123456789'))).toBe(true);

    for (const [url, why] of [
      ['ftp://example.com/hook', /scheme|http/i],
      ['https://user:pw@example.com/hook', /credential|user/i],
    ] as const) {
      const refused = await call('POST', '/v1/webhooks', { url, types: ['transfer.succeeded'] });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: 'FB_WEBHOOK_URL' });
      expect(String(refused.body!['detail'])).toMatch(why);
    }
    expect((await call('POST', '/v1/webhooks', { url: hook, types: ['transfer.nope'] })).status).toBe(400);
  }, 30_000);

  it('the change feed gives every event of the service once across pages, and nothing of another service', async () => {
    await transfer();
    const seen: string[] = [];
    let after = '0';
    for (;;) {
      const page = await call('GET', `/v1/events?after=${after}&limit=1`);
      const events = page.body!['events'] as { id: string; service: string }[];
      if (events.length === 0) break;
      expect(events.every((e) => e.service === 'payroll')).toBe(true);
      seen.push(...events.map((e) => e.id));
      after = String(page.body!['next']);
    }
    expect(seen).toHaveLength(3);
    expect(new Set(seen).size).toBe(3);
    expect((await call('GET', '/v1/events', undefined, other)).body!['events']).toEqual([]);
    expect((await call('GET', '/v1/events?limit=0')).status).toBe(400);
    expect((await call('GET', '/v1/events?after=-1')).status).toBe(400);
  });

  it('rotates a secret (both sign during the overlap), lists deliveries, disables an endpoint', async () => {
    const id = Number(((await call('GET', '/v1/webhooks')).body!['endpoints'] as { id: number }[])[0]!.id);
    const rotated = await call('POST', `/v1/webhooks/${id}/rotate`);
    const fresh = String(rotated.body!['secret']);
    const before = received.length;
    await transfer();
    await eventually(async () => received.length > before, 10_000);
    const last = received[received.length - 1]!;
    expect(String(last.headers['firmbank-signature']).match(/v1=/g)).toHaveLength(2);
    expect(verifySignature(String(last.headers['firmbank-signature']), last.body, [fresh], { now: new Date() })).toBe(true);
    // the receiver has it before the delivery is marked delivered
    await eventually(async () => ((await call('GET', '/v1/webhooks/deliveries?status=delivered')).body!['deliveries'] as unknown[]).length >= 4, 5_000);
    expect((await call('POST', `/v1/webhooks/${id}/rotate`, undefined, other)).status).toBe(404);
    expect((await call('DELETE', `/v1/webhooks/${id}`)).status).toBe(204);
    const after = received.length;
    await transfer();
    await new Promise((r) => setTimeout(r, 1_000));
    expect(received.length).toBe(after);
  }, 30_000);
});
