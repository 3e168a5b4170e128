/**
 * The callers of the gateway benchmark, in a process of their own (as internal services are):
 * `node dist/bench/load.js URL KEY MODE ARG...` prints one JSON line with the result.
 * - `closed COUNT CALLERS`: COUNT transfers by CALLERS callers, each waiting for its answer.
 * - `open RATE SECONDS`: one transfer every 1/RATE s, whatever the previous did.
 * Every call asks for the final state (Prefer: wait=30) and fails the run unless it succeeded.
 */
import { Agent, request } from 'node:http';

const [url, key, mode, a, b] = process.argv.slice(2);
const target = new URL(url!);
const agent = new Agent({ keepAlive: true, maxSockets: 512 });
let n = 0;
const tag = `${process.pid}-${Date.now()}`;

function one(): Promise<number> {
  const t0 = performance.now();
  const body = JSON.stringify({ requestId: `b-${tag}-${++n}`, bankCode: '004', account: '110123456789', amount: '1', memo: '벤치' });
  return new Promise((resolve, reject) => {
    const req = request(
      { host: target.hostname, port: target.port, path: '/v1/transfers', method: 'POST', agent, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', prefer: 'wait=30', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode !== 201 || !text.includes('"state":"succeeded"')) reject(new Error(`load: ${res.statusCode} ${text}`));
          else resolve(performance.now() - t0);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function closed(count: number, callers: number) {
  let left = count;
  const lat: number[] = [];
  const t0 = performance.now();
  await Promise.all(Array.from({ length: callers }, async () => {
    while (left-- > 0) lat.push(await one());
  }));
  return { perSec: (count * 1000) / (performance.now() - t0), lat };
}

async function open(rate: number, seconds: number) {
  const lat: number[] = [];
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < rate * seconds; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(one().then((ms) => void lat.push(ms)));
  }
  await Promise.all(pending);
  return { perSec: rate, lat };
}

const result = mode === 'closed' ? await closed(Number(a), Number(b)) : await open(Number(a), Number(b));
result.lat.sort((x, y) => x - y);
process.stdout.write(JSON.stringify(result) + '\n');
agent.destroy();
