import { createConnection } from 'node:net';
import type { RedisAddress } from './redis-url.js';

/** What one look at a Redis address found. */
export type RedisProbe =
  | { readonly kind: 'ready' }
  /** Nothing listens there (connection refused): a private server may be started on that port. */
  | { readonly kind: 'refused' }
  | { readonly kind: 'unreachable'; readonly reason: string }
  /** The server wants a password and we gave none (`-NOAUTH`). */
  | { readonly kind: 'auth-missing' }
  /** AUTH was refused: wrong password or user (`-WRONGPASS`, `-ERR invalid password` …). */
  | { readonly kind: 'auth-refused'; readonly reply: string }
  /** A Redis that answers PING with an error (`-LOADING`, `-MISCONF`, `-DENIED` …). */
  | { readonly kind: 'error'; readonly reply: string }
  /** Something answers, but not in Redis' protocol. */
  | { readonly kind: 'not-redis'; readonly reply: string };

/** A command in RESP (arrays of bulk strings), so that a password may hold spaces or any byte. */
function command(...args: string[]): string {
  return `*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('');
}

/** A reply line fit for a message: printable ASCII, short. */
function shown(line: string): string {
  const clean = line.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 100 ? clean.slice(0, 100) + '…' : clean;
}

/**
 * Connects to `addr`, sends AUTH (when the address has a password) and PING in one write, and classifies
 * what comes back. Never throws; the socket is closed before it resolves.
 */
export function probeRedis(addr: RedisAddress, timeoutMs = 1_000): Promise<RedisProbe> {
  return new Promise((resolve) => {
    const s = createConnection({ host: addr.host, port: addr.port });
    let connected = false;
    let input = '';
    const done = (p: RedisProbe) => {
      s.destroy();
      resolve(p);
    };
    const auth = addr.password === undefined ? [] : addr.username === undefined ? [addr.password] : [addr.username, addr.password];
    const expected = auth.length > 0 ? 2 : 1;
    s.setTimeout(timeoutMs, () => done(connected ? { kind: 'not-redis', reply: `no answer to PING within ${timeoutMs} ms` } : { kind: 'unreachable', reason: `no connection within ${timeoutMs} ms` }));
    s.once('error', (e: NodeJS.ErrnoException & { errors?: NodeJS.ErrnoException[] }) => {
      // Node tries every address of a name in turn and reports them together.
      const code = e.code ?? e.errors?.[0]?.code;
      done(code === 'ECONNREFUSED' ? { kind: 'refused' } : { kind: 'unreachable', reason: code ?? e.message });
    });
    s.once('connect', () => {
      connected = true;
      s.write((auth.length > 0 ? command('AUTH', ...auth) : '') + command('PING'));
    });
    s.once('end', () => done({ kind: 'not-redis', reply: 'the connection was closed without an answer' }));
    s.on('data', (d: Buffer) => {
      input += d.toString('latin1');
      const lines = input.split('\r\n');
      if (!/^[+-]/.test(lines[0]!) && (lines.length > 1 || input.length > 200)) return done({ kind: 'not-redis', reply: shown(lines[0]!) });
      if (lines.length <= expected) return; // the last piece is not a whole line yet
      const [authReply, pingReply] = expected === 2 ? [lines[0]!, lines[1]!] : [undefined, lines[0]!];
      // A server without a password answers AUTH with an error and PING with PONG: usable, as ioredis sees it.
      if (authReply?.startsWith('-') && !/without any password configured/i.test(authReply)) return done({ kind: 'auth-refused', reply: shown(authReply.slice(1)) });
      if (pingReply === '+PONG') return done({ kind: 'ready' });
      if (pingReply.startsWith('-NOAUTH')) return done({ kind: 'auth-missing' });
      if (pingReply.startsWith('-')) return done({ kind: 'error', reply: shown(pingReply.slice(1)) });
      done({ kind: 'not-redis', reply: shown(pingReply) });
    });
  });
}
