import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventType } from '../src/domain/events.js';
import type { TransferState } from '../src/domain/transfer-state.js';
import { openDatabase } from '../src/ledger/data-source.js';
import { EventStore } from '../src/ledger/event-store.js';
import { Ledger } from '../src/ledger/ledger.js';
import { WebhookStore } from '../src/ledger/webhook-store.js';
import type { Logger } from '../src/log/logger.js';
import { redisConnection } from '../src/queue/transfer-queue.js';
import { WebhookQueue } from '../src/queue/webhook-queue.js';
import { DELIVERY_ATTEMPT_HEADER, EVENT_ID_HEADER, EVENT_TYPE_HEADER, WebhookDispatcher, type WebhookDispatcherOptions } from '../src/webhooks/dispatcher.js';
import { SecretBox, generateEndpointSecret } from '../src/webhooks/secret-box.js';
import { SIGNATURE_HEADER, verifySignature } from '../src/webhooks/signature.js';
import { freshDatabase } from './helpers/gateway.js';
import { SAMPLE_TRANSFER } from './helpers/day-rows.js';

const REDIS = redisConnection('redis://127.0.0.1:6379');
const ALL: EventType[] = ['transfer.succeeded', 'transfer.failed', 'transfer.reversed'];

/** The dispatchers' clock: real time plus an offset the tests move forward (rotation overlaps, 24 hours). */
let offset = 0;
const clock = () => new Date(Date.now() + offset);

const NEW = SAMPLE_TRANSFER;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** mulberry32: a seeded source for the receivers that fail at random. */
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

type Reply = 'ok' | 'fail' | 'busy' | 'reset' | 'refuse' | 'hang' | 'huge';

interface Hit {
  readonly eventId: string;
  readonly type: string;
  readonly attempt: number;
  readonly signature: string;
  readonly body: string;
  /** The dispatchers' clock when it arrived: what its signature is checked against. */
  readonly at: Date;
  readonly reply: Reply;
}

