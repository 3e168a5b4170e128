import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { FirmbankError } from '../errors/firmbank-error.js';

/** A Redis the gateway can use, and how to let go of it. */
export interface RedisHandle {
  readonly url: string;
  /** Stops the private server if we started one; otherwise nothing. */
  stop(): Promise<void>;
}

function ping(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('error', () => done(false));
    s.once('connect', () => {
      s.write('PING\r\n');
      s.once('data', (d) => done(d.toString().startsWith('+PONG')));
    });
  });
}

/**
 * Uses the Redis at `url` if it answers; otherwise, when allowed and `redis-server` is on the PATH,
 * starts a private one (no persistence, data in `dataDir`) on that port for this process. Fails at once
 * with a message saying how to get one otherwise.
 */
export async function ensureRedis(url: string, startPrivate: boolean, dataDir: string): Promise<RedisHandle> {
  const u = new URL(url);
  const host = u.hostname || '127.0.0.1';
  const port = Number(u.port || 6379);
  if (await ping(host, port)) return { url, stop: async () => {} };
  const local = host === '127.0.0.1' || host === 'localhost';
  const available = spawnSync('redis-server', ['--version']).status === 0;
  if (!startPrivate || !local || !available) {
    throw new FirmbankError(
      'FB_REDIS_UNAVAILABLE',
      `nothing answers at ${url} and ${!available ? 'redis-server is not installed' : 'starting one here is not allowed'}: ` +
        'install Redis (Debian: apt-get install redis-server) or set REDIS_URL to a running one',
    );
  }
  mkdirSync(dataDir, { recursive: true });
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', host, '--save', '', '--appendonly', 'no', '--dir', dataDir], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    if (await ping(host, port)) {
      return {
        url,
        stop: () =>
          new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new FirmbankError('FB_REDIS_UNAVAILABLE', `started redis-server on ${host}:${port} but it does not answer`);
}
