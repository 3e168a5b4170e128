import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Decimal } from 'decimal.js';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { ApiKeys } from '../src/api/api-keys.js';
import { buildApi } from '../src/api/server.js';
import type { ApiServices } from '../src/api/services.js';
import { TelegramCodec } from '../src/codec/telegram-codec.js';
import type { TransferState } from '../src/domain/transfer-state.js';
import { OneWonFlow } from '../src/flows/one-won-flow.js';
import type { TransferStarter } from '../src/flows/one-won-ports.js';
import { transferCheckOf } from '../src/flows/one-won-transfer-check.js';
import { TransferFlow } from '../src/flows/transfer-flow.js';
import { loadInstitution } from '../src/institution/load-profile.js';
import { openDatabase } from '../src/ledger/data-source.js';
import { Ledger } from '../src/ledger/ledger.js';
import { OneWonStore } from '../src/ledger/one-won-store.js';
import { systemClock } from '../src/link/clock.js';
import { silentLogger } from '../src/log/logger.js';
import { projectRoot } from '../src/paths.js';
import { redisConnection, TransferQueue } from '../src/queue/transfer-queue.js';
import { formatRate } from './measure.js';

export interface AuthBenchResult {
  readonly starts: number;
  readonly callers: number;
  readonly startsPerSec: number;
  readonly startP50ms: number;
  readonly startP99ms: number;
  readonly confirms: number;
  readonly confirmRate: number;
  readonly confirmP50ms: number;
  readonly confirmP99ms: number;
}

const ADMIN = 'postgres://postgres@127.0.0.1:5432/test';

