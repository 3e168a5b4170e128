import { randomBytes } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { Decimal } from 'decimal.js';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../src/api/scopes.js';
import type { GatewayOptions } from '../src/gateway/gateway.js';
import { redisConnection, TransferQueue } from '../src/queue/transfer-queue.js';
import { freshPostgres, startGateway, testConfig } from './helpers/gateway.js';
import { eventually } from './helpers/link.js';

const REDIS = 'redis://127.0.0.1:6379';
const BODY = { bankCode: '088', account: '110123456789', amount: '15000', memo: '급여' };

/**
 * A new transfer is sent by the process that accepted it, without a job, when the bank's rate allows
 * (TransferFlow.sendNow); the rate is the one window every process's workers count in.
 */
describe('sending a transfer where it was accepted', () => {
  const redis = new Redis(REDIS);
  afterAll(() => redis.disconnect());

  it('permits and jobs count in one rate window: together they never pass the bank rate', async () => {
    const prefix = `fbtest-${randomBytes(4).toString('hex')}`;
    const q = new TransferQueue('rate', '004', redisConnection(REDIS), prefix);
    const window = `${prefix}:${q.name}:limiter`;
    const started: number[] = [];
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    try {
      expect(await q.permitNow()).toBe(false); // no worker here yet, so no rate known: queue it
      const send = async () => {
        started.push(Date.now());
        await held;
      };
      q.start({ send, inquire: async () => {} }, 10, 3);
      await eventually(async () => (await q.permitNow()) || false); // the permits' connection is up
      // Permits first: two more of the three, however many ask at once…
      expect((await Promise.all(Array.from({ length: 8 }, () => q.permitNow()))).filter(Boolean)).toHaveLength(2);
      // …and a job waits for the next window.
      const full = Date.now();
      const ttl = await redis.pttl(window);
      expect(ttl).toBeGreaterThan(0);
      await q.send('first-in-queue');
      await eventually(() => started.length === 1, 3_000);
      expect(started[0]!).toBeGreaterThanOrEqual(full + ttl - 20);
      // Jobs first: three in a fresh window take it, and no permit is left.
      await eventually(async () => (await redis.exists(window)) === 0, 3_000);
      for (const id of ['a', 'b', 'c']) await q.send(id);
      await eventually(() => started.length === 4, 3_000);
      expect(await redis.pttl(window)).toBeGreaterThan(0); // still that window
      expect(await q.permitNow()).toBe(false);
    } finally {
      release();
      await q.obliterate().catch(() => {});
      await q.close();
    }
  }, 15_000);

  it('a Redis that is connected but does not answer gives no permit, at once, rather than holding the caller', async () => {
    // A proxy to the real Redis that can hold commands back: connected, yet silent. Held commands go on
    // when it thaws, so that every connection is whole again for closing.
    let frozen = false;
    const held: (() => void)[] = [];
    const sockets = new Set<Socket>();
    const proxy = createServer((client) => {
      const upstream = connect(6379, '127.0.0.1');
      for (const s of [client, upstream]) (sockets.add(s), s.on('error', () => {}));
      client.on('data', (d) => (frozen ? held.push(() => upstream.write(d)) : upstream.write(d)));
      upstream.on('data', (d) => client.write(d));
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const prefix = `fbtest-${randomBytes(4).toString('hex')}`;
    const q = new TransferQueue('stuck', '004', redisConnection(`redis://127.0.0.1:${(proxy.address() as AddressInfo).port}`), prefix);
    try {
      q.start({ send: async () => {}, inquire: async () => {} }, 1, 1_000);
      await eventually(async () => (await q.permitNow()) || false);
      frozen = true;
      const asked = Date.now();
      expect(await q.permitNow()).toBe(false);
      expect(Date.now() - asked).toBeLessThan(2_000);
    } finally {
      frozen = false;
      for (const write of held.splice(0)) write();
      await q.close().catch(() => {});
      for (const s of sockets) s.destroy();
      proxy.close();
    }
  }, 15_000);

  describe('through the gateway (PostgreSQL, Redis, the simulator)', () => {
    const drops: (() => Promise<void>)[] = [];
    afterAll(async () => {
      for (const drop of drops) await drop();
    });

    const start = async (extra: Parameters<typeof testConfig>[1] = {}, options: GatewayOptions = {}) => {
      const db = await freshPostgres();
      drops.push(db.drop);
      const gw = await startGateway(testConfig(db.url, extra), options);
      const key = await gw.apiKeys.create('payroll', new Decimal('5000000'), SCOPES);
      const post = async (requestId: string, wait: number) => {
        const res = await fetch(`http://127.0.0.1:${gw.apiPort}/v1/transfers`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', prefer: `wait=${wait}` },
          body: JSON.stringify({ requestId, ...BODY }),
        });
        return { status: res.status, body: (await res.json()) as Record<string, string> };
      };
      return { gw, post, url: db.url, sim: gw.institutions.get('hecto')!.simulator! };
    };

    it('at the bank rate, what does not fit in a window is queued and sent in a later one, each once', async () => {
      const { gw, post, sim } = await start({ ratePerSecond: 2 });
      try {
        const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => post(`rate-${i}`, 10)));
        expect(answers.map((a) => [a.status, a.body['state']])).toEqual(Array.from({ length: 6 }, () => [201, 'succeeded']));
        const sent = (await Promise.all(answers.map(async (a) => (await gw.ledger.telegrams(a.body['id']!)).filter((t) => t.direction === 'out'))))
          .map((ts) => (expect(ts).toHaveLength(1), ts[0]!.at.getTime()))
          .sort((a, b) => a - b);
        // Two a second: the fifth and sixth go in the third window, at least two seconds after the first.
        expect(sent[4]! - sent[0]!).toBeGreaterThanOrEqual(1_900);
        expect(sim.ledger.applied()).toHaveLength(6);
      } finally {
        await gw.stop();
      }
    }, 20_000);

    it('never sends more at once from the accepting process than its cap, however many accepts race for it', async () => {
      // Two places; each send takes two seconds, so all eight accepts ask while both are taken.
      const { gw, post, sim } = await start({ requestTimeoutMs: 8_000 }, { concurrency: 2 });
      sim.faults.latencyMs = 2_000;
      try {
        const accepted = await Promise.all(Array.from({ length: 8 }, (_, i) => post(`cap-${i}`, 0)));
        expect(accepted.map((a) => a.status)).toEqual(Array.from({ length: 8 }, () => 202));
        await eventually(async () => (await Promise.all(accepted.map(async (a) => (await gw.ledger.get(a.body['id']!))!.state))).every((s) => s === 'succeeded'), 30_000);
        expect(sim.ledger.applied()).toHaveLength(8);
        const counted = Object.fromEntries((await gw.metrics.registry.getSingleMetric('firmbank_transfer_first_sends_total')!.get()).values.map((v) => [v.labels['how'], v.value]));
        expect(counted).toEqual({ direct: 2, queued: 6 });
      } finally {
        await gw.stop();
      }
    }, 45_000);

    it('a stopping gateway waits for the transfers it is sending, and keeps their answers', async () => {
      const { gw, post, sim, url } = await start({ requestTimeoutMs: 5_000 });
      sim.faults.latencyMs = 1_500; // the answer comes well after the stop begins
      const { status, body } = await post('stopping', 0);
      expect(status).toBe(202);
      await eventually(() => sim.ledger.applied().length === 1);
      await gw.stop();
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        const t = await c.query('SELECT state FROM transfers WHERE id = $1', [body['id']]);
        const kept = await c.query('SELECT direction FROM telegrams WHERE transfer_id = $1 ORDER BY id', [body['id']]);
        expect(t.rows[0]).toEqual({ state: 'succeeded' });
        expect(kept.rows.map((r: { direction: string }) => r.direction)).toEqual(['out', 'in']);
      } finally {
        await c.end();
      }
    }, 20_000);
  });
});
