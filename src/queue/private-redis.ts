import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { makePrivateDir, openPrivateFile } from '../files/private-files.js';
import { probeRedis } from './redis-probe.js';
import type { RedisAddress } from './redis-url.js';

/**
 * A value for redis.conf: quoted, every byte but letters and digits as `\xHH`, so that a password (or a
 * folder name) can hold spaces, quotes or anything else without changing the meaning of the line.
 */
function confValue(v: string): string {
  return '"' + [...Buffer.from(v)].map((b) => (/[A-Za-z0-9]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('') + '"';
}

/** The last lines redis-server logged, without their `pid:role date #` prefix: why it stopped. */
function lastLogLines(log: string, n = 2): string {
  try {
    const lines = readFileSync(log, 'utf8').split('\n').filter((l) => l.trim() !== '');
    return lines
      .slice(-n)
      .map((l) => l.replace(/^\d+:[A-Z] \d+ \w+ \d+ [\d:.]+ [#*.-] /, ''))
      .join('; ')
      .slice(0, 300);
  } catch {
    return '';
  }
}

/**
 * Starts a redis-server for this process alone at `addr` (no persistence, its folder `dataDir/redis`,
 * 0700) and resolves with the function that stops it once it answers; rejects with the reason if it does
 * not start. When `addr` carries a password (and user), the server requires them.
 *
 * The settings, password included, go through a 0600 file removed once the server runs, never through
 * the command line (which every local user can read in `ps`).
 *
 * A private server must not outlive us, even when we are killed with SIGKILL and run no code at all. A
 * watchdog `sh` holds the read end of a pipe whose only write end is ours: the kernel closes it whatever
 * way we die, `read` returns, and the watchdog stops the server. This needs nothing but POSIX sh, reacts at
 * once (no polling), and leaves no pidfile to trust later. Both are in process groups of their own, so that
 * a Ctrl-C meant for us does not stop Redis under the graceful stop that follows, and neither keeps our
 * event loop alive: a start that fails half-way still lets the process end (and the watchdog clean up).
 */
export async function startPrivateRedis(addr: RedisAddress, dataDir: string, fail: (reason: string) => Error): Promise<() => Promise<void>> {
  makePrivateDir(dataDir);
  const dir = join(dataDir, 'redis');
  makePrivateDir(dir, true);
  const conf = join(dir, 'redis.conf');
  const log = join(dir, 'redis.log');
  closeSync(openPrivateFile(log, 'w')); // a fresh log, 0600, so that its last line is about this start
  const lines = [
    `port ${addr.port}`,
    addr.host === 'localhost' ? 'bind 127.0.0.1 -::1' : `bind ${confValue(addr.host)}`,
    'save ""',
    'appendonly no',
    'daemonize no',
    `dir ${confValue(dir)}`,
    `logfile ${confValue(log)}`,
    'loglevel warning',
  ];
  if (addr.password !== undefined && addr.username !== undefined && addr.username !== 'default') {
    lines.push('user default off', `user ${confValue(addr.username)} on ${confValue('>' + addr.password)} ~* &* +@all`);
  } else if (addr.password !== undefined) {
    lines.push(`requirepass ${confValue(addr.password)}`);
  }
  const fd = openPrivateFile(conf, 'w');
  try {
    writeSync(fd, lines.join('\n') + '\n');
  } finally {
    closeSync(fd);
  }

  let exited = false;
  const server: ChildProcess = spawn('redis-server', [conf], { stdio: 'ignore', detached: true });
  const watchdog = spawn('sh', ['-c', 'read -r _; kill "$1" 2>/dev/null', 'firmbank-redis-watchdog', String(server.pid)], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  watchdog.on('error', () => {}); // no sh: the server still runs, it only loses its guard against SIGKILL
  const stopWatchdog = () => void (watchdog.exitCode === null && watchdog.kill('SIGKILL'));
  const exit = new Promise<void>((resolve) => {
    const gone = () => {
      exited = true;
      stopWatchdog(); // before its pid could be reused by anything else
      resolve();
    };
    server.once('exit', gone);
    server.once('error', gone);
  });
  server.unref();
  watchdog.unref();
  (watchdog.stdin as Socket | null)?.unref();

  try {
    for (let i = 0; ; i++) {
      if (exited) throw fail(`started redis-server on ${addr.host}:${addr.port}, but it stopped: ${lastLogLines(log) || 'see ' + log}`);
      if ((await probeRedis(addr, 500)).kind === 'ready') break;
      if (i === 50) throw fail(`started redis-server on ${addr.host}:${addr.port}, but it does not answer`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (e) {
    server.kill('SIGKILL');
    stopWatchdog();
    throw e;
  } finally {
    rmSync(conf, { force: true }); // it holds the password; the server has read it
  }
  return async () => {
    server.ref(); // stopping is the last thing a gateway does: wait for it
    if (!exited) server.kill('SIGTERM');
    await exit;
  };
}