function pct(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

/**
 * `npm run bench -- auth`: one-won verifications (1원 인증) through the HTTP API, on PostgreSQL and Redis.
 *
 * The API is the real one (buildApi: authentication, scopes, problems) with the one-won routes; behind
 * them the real flow and store, and the real TransferFlow accepting each 1 won (checks, the ledger's
 * insert, the BullMQ send job in Redis) — everything a start does in the gateway but the bank, whose
 * workers are not running. Limits are raised for the run (each start is another account, so the
 * per-account limit still runs its lock and count).
 *
 * The callers run in a process of their own (bench/auth-load.ts), as the internal services would. Two
 * runs: starts by `callers_` callers in a closed loop (verifications started per second, end to end);
 * then, every 1 won marked succeeded as the bank would, the right codes confirmed in an open loop at
 * `confirmRate` per second (confirm latency p50/p99).
 *
 * Once the gateway wires the routes, the same load can be pointed at Gateway.start (as bench/gateway.ts
 * does) instead of the app built here: replace `serve()` with the gateway's API port and an API key, and
 * read the codes from the memos of the kept transfers (`SELECT request_id, memo FROM transfers`).
 */
export async function benchAuth(starts = 6_000, callers_ = 64, confirmRate = 500, confirmSeconds = 6): Promise<AuthBenchResult> {
  const dbName = `fb_auth_${Date.now()}`;
  const admin = new pg.Client({ connectionString: ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();

  const ds = await openDatabase({ url: `postgres://postgres@127.0.0.1:5432/${dbName}` });
  const queue = new TransferQueue('hecto', '004', redisConnection(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379'), `fbbench-auth-${Date.now()}`);
  const codesFile = join(mkdtempSync(join(tmpdir(), 'firmbank-auth-')), 'codes.json');
  try {
    const { url, key, codes, close } = await serve(ds, queue);
    try {
      const load = callers(url, key);
      const tag = () => String(randomInt(100, 1_000));
      // warm-up: connections, JIT, the plans of every statement
      await load('start', 500, 16, tag());
      const loaded = await load('start', starts, callers_, tag());

      // The bank's part: every 1 won arrives; the account holders read their codes.
      await ds.query(`UPDATE transfers SET state = 'succeeded' WHERE request_id LIKE 'onewon-%'`);
      writeFileSync(codesFile, JSON.stringify([...codes]));
      await load('confirm', 200, 1, codesFile); // warm-up
      const confirmed = await load('confirm', confirmRate, confirmSeconds, codesFile);
      return {
        starts,
        callers: callers_,
        startsPerSec: loaded.perSec,
        startP50ms: pct(loaded.lat, 0.5),
        startP99ms: pct(loaded.lat, 0.99),
        confirms: confirmed.lat.length,
        confirmRate,
        confirmP50ms: pct(confirmed.lat, 0.5),
        confirmP99ms: pct(confirmed.lat, 0.99),
      };
    } finally {
      await close();
    }
  } finally {
    rmSync(dirname(codesFile), { recursive: true, force: true });
    await queue.obliterate().catch(() => {});
    await queue.close();
    await ds.destroy();
    const c = new pg.Client({ connectionString: ADMIN });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await c.end();
  }
}

/**
 * Runs the callers (bench/auth-load) in a process of their own against `url`: from dist/ as compiled, or
 * under tsx as written (its loader passed on through execArgv).
 */
function callers(url: string, key: string) {
  const self = fileURLToPath(import.meta.url);
  const script = join(dirname(self), `auth-load${extname(self)}`);
  return (...args: (string | number)[]) =>
    new Promise<{ perSec: number; lat: number[] }>((resolve, reject) => {
      const child = spawn(process.execPath, [...process.execArgv, script, url, key, ...args.map(String)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as { perSec: number; lat: number[] }) : reject(new Error(`auth-load exited ${code}`))));
    });
}

/**
 * The API with the one-won routes over the real flow, store, ledger and transfer flow. `codes` is the
 * account holders' passbook: each verification's code, read from the memo of its 1 won.
 */
async function serve(ds: DataSource, queue: TransferQueue) {
  const root = projectRoot();
  const { profile, codes: responseCodes, hours } = loadInstitution(join(root, 'specs/hecto.profile.yaml'));
  const codec = new TelegramCodec(profile.spec);
  const ledger = new Ledger(ds);
  const institution = { id: 'hecto', bankCode: '004', companyId: 'BENCH01', withdrawAccount: '12345678901234', requestTimeoutMs: 10_000, inquiryDelayMs: 1_000, inquiryMaxAttempts: 5, enforceHours: false };
  const transferFlow = new TransferFlow({
    institution,
    profile,
    codec,
    ledger,
    // never asked: accepting a transfer writes it and queues it; the workers that would send it are not running
    link: { request: () => Promise.reject(new Error('no bank in this benchmark')) },
    queue,
    codes: responseCodes,
    hours,
    clock: systemClock,
    logger: silentLogger,
  });
  const passbook = new Map<string, string>();
  const starter: TransferStarter = {
    async start(caller, r) {
      const { transfer } = await transferFlow.submit(caller, r, 'one-won');
      passbook.set(r.requestId.slice('onewon-'.length), r.memo.normalize('NFKC').slice('인증'.length));
      return { transferId: transfer.id, state: transfer.state };
    },
    // (the gateway's adapter would ask the Ledger; it has no public lookup by request id yet)
    async get(service, requestId) {
      const rows = (await ds.query('SELECT state, response_code, response_message FROM transfers WHERE service = $1 AND request_id = $2', [service, requestId])) as {
        state: TransferState;
        response_code: string | null;
        response_message: string | null;
      }[];
      const t = rows[0];
      return t ? { state: t.state, responseCode: t.response_code, responseMessage: t.response_message } : null;
    },
  };
  const flow = new OneWonFlow({
    settings: { secret: randomBytes(32).toString('base64'), perServicePerSecond: 1_000_000, perServicePerDay: 100_000_000 },
    store: new OneWonStore(ds),
    transfers: starter,
    check: transferCheckOf(profile, codec, '004'),
    logger: silentLogger,
  });
  flow.assertMemoFits('004');
  const keys = new ApiKeys(ds);
  const key = await keys.create('bench', new Decimal(1_000_000));
  // The API as the gateway builds it (hooks, auth, problems), with only the one-won service behind it.
  const app = buildApi({ oneWon: flow } as unknown as ApiServices, keys, silentLogger, 1_000);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, key, codes: passbook, close: () => app.close() };
}

export function authTable(r: AuthBenchResult): string {
  return [
    '| one-won verifications (1원 인증) through the HTTP API, PostgreSQL + Redis | |',
    '|---|---:|',
    `| verifications started/s, ${r.callers} callers (limits checked, verification kept, 1 won accepted and queued) | ${formatRate(r.startsPerSec)} |`,
    `| start latency p50 / p99 under that load | ${r.startP50ms.toFixed(1)} / ${r.startP99ms.toFixed(1)} ms |`,
    `| confirm latency p50 / p99 at ${r.confirmRate} confirms/s (${r.confirms} right codes) | ${r.confirmP50ms.toFixed(2)} / ${r.confirmP99ms.toFixed(2)} ms |`,
  ].join('\n');
}
