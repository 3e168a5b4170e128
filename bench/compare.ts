import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { projectRoot } from '../src/paths.js';
import { benchGateway, type GatewayBenchResult } from './gateway.js';
import type { LinkBenchResult } from './link.js';
import { formatRate } from './measure.js';

type Build = { readonly name: string; readonly dir: string };

/** A build of `commit` in a temporary folder: its sources, this checkout's node_modules, compiled. */
function buildOf(commit: string): Build {
  const root = projectRoot();
  const dir = mkdtempSync(join(tmpdir(), 'firmbank-base-'));
  execFileSync('sh', ['-c', `git -C "${root}" archive "${commit}" | tar -x -C "${dir}"`]);
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.build.json')], { encoding: 'utf8' });
  if (tsc.status !== 0) throw new Error(`bench: ${commit} does not build: ${tsc.stdout}${tsc.stderr}`);
  const short = execFileSync('git', ['-C', root, 'rev-parse', '--short', commit], { encoding: 'utf8' }).trim();
  return { name: short, dir };
}

/** This build's harness (bench/gateway.ts) around `b`'s gateway and simulator: both builds measured the same way. */
function gatewayOf(b: Build, rate?: number): Promise<GatewayBenchResult> {
  return benchGateway('postgres', 128, 10_000, rate, undefined, b.dir);
}

async function linkOf(b: Build): Promise<LinkBenchResult> {
  const m = (await import(pathToFileURL(join(b.dir, 'dist/bench/link.js')).href)) as typeof import('./link.js');
  return m.benchLink();
}

/** PostgreSQL's own commit rate here: one-row INSERT transactions from 16 clients (pgbench). */
async function pgCommitRate(): Promise<number> {
  const db = `fb_pgbench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${db}`);
  try {
    const c = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:5432/${db}` });
    await c.connect();
    await c.query('CREATE TABLE t (id bigserial PRIMARY KEY, v int)');
    await c.end();
    const script = join(mkdtempSync(join(tmpdir(), 'firmbank-pgbench-')), 'commit.sql');
    writeFileSync(script, 'INSERT INTO t (v) VALUES (1);\n');
    const out = execFileSync('pgbench', ['-n', '-h', '127.0.0.1', '-U', 'postgres', '-c', '16', '-j', '2', '-T', '10', '-f', script, db], { encoding: 'utf8' });
    const tps = /tps = ([\d.]+)/.exec(out);
    if (!tps) throw new Error(`bench: pgbench said ${out}`);
    return Number(tps[1]);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await admin.end();
  }
}

/** The better of `rounds` runs, taken in turns so that both builds see the same machine. */
async function inTurns<T>(builds: readonly Build[], rounds: number, run: (b: Build) => Promise<T>, score: (r: T) => number, detail: (r: T) => string = () => ''): Promise<T[]> {
  const best: (T | undefined)[] = builds.map(() => undefined);
  for (let r = 0; r < rounds; r++) {
    for (const [i, b] of builds.entries()) {
      const got = await run(b);
      process.stderr.write(`bench compare: ${b.name} round ${r + 1}: ${score(got).toFixed(0)}/s${detail(got)}\n`);
      if (best[i] === undefined || score(got) > score(best[i]!)) best[i] = got;
    }
  }
  return best as T[];
}

/**
 * `npm run bench -- compare BASE [ROUNDS]`: the throughput step measured as it must be — the previous commit beside
 * this one, in the same run on the same machine, in turns — with the machine's own ceilings beside them:
 * PostgreSQL's commit rate (pgbench) and the bare round trip to the simulator.
 */
export async function compare(base: string, rounds = 2): Promise<string> {
  const builds = [buildOf(base), { name: 'this build', dir: projectRoot() }];
  // Latency is compared at half the base's throughput (measured first, here): a load the base carries,
  // so that its figure is the base's latency and not the length of a queue that grows for as long as it runs.
  const calibration = await gatewayOf(builds[0]!);
  const rate = Math.max(1, Math.round(calibration.perSec / 2));
  process.stderr.write(`bench compare: ${builds[0]!.name} carries ${calibration.perSec.toFixed(0)}/s: latency at ${rate}/s\n`);
  const gw = await inTurns(builds, rounds, (b) => gatewayOf(b, rate), (r) => r.perSec, (r) => `; p50 / p99 at ${rate}/s ${r.p50ms.toFixed(1)} / ${r.p99ms.toFixed(1)} ms`);
  const link = await inTurns(builds, rounds, linkOf, (r) => r.perSec);
  const commits = await pgCommitRate();
  const col = (f: (i: number) => string) => builds.map((_, i) => f(i)).join(' | ');
  const ratio = (a: number, b: number) => `${(b / a).toFixed(2)}×`;
  return [
    `| PostgreSQL, best of ${rounds} runs each, in turns | ${builds.map((b) => b.name).join(' | ')} | change |`,
    '|---|---:|---:|---:|',
    `| transfers/s through the API, ${gw[0]!.concurrency} callers | ${col((i) => formatRate(gw[i]!.perSec))} | ${ratio(gw[0]!.perSec, gw[1]!.perSec)} |`,
    `| p50 / p99 at ${rate} transfers/s (half the base's throughput) | ${col((i) => `${gw[i]!.p50ms.toFixed(1)} / ${gw[i]!.p99ms.toFixed(1)} ms`)} | ${ratio(gw[1]!.p99ms, gw[0]!.p99ms)} lower (p99) |`,
    `| one at a time: transfer p50 (bank's own p50) | ${col((i) => `${gw[i]!.idleP50ms.toFixed(2)} (${gw[i]!.bankP50ms.toFixed(2)}) ms`)} | |`,
    `| round trips/s on one link, ${link[0]!.window} in flight | ${col((i) => formatRate(link[i]!.perSec))} | ${ratio(link[0]!.perSec, link[1]!.perSec)} |`,
    '',
    '| the machine\'s ceilings, same run | |',
    '|---|---:|',
    `| PostgreSQL commits/s (pgbench, one-row INSERT transactions, 16 clients) | ${formatRate(commits)} |`,
    `| bare round trips/s to the simulator (this build's link, nothing kept) | ${formatRate(link[1]!.perSec)} |`,
  ].join('\n');
}
