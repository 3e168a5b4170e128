import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { openDatabase } from '../src/ledger/data-source.js';
import { EventStore } from '../src/ledger/event-store.js';
import { WebhookStore } from '../src/ledger/webhook-store.js';
import { silentLogger } from '../src/log/logger.js';
import { redisConnection } from '../src/queue/transfer-queue.js';
import { WebhookQueue } from '../src/queue/webhook-queue.js';
import { WebhookDispatcher } from '../src/webhooks/dispatcher.js';
import { generateEndpointSecret, SecretBox } from '../src/webhooks/secret-box.js';
import { formatRate } from './measure.js';

export interface EventsBenchResult {
  readonly events: number;
  readonly seconds: number;
  readonly perSec: number;
  readonly received: number;
}

/**
 * `npm run bench -- events`: webhook deliveries per second to a receiver on 127.0.0.1 that answers 200 at
 * once, on PostgreSQL and a real Redis: `n` events of one service committed into the outbox, then the
 * clock runs until every one has reached the receiver (numbering, fan-out, claims, signed POSTs, results
 * kept). One process, as one gateway would do it.
 */
export async function benchEvents(n = 2_000): Promise<EventsBenchResult> {
  const dbName = `fb_events_${Date.now()}`;
  const admin = 'postgres://postgres@127.0.0.1:5432/test';
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${dbName}`);
  await c.end();
  let received = 0;
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const ds = await openDatabase({ url: `postgres://postgres@127.0.0.1:5432/${dbName}` });
  const queue = new WebhookQueue(redisConnection(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379'), `fbbench-events-${Date.now()}`);
  try {
    const store = new WebhookStore(ds, new SecretBox(randomBytes(32).toString('base64')), generateEndpointSecret);
    const events = new EventStore(ds);
    await store.create('bench', `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, ['transfer.succeeded'], new Date());
    const dispatcher = new WebhookDispatcher({ store, events, queue, allowPrivate: true, timeoutMs: 5_000, maxResponseBytes: 65_536, logger: silentLogger, maxInFlightPerEndpoint: 32 });
    queue.start((id) => dispatcher.attempt(id), 64);
    // 100 transfers' worth of events per statement, each its own aggregate (as transfers are)
    for (let i = 0; i < n; i += 100) {
      const rows = Array.from({ length: Math.min(100, n - i) }, (_, k) => `('bench', 'transfer.succeeded', 'transfer:t${i + k}', '{"transferId":"t${i + k}"}', now())`);
      await ds.query(`INSERT INTO events (service, type, aggregate, payload, occurred_at) VALUES ${rows.join(', ')}`);
    }
    const t0 = process.hrtime.bigint();
    // Fan out once and let PostgreSQL see the backlog (what autovacuum's ANALYZE does within a minute on a
    // table that grows like this): without statistics the per-aggregate ordering check is planned as if
    // the table were empty and each tick scans the backlog once per row (see the README).
    await events.sequence();
    await store.fanOut(new Date());
    await ds.query('ANALYZE webhook_deliveries');
    while (received < n) {
      await dispatcher.tick();
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    return { events: n, seconds, perSec: n / seconds, received };
  } finally {
    await queue.obliterate().catch(() => {});
    await queue.close();
    await ds.destroy();
    receiver.close();
    const d = new pg.Client({ connectionString: admin });
    await d.connect();
    await d.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await d.end();
  }
}

export function eventsTable(r: EventsBenchResult): string {
  return [
    '| webhook deliveries, PostgreSQL + Redis, one process, receiver on 127.0.0.1 | value |',
    '|---|---:|',
    `| events delivered | ${formatRate(r.events)} in ${r.seconds.toFixed(1)} s |`,
    `| deliveries/s | ${formatRate(r.perSec)} |`,
  ].join('\n');
}
