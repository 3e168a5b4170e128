import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import pg from 'pg';
import { pathToFileURL } from 'node:url';
import type { GatewayConfig } from '../src/config/config.js';
import type { Gateway as GatewayClass } from '../src/gateway/gateway.js';
import type { BankLink as BankLinkClass } from '../src/link/bank-link.js';
import type { MemorySequenceSource as SequenceClass } from '../src/link/sequence.js';
import { silentLogger } from '../src/log/logger.js';
import { projectRoot } from '../src/paths.js';
import { formatRate } from './measure.js';
import { spawnSimulator } from './sim-process.js';

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

/** The gateway, link and sequence classes of the build in `root` (compiled), so one harness measures any build. */
async function buildClasses(root: string) {
  const load = async <T>(file: string) => (await import(pathToFileURL(join(root, 'dist/src', file)).href)) as T;
  const { Gateway } = await load<{ Gateway: typeof GatewayClass }>('gateway/gateway.js');
  const { BankLink } = await load<{ BankLink: typeof BankLinkClass }>('link/bank-link.js');
  const { MemorySequenceSource } = await load<{ MemorySequenceSource: typeof SequenceClass }>('link/sequence.js');
  return { Gateway, BankLink, MemorySequenceSource };
}

/**
 * Transfers through the HTTP API (`Prefer: wait=30`, so each call returns the bank's final answer) to the
 * simulator in another process and back, for the build in `root` (default: this one; `compare` passes
 * another). After a warm-up, three runs, the loaded one last so that its backlog (autovacuum, the event
 * sequencer catching up) is in no other: one at a time (the gateway's own cost next to the bank's round
 * trip, measured on the same link with a balance inquiry), open loop at `rate` per second (latency under
 * load), closed loop with `concurrency` callers (throughput).
 */
export async function benchGateway(db: 'sqlite' | 'postgres' | 'postgres-socket', concurrency = 128, total = 10_000, rate = 500, seconds = 10, root = projectRoot()): Promise<GatewayBenchResult> {
  const { Gateway, BankLink, MemorySequenceSource } = await buildClasses(root);
  const sim = await spawnSimulator(root);
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
    sweepMs: 30_000,
    institutions: [
      {
        id: 'hecto', profile: join(root, 'specs/hecto.profile.yaml'), host: '127.0.0.1', port: sim.port,
        companyId: 'BENCH01', bankCode: '004', withdrawAccount: '12345678901234', connections: 1, ratePerSecond: 100_000,
        requestTimeoutMs: 10_000, inquiryDelayMs: 1_000, inquiryMaxAttempts: 5, enforceHours: false, simulator: false,
      },
    ],
  };
  const gw = await Gateway.start(config, { logger: silentLogger, concurrency: 256 });
  try {
    const key = await gw.apiKeys.create('bench', new Decimal('1000000000'));
    const url = `http://127.0.0.1:${gw.apiPort}`;
    // The callers run in a process of their own, as the internal services would.
    const load = (...args: (string | number)[]) =>
      new Promise<{ perSec: number; lat: number[] }>((resolve, reject) => {
        const child = spawn(process.execPath, [join(projectRoot(), 'dist/bench/load.js'), url, key, ...args.map(String)], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
        child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as { perSec: number; lat: number[] }) : reject(new Error(`load generator exited ${code}`))));
      });
    await load('closed', 500, 16); // warm-up
    const idle = (await load('closed', 300, 1)).lat;
    const lat = (await load('open', rate, seconds)).lat;
    const loaded = await load('closed', total, concurrency);
    // The bank's own round trip: a bare link to the same simulator, keeping nothing.
    const link = new BankLink({ codec: gw.institutions.get('hecto')!.codec, host: '127.0.0.1', port: sim.port, companyId: 'BENCH02', bankCode: '004', sequence: new MemorySequenceSource() }).start();
    await link.ready();
    const bank: number[] = [];
    for (let i = 0; i < 300; i++) {
      const t0 = performance.now();
      await link.request('balance.request', { account: '12345678901234' });
      bank.push(performance.now() - t0);
    }
    bank.sort((a, b) => a - b);
    await link.close();
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
