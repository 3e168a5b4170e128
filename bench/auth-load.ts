/**
 * The callers of the one-won benchmark (bench/auth.ts), in a process of their own, as internal services
 * are: `node auth-load.js URL KEY MODE ARG...` prints one JSON line `{perSec, lat}` (latencies sorted, ms).
 * - `start COUNT CALLERS TAG`: COUNT verifications started by CALLERS callers, each waiting for its answer,
 *   each on another account (`TAG` keeps request ids and accounts apart between runs).
 * - `confirm RATE SECONDS FILE`: one confirm every 1/RATE s, whatever the previous did, with the right
 *   codes of FILE (JSON `[[id, code], …]`, used in turn).
 * A call that does not answer as expected (201; 200 and verified) fails the run.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';

const [url, key, mode, a, b, c] = process.argv.slice(2);
const target = new URL(url!);
const agent = new Agent({ keepAlive: true, maxSockets: 512 });

function post(path: string, body: unknown, expect: (status: number, text: string) => boolean): Promise<number> {
  const t0 = performance.now();
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: target.hostname, port: target.port, path, method: 'POST', agent, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (expect(res.statusCode ?? 0, text)) resolve(performance.now() - t0);
          else reject(new Error(`auth-load: ${path} answered ${res.statusCode} ${text}`));
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function starts(count: number, callers: number, tag: string) {
  let n = 0;
  const lat: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (n < count) {
        const i = ++n;
        const account = `1${tag}${String(i).padStart(8, '0')}`;
        lat.push(await post('/v1/account-verifications/one-won', { requestId: `a-${tag}-${i}`, bankCode: '004', account }, (s) => s === 201));
      }
    }),
  );
  return { perSec: (count * 1_000) / (performance.now() - t0), lat };
}

async function confirms(rate: number, seconds: number, file: string) {
  const codes = JSON.parse(readFileSync(file, 'utf8')) as [string, string][];
  const lat: number[] = [];
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < rate * seconds; i++) {
    const wait = start + (i * 1_000) / rate - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const [id, code] = codes[i % codes.length]!;
    pending.push(post(`/v1/account-verifications/one-won/${id}/confirm`, { code }, (s, text) => s === 200 && text.includes('"result":"verified"')).then((ms) => void lat.push(ms)));
  }
  await Promise.all(pending);
  return { perSec: rate, lat };
}

const result = mode === 'start' ? await starts(Number(a), Number(b), c!) : await confirms(Number(a), Number(b), c!);
result.lat.sort((x, y) => x - y);
process.stdout.write(JSON.stringify(result) + '\n');
agent.destroy();
