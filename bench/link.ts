import { join } from 'node:path';
import { TelegramCodec } from '../src/codec/telegram-codec.js';
import { BankLink } from '../src/link/bank-link.js';
import { MemorySequenceSource } from '../src/link/sequence.js';
import { loadSpecFile } from '../src/spec/load-spec.js';
import { projectRoot } from '../src/paths.js';
import { formatRate } from './measure.js';
import { spawnSimulator } from './sim-process.js';

export interface LinkBenchResult {
  readonly requests: number;
  readonly window: number;
  readonly perSec: number;
  readonly p50ms: number;
  readonly p99ms: number;
  readonly idleP50ms: number;
  readonly idleP99ms: number;
}

const TRANSFER = { withdrawAccount: '12345678901234', amount: '1', depositBankCode: '004', depositAccount: '110123456789', memo: '벤치', depositHolderName: '홍길동' };

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/** Runs `total` transfers keeping `window` in flight; returns round trips/s and sorted latencies (ms). */
async function drive(link: BankLink, total: number, window: number): Promise<{ perSec: number; latencies: Float64Array }> {
  const latencies = new Float64Array(total);
  let started = 0;
  let done = 0;
  const t0 = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    const one = () => {
      const i = started++;
      const s = process.hrtime.bigint();
      link.request('transfer.request', TRANSFER).then((o) => {
        if (o.status !== 'answered') return reject(new Error(`bench: request ${i} ${o.status}: ${o.reason}`));
        latencies[i] = Number(process.hrtime.bigint() - s) / 1e6;
        if (++done === total) resolve();
        else if (started < total) one();
      }, reject);
    };
    for (let k = 0; k < Math.min(window, total); k++) one();
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { perSec: total / seconds, latencies: latencies.sort() };
}

/**
 * Round trips on one connection to the simulator running in another process (as a bank would be):
 * a throughput run with many requests in flight, then latency with one at a time.
 */
export async function benchLink(requests = 300_000, window = 1_000): Promise<LinkBenchResult> {
  const root = projectRoot();
  const spec = join(root, 'specs/hecto.yaml');
  const { child: sim, port } = await spawnSimulator(root);
  try {
    const codec = new TelegramCodec(loadSpecFile(spec));
    const link = new BankLink({ codec, host: '127.0.0.1', port, companyId: 'BENCH01', bankCode: '004', sequence: new MemorySequenceSource(), requestTimeoutMs: 60_000 }).start();
    if (!(await link.ready())) throw new Error('bench: link not ready');
    await drive(link, 20_000, window); // warm-up, both processes
    const loaded = await drive(link, requests, window);
    const idle = await drive(link, 5_000, 1);
    await link.close();
    return {
      requests,
      window,
      perSec: loaded.perSec,
      p50ms: percentile(loaded.latencies, 0.5),
      p99ms: percentile(loaded.latencies, 0.99),
      idleP50ms: percentile(idle.latencies, 0.5),
      idleP99ms: percentile(idle.latencies, 0.99),
    };
  } finally {
    sim.kill('SIGTERM');
  }
}

export function linkTable(r: LinkBenchResult): string {
  return [
    '| Hecto 2000/100 round trips, one connection, simulator in another process | value |',
    '|---|---:|',
    `| round trips/s (${formatRate(r.requests)} transfers, ${r.window} in flight) | ${formatRate(r.perSec)} |`,
    `| latency p50 / p99 at that load | ${r.p50ms.toFixed(2)} ms / ${r.p99ms.toFixed(2)} ms |`,
    `| latency p50 / p99, one request at a time | ${r.idleP50ms.toFixed(3)} ms / ${r.idleP99ms.toFixed(3)} ms |`,
  ].join('\n');
}