/** A real HTTP receiver on 127.0.0.1 answering each request as `decide` says; every request kept. */
async function receiver(decide: (eventId: string) => Reply = () => 'ok') {
  const hits: Hit[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const eventId = String(req.headers[EVENT_ID_HEADER.toLowerCase()]);
      const reply = decide(eventId);
      hits.push({
        eventId,
        type: String(req.headers[EVENT_TYPE_HEADER.toLowerCase()]),
        attempt: Number(req.headers[DELIVERY_ATTEMPT_HEADER.toLowerCase()]),
        signature: String(req.headers[SIGNATURE_HEADER.toLowerCase()]),
        body: Buffer.concat(chunks).toString('utf8'),
        at: clock(),
        reply,
      });
      if (reply === 'ok') res.writeHead(200).end('ok');
      else if (reply === 'fail') res.writeHead(500).end('down for maintenance');
      else if (reply === 'busy') res.writeHead(429).end();
      else if (reply === 'refuse') res.writeHead(400).end('no such thing');
      else if (reply === 'reset') req.socket.destroy();
      else if (reply === 'huge') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const mb = Buffer.alloc(1 << 20, 'x');
        res.write(mb, () => res.end(mb));
      }
      // 'hang': never answers
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/firmbank?token=abc`,
    hits,
    /** Successful deliveries, in the order they arrived. */
    ok: () => hits.filter((h) => h.reply === 'ok'),
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

interface Logged {
  readonly level: string;
  readonly event: string;
  readonly details: Record<string, unknown>;
}

function recorder(): Logger & { logs: Logged[] } {
  const logs: Logged[] = [];
  const at = (level: string) => (event: string, details: Record<string, unknown> = {}) => void logs.push({ level, event, details });
  return { logs, info: at('info'), warn: at('warn'), error: at('error') };
}

describe.each(['sqlite', 'postgres'] as const)('webhook dispatch on %s', (kind) => {
  let url: string;
  let ds: DataSource;
  let drop: () => Promise<void>;
  let ledger: Ledger;
  let events: EventStore;
  let store: WebhookStore;
  const box = new SecretBox(randomBytes(32).toString('base64'));
  const opened: DataSource[] = [];
  let n = 0;

  /** A transfer of `service` walked through `path`; its aggregate. */
  const transfer = async (service: string, path: readonly TransferState[]): Promise<string> => {
    const { transfer: t } = await ledger.createTransfer({ ...NEW, service, requestId: `r${++n}` });
    let from: TransferState = 'requested';
    for (const to of path) {
      if (await ledger.move(t.id, from, to, 'test', to === 'succeeded' ? { responseCode: '0000', fee: new Decimal(500) } : {})) from = to;
    }
    return `transfer:${t.id}`;
  };

  /** Events of aggregates, in position order. */
  const eventsOf = async (aggregates: readonly string[]) => {
    await events.sequence();
    return (await Promise.all(aggregates.map((a) => events.of(a)))).flat();
  };

  /**
   * `count` dispatchers sharing one queue prefix, as as many gateway processes: each its own queue worker,
   * tick loop and (on PostgreSQL) database connections. SQLite's are shared: better-sqlite3 waits for a
   * lock synchronously, so two connections of one process would wait on each other (separate processes
   * do not).
   */
  const dispatchers = async (count: number, opts: Partial<WebhookDispatcherOptions> = {}, concurrency = 4) => {
    const prefix = `fbwh-${randomBytes(4).toString('hex')}`;
    const running: { dispatcher: WebhookDispatcher; queue: WebhookQueue; logger: ReturnType<typeof recorder>; timer: NodeJS.Timeout }[] = [];
    const tickErrors: unknown[] = [];
    for (let i = 0; i < count; i++) {
      const db = i === 0 || kind === 'sqlite' ? ds : await openDatabase({ url });
      if (db !== ds) opened.push(db);
      const s = i === 0 ? store : new WebhookStore(db, box, generateEndpointSecret);
      const queue = new WebhookQueue(REDIS, prefix);
      const logger = recorder();
      const dispatcher = new WebhookDispatcher({
        store: s,
        events: new EventStore(db),
        queue,
        allowPrivate: true,
        timeoutMs: 3_000,
        maxResponseBytes: 64 * 1024,
        logger,
        now: clock,
        retryDelayMs: () => 20,
        ...opts,
      });
      queue.start((id) => dispatcher.attempt(id), concurrency);
      const timer = setInterval(() => void dispatcher.tick().catch((e: unknown) => tickErrors.push(e)), 50);
      running.push({ dispatcher, queue, logger, timer });
    }
    return {
      prefix,
      running,
      logs: () => running.flatMap((r) => r.logger.logs),
      stop: async () => {
        for (const r of running) clearInterval(r.timer);
        await Promise.all(running.map((r) => r.dispatcher.tick().catch((e: unknown) => tickErrors.push(e))));
        await running[0]!.queue.obliterate();
        await Promise.all(running.map((r) => r.queue.close()));
        expect(tickErrors).toEqual([]);
      },
    };
  };

  beforeAll(async () => {
    const db = await freshDatabase(kind);
    url = db.url;
    drop = db.drop;
    ds = await openDatabase({ url });
    ledger = new Ledger(ds);
    events = new EventStore(ds);
    store = new WebhookStore(ds, box, generateEndpointSecret);
  });
  afterAll(async () => {
    for (const d of opened) await d.destroy();
    await ds.destroy();
    await drop();
  });

  it('every event reaches every subscribed endpoint of its service, signed, with a stable event id; nothing else arrives', async () => {
    const service = `svc-${++n}`;
    const other = `other-${n}`;
    // committed before the endpoints exist: not theirs
    const before = await transfer(service, ['sending', 'succeeded']);
    await events.sequence();

    const failedOnce = new Set<string>();
    const all = await receiver((id) => (failedOnce.has(id) ? 'ok' : (failedOnce.add(id), 'fail')));
    const onlyFailed = await receiver();
    const elsewhere = await receiver();
    const now = clock();
    const a = await store.create(service, all.url, ALL, now);
    const f = await store.create(service, onlyFailed.url, ['transfer.failed'], now);
    const o = await store.create(other, elsewhere.url, ALL, now);
    expect(a.secret).toMatch(/^whsec_/);
    expect(JSON.stringify(await store.list(service))).not.toContain(a.secret); // sealed at rest, never listed
    expect((await store.list(service)).map((e) => [e.id, e.types, e.disabledAt])).toEqual([
      [a.endpoint.id, ALL, null],
      [f.endpoint.id, ['transfer.failed'], null],
    ]);

    const d = await dispatchers(1);
    try {
      const mine = [await transfer(service, ['sending', 'succeeded', 'reversed']), await transfer(service, ['sending', 'failed']), await transfer(service, ['sending', 'unknown', 'succeeded'])];
      const theirs = [await transfer(other, ['sending', 'succeeded'])];
      const expected = await eventsOf(mine);
      const theirEvents = await eventsOf(theirs);
      expect(expected.map((e) => e.type)).toEqual(['transfer.succeeded', 'transfer.reversed', 'transfer.failed', 'transfer.succeeded']);

      await until('every delivery', () => all.ok().length >= 4 && onlyFailed.ok().length >= 1 && elsewhere.ok().length >= 1);
      await sleep(300); // anything more would have come by now

      // all types: each event, first refused (500) then redelivered with the same id, body and a higher attempt
      expect(new Set(all.ok().map((h) => h.eventId))).toEqual(new Set(expected.map((e) => e.id)));
      for (const e of expected) {
        const tries = all.hits.filter((h) => h.eventId === e.id);
        expect(tries.map((h) => [h.reply, h.attempt])).toEqual([
          ['fail', 1],
          ['ok', 2],
        ]);
        expect(new Set(tries.map((h) => h.body)).size).toBe(1);
        expect(JSON.parse(tries[0]!.body)).toEqual({ id: e.id, type: e.type, service, aggregate: e.aggregate, createdAt: e.occurredAt.toISOString(), data: e.data });
        expect(tries[0]!.type).toBe(e.type);
      }
      for (const h of all.hits) {
        expect(verifySignature(h.signature, h.body, [a.secret], { now: h.at })).toBe(true);
        expect(verifySignature(h.signature, h.body, [f.secret], { now: h.at })).toBe(false);
      }
      // one type only: just the failed transfer's event, once
      expect(onlyFailed.hits.map((h) => [h.eventId, h.type, h.attempt])).toEqual([[expected[2]!.id, 'transfer.failed', 1]]);
      expect(verifySignature(onlyFailed.hits[0]!.signature, onlyFailed.hits[0]!.body, [f.secret], { now: onlyFailed.hits[0]!.at })).toBe(true);
      // the other service's endpoint: its event only; and none of its events went to ours
      expect(elsewhere.hits.map((h) => h.eventId)).toEqual(theirEvents.map((e) => e.id));
      const ours = new Set([...all.hits, ...onlyFailed.hits].map((h) => h.eventId));
      for (const e of [...theirEvents, ...(await eventsOf([before]))]) expect(ours.has(e.id)).toBe(false);

      const delivered = await store.deliveries({ service, endpointId: a.endpoint.id }, 100);
      expect(delivered.map((x) => [x.eventId, x.type, x.status, x.attempts, x.lastStatus, x.lastError]).sort()).toEqual(expected.map((e) => [e.id, e.type, 'delivered', 2, 200, null]).sort());
      expect(await store.deliveries({ service: other }, 100)).toHaveLength(1);

      const logged = d.logs();
      expect(logged.filter((l) => l.event === 'webhook.delivered')).toHaveLength(6);
      expect(logged.filter((l) => l.event === 'webhook.failed' && l.level === 'warn')).toHaveLength(4);
      const text = JSON.stringify(logged);
      for (const secret of [a.secret, f.secret, o.secret]) expect(text).not.toContain(secret);
      expect(text).not.toContain('token=abc'); // the URL's query is the receiver's
      expect(text).not.toContain('"accountSuffix"'); // no bodies
    } finally {
      await d.stop();
      for (const e of [a, f, o]) await store.disable(e.endpoint.service, e.endpoint.id, clock());
      await Promise.all([all.close(), onlyFailed.close(), elsewhere.close()]);
    }
  });

  it('property: a receiver failing at random gets every event in the end, and each aggregate in order', async () => {
    const paths: TransferState[][] = [
      ['sending', 'succeeded'],
      ['sending', 'failed'],
      ['sending', 'succeeded', 'reversed'],
      ['sending', 'unknown', 'succeeded', 'reversed'],
    ];
    const d = await dispatchers(1);
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.constantFrom(...paths), { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 70 }), fc.integer(), async (plan, percent, seed) => {
          const service = `prop-${++n}`;
          const random = seeded(seed);
          const failures: Reply[] = ['fail', 'busy', 'reset'];
          const r = await receiver(() => (random() * 100 < percent ? failures[Math.floor(random() * failures.length)]! : 'ok'));
          const { endpoint } = await store.create(service, r.url, ALL, clock());
          try {
            // transfers side by side: their events interleave
            const aggregates = await Promise.all(plan.map((path) => transfer(service, path)));
            const expected = await eventsOf(aggregates);
            await until('every event delivered', () => new Set(r.ok().map((h) => h.eventId)).size === expected.length);
            expect(new Set(r.ok().map((h) => h.eventId))).toEqual(new Set(expected.map((e) => e.id)));
            for (const aggregate of aggregates) {
              const firsts: string[] = [];
              for (const h of r.ok()) if (!firsts.includes(h.eventId) && expected.find((e) => e.id === h.eventId)?.aggregate === aggregate) firsts.push(h.eventId);
              expect(firsts).toEqual(expected.filter((e) => e.aggregate === aggregate).map((e) => e.id));
            }
          } finally {
            await store.disable(service, endpoint.id, clock());
            await r.close();
          }
        }),
        { numRuns: 4 },
      );
    } finally {
      await d.stop();
    }
  }, 120_000);

  it('two dispatchers over one database and queue share the work: no event lost', async () => {
    const service = `pair-${++n}`;
    const random = seeded(12_345);
    const r = await receiver(() => (random() < 0.3 ? 'fail' : 'ok'));
    const { endpoint } = await store.create(service, r.url, ALL, clock());
    const d = await dispatchers(2, {}, 2);
    try {
      const aggregates = await Promise.all(Array.from({ length: 12 }, (_, i) => transfer(service, i % 3 === 0 ? ['sending', 'succeeded', 'reversed'] : ['sending', 'succeeded'])));
      const expected = await eventsOf(aggregates);
      await until('every event delivered', () => new Set(r.ok().map((h) => h.eventId)).size === expected.length);
      for (const aggregate of aggregates) {
        const order = [...new Set(r.ok().map((h) => h.eventId))].filter((id) => expected.find((e) => e.id === id)!.aggregate === aggregate);
        expect(order).toEqual(expected.filter((e) => e.aggregate === aggregate).map((e) => e.id));
      }
      // both processes made attempts
      for (const p of d.running) expect(p.logger.logs.filter((l) => l.event === 'webhook.delivered' || l.event === 'webhook.failed').length).toBeGreaterThan(0);
      // (the receiver answers before the dispatcher keeps the outcome)
      await until('every delivery kept as delivered', async () => (await store.deliveries({ endpointId: endpoint.id, status: 'delivered' }, 1_000)).length === expected.length);
      expect(await store.deliveries({ endpointId: endpoint.id }, 1_000)).toHaveLength(expected.length); // one per event, however many fanned out
    } finally {
      await d.stop();
      await store.disable(service, endpoint.id, clock());
      await r.close();
    }
  }, 60_000);

  it('recovers what a killed process leaves behind: a lost job is queued again by the tick, a claim runs out', async () => {
    const service = `lost-${++n}`;
    let reply: Reply = 'fail';
    const r = await receiver(() => reply);
    const { endpoint } = await store.create(service, r.url, ALL, clock());
    // committed and fanned out by a process that was killed before it queued anything
    const aggregates = [await transfer(service, ['sending', 'succeeded']), await transfer(service, ['sending', 'failed'])];
    await events.sequence();
    expect(await store.fanOut(clock())).toBe(2);
    const [a, b] = await eventsOf(aggregates);
    const byEvent = async (id: string) => (await store.deliveries({ endpointId: endpoint.id }, 10)).find((x) => x.eventId === id)!;
    // …and which was attempting A when it died
    expect(await store.claim((await byEvent(a!.id)).id, clock(), 60_000, 8)).not.toBeNull();

    const d = await dispatchers(1, { retryDelayMs: () => 1_000 });
    const raw = new Queue('webhooks', { connection: REDIS, prefix: d.prefix });
    try {
      await until('B attempted', async () => (await byEvent(b!.id)).attempts === 1);
      // B's retry is queued, delayed: lose it, as with a process killed between its commit and its enqueue
      const bId = (await byEvent(b!.id)).id;
      await until('the retry job found and removed', async () => (await raw.remove(`delivery-${bId}-2`)) === 1, 2_000);
      reply = 'ok';
      await until('B delivered all the same', async () => (await byEvent(b!.id)).status === 'delivered');
      expect(r.ok().map((h) => [h.eventId, h.attempt])).toEqual([[b!.id, 2]]);

      // A is still held by the dead process's claim, until it runs out
      await sleep(300);
      expect(r.hits.filter((h) => h.eventId === a!.id)).toHaveLength(0);
      offset += 61_000;
      await until('A delivered once the claim ran out', async () => (await byEvent(a!.id)).status === 'delivered');
      expect(r.ok().map((h) => h.eventId)).toEqual([b!.id, a!.id]);
    } finally {
      await raw.close();
      await d.stop();
      await store.disable(service, endpoint.id, clock());
      await r.close();
    }
  });

  it('rotation: during the overlap both secrets sign, after it only the new one', async () => {
    const service = `rot-${++n}`;
    const r = await receiver();
    const first = await store.create(service, r.url, ALL, clock());
    const d = await dispatchers(1);
    try {
      await transfer(service, ['sending', 'succeeded']);
      await until('the first event', () => r.ok().length === 1);
      const h1 = r.ok()[0]!;
      expect(h1.signature.match(/v1=/g)).toHaveLength(1);

      expect(await store.rotate('someone-else', first.endpoint.id, 3_600_000, clock())).toBeNull();
      const rotated = (await store.rotate(service, first.endpoint.id, 3_600_000, clock()))!;
      expect(rotated.secret).not.toBe(first.secret);
      expect(rotated.endpoint.previousSecretUntil!.getTime()).toBeGreaterThan(clock().getTime() + 3_500_000);
      await transfer(service, ['sending', 'failed']);
      await until('the second event', () => r.ok().length === 2);
      const h2 = r.ok()[1]!;
      expect(h2.signature.match(/v1=/g)).toHaveLength(2);
      expect(verifySignature(h2.signature, h2.body, [first.secret], { now: h2.at })).toBe(true);
      expect(verifySignature(h2.signature, h2.body, [rotated.secret], { now: h2.at })).toBe(true);

      offset += 2 * 3_600_000; // past the overlap
      await transfer(service, ['sending', 'succeeded']);
      await until('the third event', () => r.ok().length === 3);
      const h3 = r.ok()[2]!;
      expect(h3.signature.match(/v1=/g)).toHaveLength(1);
      expect(verifySignature(h3.signature, h3.body, [rotated.secret], { now: h3.at })).toBe(true);
      expect(verifySignature(h3.signature, h3.body, [first.secret], { now: h3.at })).toBe(false);
      expect(await store.signingSecrets(first.endpoint.id, clock())).toEqual([rotated.secret]);
    } finally {
      await d.stop();
      await store.disable(service, first.endpoint.id, clock());
      await r.close();
    }
  });

  it('dead letter after 24 hours of failures: visible, blocks its lane, and redelivery drains the lane in order', async () => {
    const service = `dead-${++n}`;
    let reply: Reply = 'fail';
    const r = await receiver(() => reply);
    const refusing = await receiver(() => 'refuse');
    const { endpoint } = await store.create(service, r.url, ['transfer.succeeded', 'transfer.reversed'], clock());
    const strict = await store.create(service, refusing.url, ['transfer.failed'], clock());
    const d = await dispatchers(1);
    try {
      const aggregate = await transfer(service, ['sending', 'succeeded', 'reversed']);
      const failedTransfer = await transfer(service, ['sending', 'failed']);
      const [succeeded, reversed] = await eventsOf([aggregate]);
      const byEvent = async (id: string) => (await store.deliveries({ endpointId: endpoint.id }, 100)).find((x) => x.eventId === id)!;

      // a 400 is retried like any failure (a receiver may be fixed), for 24 hours
      await until('the refused delivery retried', async () => ((await store.deliveries({ endpointId: strict.endpoint.id }, 10))[0]?.attempts ?? 0) >= 2);
      const refused = (await store.deliveries({ endpointId: strict.endpoint.id }, 10))[0]!;
      expect(refused).toMatchObject({ status: 'pending', lastStatus: 400 });
      expect(refused.lastError).toContain('HTTP 400: the endpoint refused the event');
      expect(refused.lastError).not.toContain('not retried');

      await until('a few failed attempts', async () => (await byEvent(succeeded!.id)).attempts >= 3);
      expect(r.hits.every((h) => h.eventId !== reversed!.id)).toBe(true); // held back behind the succeeded one
      expect((await byEvent(reversed!.id)).attempts).toBe(0);

      offset += 24 * 3_600_000 + 60_000;
      await until('dead-lettered', async () => (await byEvent(succeeded!.id)).status === 'dead' && (await store.deliveries({ endpointId: strict.endpoint.id, status: 'dead' }, 10)).length === 1);
      const dead = await store.deliveries({ service, status: 'dead' }, 10);
      expect(dead.map((x) => x.eventId).sort()).toEqual([succeeded!.id, (await eventsOf([failedTransfer]))[0]!.id].sort());
      const deadOne = dead.find((x) => x.eventId === succeeded!.id)!;
      expect(deadOne).toMatchObject({ type: 'transfer.succeeded', aggregate, status: 'dead', lastStatus: 500 });
      expect(deadOne.lastError).toContain('HTTP 500');
      expect(d.logs().some((l) => l.event === 'webhook.dead' && l.level === 'error' && l.details['eventId'] === succeeded!.id)).toBe(true);

      // the dead one holds its lane: the reversal is never attempted, even with the receiver back
      reply = 'ok';
      await sleep(500);
      expect(r.hits.filter((h) => h.eventId === reversed!.id)).toHaveLength(0);
      expect(await byEvent(reversed!.id)).toMatchObject({ status: 'pending', attempts: 0 });

      expect(await store.redeliver('someone-else', deadOne.id, clock())).toBe(false);
      expect(await store.redeliver(service, (await byEvent(reversed!.id)).id, clock())).toBe(false); // not dead
      expect(await store.redeliver(service, deadOne.id, clock())).toBe(true);
      expect(await store.redeliver(service, deadOne.id, clock())).toBe(false); // pending now
      await until('the lane drained', () => r.ok().length === 2);
      expect(r.ok().map((h) => h.eventId)).toEqual([succeeded!.id, reversed!.id]);
      expect(r.ok()[0]!.attempt).toBe(1); // counted afresh
      expect(await byEvent(succeeded!.id)).toMatchObject({ status: 'delivered', attempts: 1 });

      // an operator may redeliver any service's dead letter
      expect(await store.redeliver(null, (await store.deliveries({ endpointId: strict.endpoint.id }, 10))[0]!.id, clock())).toBe(true);
      const refusedBefore = refusing.hits.length;
      await until('the refused one tried again', () => refusing.hits.length > refusedBefore);
      expect(refusing.hits.at(-1)!.attempt).toBe(1);
    } finally {
      await d.stop();
      await store.disable(service, endpoint.id, clock());
      await store.disable(service, strict.endpoint.id, clock());
      await Promise.all([r.close(), refusing.close()]);
    }
  }, 60_000);

  it('a receiver that never answers and one that answers too much are retried, and hold up no other endpoint', async () => {
    const service = `slow-${++n}`;
    let slowReply: Reply = 'hang';
    let hugeReply: Reply = 'huge';
    const slow = await receiver(() => slowReply);
    const huge = await receiver(() => hugeReply);
    const good = await receiver();
    const s = await store.create(service, slow.url, ALL, clock());
    const h = await store.create(service, huge.url, ALL, clock());
    const g = await store.create(service, good.url, ALL, clock());
    // 4 attempts at once in all, 2 of them at most for one endpoint
    const d = await dispatchers(1, { timeoutMs: 3_000, maxInFlightPerEndpoint: 2 }, 4);
    try {
      const aggregates = await Promise.all(Array.from({ length: 8 }, () => transfer(service, ['sending', 'succeeded'])));
      const expected = await eventsOf(aggregates);
      await until('the good endpoint served', () => good.ok().length === expected.length, 10_000);
      // …before the slow endpoint's first attempts have even timed out
      expect((await store.deliveries({ endpointId: s.endpoint.id }, 100)).every((x) => x.attempts === 0)).toBe(true);
      expect(slow.hits.length).toBeLessThanOrEqual(2);

      await until('oversized answers failed', async () => (await store.deliveries({ endpointId: h.endpoint.id }, 100)).some((x) => x.attempts >= 1));
      const hd = (await store.deliveries({ endpointId: h.endpoint.id }, 100)).find((x) => x.attempts >= 1)!;
      expect(hd).toMatchObject({ status: 'pending', lastStatus: 200 });
      expect(hd.lastError).toMatch(/bytes/);
      await until('timed-out attempts', async () => (await store.deliveries({ endpointId: s.endpoint.id }, 100)).some((x) => x.attempts >= 1));
      const sd = (await store.deliveries({ endpointId: s.endpoint.id }, 100)).find((x) => x.attempts >= 1)!;
      expect(sd.status).toBe('pending');
      expect(sd.lastError).toMatch(/no complete answer within 3000 ms/);

      slowReply = 'ok';
      hugeReply = 'ok';
      await until('everything delivered in the end', () => new Set(slow.ok().map((x) => x.eventId)).size === expected.length && new Set(huge.ok().map((x) => x.eventId)).size === expected.length, 30_000);
    } finally {
      await d.stop();
      for (const e of [s, h, g]) await store.disable(service, e.endpoint.id, clock());
      await Promise.all([slow.close(), huge.close(), good.close()]);
    }
  }, 60_000);

  it('a disabled endpoint receives nothing new, not even what was pending for it', async () => {
    const service = `off-${++n}`;
    const r = await receiver();
    let flaky: Reply = 'fail';
    const f = await receiver(() => flaky);
    const { endpoint } = await store.create(service, r.url, ALL, clock());
    const other = await store.create(service, f.url, ALL, clock());
    const d = await dispatchers(1);
    try {
      await transfer(service, ['sending', 'succeeded']);
      await until('the first event', () => r.ok().length === 1 && f.hits.length >= 1);

      expect(await store.disable('someone-else', endpoint.id, clock())).toBe(false);
      expect(await store.disable(service, endpoint.id, clock())).toBe(true);
      expect(await store.disable(service, other.endpoint.id, clock())).toBe(true);
      expect(await store.disable(service, endpoint.id, clock())).toBe(true); // already: still there
      expect((await store.list(service)).every((e) => e.disabledAt !== null)).toBe(true);
      expect(await store.rotate(service, endpoint.id, 1_000, clock())).toBeNull();

      await sleep(300); // an attempt under way when it was disabled ends
      const hitsBefore = f.hits.length;
      flaky = 'ok';
      await transfer(service, ['sending', 'failed']);
      await sleep(800);
      expect(r.hits).toHaveLength(1);
      expect(f.hits).toHaveLength(hitsBefore);
      expect(await store.deliveries({ endpointId: endpoint.id }, 100)).toHaveLength(1); // no delivery made for the new event
      expect((await store.deliveries({ endpointId: other.endpoint.id }, 100)).map((x) => x.status)).not.toContain('delivered');
    } finally {
      await d.stop();
      await Promise.all([r.close(), f.close()]);
    }
  });
});
