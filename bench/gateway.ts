import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import pg from 'pg';
import type { GatewayConfig } from '../src/config/config.js';
import { Gateway } from '../src/gateway/gateway.js';
import { silentLogger } from '../src/log/logger.js';
import { projectRoot } from '../src/paths.js';
import { formatRate } from './measure.js';

export interface GatewayBenchResult {
  readonly db: string;
  readonly perSec: number;
  readonly concurrency: number;
  readonly rate: number;
  readonly p50ms: number;
  readonly p99ms: number;
  readonly idleP50ms: number;
  readonly bankP50ms: number;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

async function startSim(root: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [join(root, 'bin/firmbank.js'), 'sim', '--spec', join(root, 'specs/hecto.yaml'), '--port', '0'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', () => reject(new Error('simulator exited')));
  });
  return { child, port };
}

/**
 * Transfers through the HTTP API (`Prefer: wait=30`, so each call returns the bank's final answer) to the
 * simulator in another process and back. Three runs: closed loop with `concurrency` callers (throughput),
 * open loop at `rate` per second (latency under load), one at a time (the gateway's own cost next to the
 * bank's round trip, measured on the same link with a balance inquiry).
 */
export async function benchGateway(db: 'sqlite' | 'postgres' | 'postgres-socket', concurrency = 64, total = 6_000, rate = 500, seconds = 10): Promise<GatewayBenchResult> {
  const root = projectRoot();
  const sim = await startSim(root);
  let databaseUrl = join(mkdtempSync(join(tmpdir(), 'firmbank-bench-')), 'ledger.sqlite');
  const dbName = `fb_bench_${Date.now()}`;
  if (db !== 'sqlite') {
    if (db === 'postgres-socket') process.env['BENCH_PG_SOCKET'] ??= '/var/run/postgresql';
    else delete process.env['BENCH_PG_SOCKET'];
    const c = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
    await c.connect();
    await c.query(`CREATE DATABASE ${dbName}`);
    await c.end();
    // BENCH_PG_SOCKET=/var/run/postgresql measures over PostgreSQL's Unix socket instead of TCP.
    const socket = process.env['BENCH_PG_SOCKET'];
    databaseUrl = socket ? `postgres://postgres@localhost/${dbName}?host=${encodeURIComponent(socket)}` : `postgres://postgres@127.0.0.1:5432/${dbName}`;
  }
  const config: GatewayConfig = {
    api: { host: '127.0.0.1', port: 0 },
    databaseUrl,
    redisUrl: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    startRedis: true,
    queuePrefix: `fbbench-${Date.now()}`,
    dataDir: mkdtempSync(join(tmpdir(), 'firmbank-bench-data-')),
    maxWaitMs: 30_000,
    institutions: [
      {
        id: 'hecto', spec: join(root, 'specs/hecto.yaml'), hours: join(root, 'specs/hours/hecto.yaml'), host: '127.0.0.1', port: sim.port,
        companyId: 'BENCH01', bankCode: '004', withdrawAccount: '12345678901234', connections: 1, ratePerSecond: 100_000,
        requestTimeoutMs: 10_000, inquiryDelayMs: 1_000, inquiryMaxAttempts: 5, enforceHours: false, simulator: false,
      },
    ],
  };
  const gw = await Gateway.start(config, { logger: silentLogger, concurrency: 256 });
  try {
    const key = await gw.apiKeys.create('bench', new Decimal('1000000000'));
    const url = `http://127.0.0.1:${gw.apiPort}/v1/transfers`;
    let n = 0;
    const one = async (): Promise<number> => {
      const t0 = performance.now();
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', prefer: 'wait=30' },
        body: JSON.stringify({ requestId: `b-${++n}`, bankCode: '004', account: '110123456789', amount: '1', memo: '벤치' }),
      });
      const body = (await res.json()) as { state?: string };
      if (res.status !== 201 || body.state !== 'succeeded') throw new Error(`bench: ${res.status} ${JSON.stringify(body)}`);
      return performance.now() - t0;
    };
    const closedLoop = async (count: number, callers: number) => {
      let left = count;
      const lat: number[] = [];
      const t0 = performance.now();
      await Promise.all(Array.from({ length: callers }, async () => {
        while (left-- > 0) lat.push(await one());
      }));
      return { perSec: (count * 1000) / (performance.now() - t0), lat: lat.sort((a, b) => a - b) };
    };
    await closedLoop(500, 16); // warm-up
    const loaded = await closedLoop(total, concurrency);

    // Open loop: start one every 1/rate s, whatever the previous did.
    const lat: number[] = [];
    const pending: Promise<void>[] = [];
    const start = performance.now();
    for (let i = 0; i < rate * seconds; i++) {
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      pending.push(one().then((ms) => void lat.push(ms)));
    }
    await Promise.all(pending);
    lat.sort((a, b) => a - b);

    const idle = (await closedLoop(300, 1)).lat;
    const link = gw.institutions.get('hecto')!.pool;
    const bank: number[] = [];
    for (let i = 0; i < 300; i++) {
      const t0 = performance.now();
      await link.request('balance.request', { account: '12345678901234' });
      bank.push(performance.now() - t0);
    }
    bank.sort((a, b) => a - b);
    return { db, perSec: loaded.perSec, concurrency, rate, p50ms: pct(lat, 0.5), p99ms: pct(lat, 0.99), idleP50ms: pct(idle, 0.5), bankP50ms: pct(bank, 0.5) };
  } finally {
    await gw.stop();
    sim.child.kill('SIGTERM');
    if (db !== 'sqlite') {
      const c = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await c.end();
    }
  }
}

export function gatewayTable(rows: GatewayBenchResult[]): string {
  return [
    '| transfers through the HTTP API, simulator in another process | ' + rows.map((r) => r.db).join(' | ') + ' |',
    '|---|' + rows.map(() => '---:').join('|') + '|',
    `| transfers/s, ${rows[0]!.concurrency} callers waiting for the final answer | ${rows.map((r) => formatRate(r.perSec)).join(' | ')} |`,
    `| latency p50 / p99 at ${rows[0]!.rate} transfers/s | ${rows.map((r) => `${r.p50ms.toFixed(1)} / ${r.p99ms.toFixed(1)} ms`).join(' | ')} |`,
    `| one at a time: transfer p50 vs the bank's own round trip p50 | ${rows.map((r) => `${r.idleP50ms.toFixed(2)} vs ${r.bankP50ms.toFixed(2)} ms`).join(' | ')} |`,
  ].join('\n');
}
