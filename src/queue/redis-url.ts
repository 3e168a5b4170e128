/** Where a Redis is and who we are to it, from a `redis://[[user]:password@]host[:port][/db]` URL. */
export interface RedisAddress {
  readonly host: string;
  readonly port: number;
  /** An ACL user (Redis 6+); without one, AUTH is for the `default` user. */
  readonly username?: string;
  readonly password?: string;
  readonly db: number;
}

/**
 * Reads a Redis URL the way ioredis does (user and password percent-decoded; a user without a password
 * sends no AUTH). The URL is assumed valid: the configuration checks it.
 */
export function redisAddress(url: string): RedisAddress {
  const u = new URL(url);
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  const username = u.username && password !== undefined ? decodeURIComponent(u.username) : undefined;
  return {
    // IPv6 hosts come bracketed from URL; sockets want them bare.
    host: u.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: Number(u.port || 6379),
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
  };
}
