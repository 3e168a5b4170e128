import { spawnSync } from 'node:child_process';
import { maskUrl } from '../config/mask-url.js';
import { StartupError } from '../config/startup-error.js';
import { startPrivateRedis } from './private-redis.js';
import { probeRedis } from './redis-probe.js';
import { redisAddress } from './redis-url.js';

/** A Redis the gateway can use, and how to let go of it. */
export interface RedisHandle {
  readonly url: string;
  /** Stops the private server if we started one; otherwise nothing. */
  stop(): Promise<void>;
}

/**
 * Uses the Redis at `url` if it answers (AUTH first when the URL has a password); otherwise, when allowed,
 * local and `redis-server` is on the PATH, starts a private one on that port for this process (see
 * {@link startPrivateRedis}). Everything else fails at once with a {@link StartupError} naming `setting`,
 * the URL masked: `FB_REDIS_AUTH` when the password is missing or refused, `FB_REDIS_UNAVAILABLE` otherwise.
 */
export async function ensureRedis(url: string, startPrivate: boolean, dataDir: string, setting = 'REDIS_URL'): Promise<RedisHandle> {
  const addr = redisAddress(url);
  const at = `${addr.host}:${addr.port}`;
  const unavailable = (reason: string) => new StartupError('FB_REDIS_UNAVAILABLE', setting, maskUrl(url), reason);
  const probe = await probeRedis(addr);
  switch (probe.kind) {
    case 'ready':
      return { url, stop: async () => {} };
    case 'auth-missing':
      throw new StartupError('FB_REDIS_AUTH', setting, maskUrl(url), `the Redis at ${at} wants a password and the URL has none: write it as redis://:PASSWORD@${at} (or redis://USER:PASSWORD@${at} for an ACL user)`);
    case 'auth-refused':
      throw new StartupError('FB_REDIS_AUTH', setting, maskUrl(url), `the Redis at ${at} refuses ${addr.username === undefined ? 'the password' : `user "${addr.username}" with that password`}: ${probe.reply}`);
    case 'error':
      throw unavailable(`the Redis at ${at} answers with an error: ${probe.reply}`);
    case 'not-redis':
      throw unavailable(`something at ${at} is not a Redis (${probe.reply}): check the port`);
    case 'unreachable':
      throw unavailable(`${at} cannot be reached: ${probe.reason}`);
    case 'refused':
      break;
  }
  const local = ['127.0.0.1', 'localhost', '::1'].includes(addr.host);
  const available = spawnSync('redis-server', ['--version']).status === 0;
  if (!startPrivate || !local || !available) {
    const why = !available ? 'redis-server is not installed' : !local ? `a private one is only started on this machine (127.0.0.1)` : 'starting one here is not allowed (startRedis: false)';
    throw unavailable(`nothing answers at ${at} and ${why}: install Redis (Debian: apt-get install redis-server) or set ${setting} to a running one`);
  }
  return { url, stop: await startPrivateRedis(addr, dataDir, unavailable) };
}
