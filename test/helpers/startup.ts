import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ROOT } from './specs.js';

const BIN = join(ROOT, 'bin/firmbank.js');

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** True when something accepts a TCP connection on 127.0.0.1:port. */
export function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** The newest modification time of any file under `dir`. */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/**
 * bin/firmbank.js runs dist/: builds it when any file under src/ is newer than the compiled CLI (as
 * test/cli.test.ts does, but only when needed, since other test files build it too).
 */
export function ensureBuilt(): void {
  const main = join(ROOT, 'dist/src/cli/main.js');
  if (existsSync(main) && statSync(main).mtimeMs >= newest(join(ROOT, 'src'))) return;
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, encoding: 'utf8' });
  expect(build.status, build.stdout + build.stderr).toBe(0);
}

/** The environment of a `firmbank start` child: ours without any firmbank setting, plus `env`. */
function childEnv(env: Record<string, string>): Record<string, string> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k, v]) => v !== undefined && !/^(DATABASE_URL|REDIS_URL|PORT|HOST|FIRMBANK_.*)$/.test(k)),
  ) as Record<string, string>;
  return { ...base, ...env };
}

/**
 * Spawns `node bin/firmbank.js start`; with `umask`, through `sh -c 'umask …; exec node …'` so that the
 * modes of what it creates can be checked against a umask that would widen them.
 */
export function spawnStart(env: Record<string, string>, umask?: string): ChildProcess {
  const [cmd, args] = umask === undefined ? [process.execPath, [BIN, 'start']] : ['sh', ['-c', `umask ${umask}; exec "$0" "$1" start`, process.execPath, BIN]];
  return spawn(cmd, args, { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs `firmbank start` expecting it to stop by itself; kills it (and fails) after `timeoutMs`. */
export function runStart(env: Record<string, string>, timeoutMs = 45_000): Promise<{ status: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  const child = spawnStart(env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, ms: Date.now() - t0 });
    }),
  );
}

/** Waits for the "listening on" line of a started gateway; rejects with its output if it exits first. */
export function waitListening(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (/listening on http:\/\/\S+\n[^\n]*\n/.test(out)) resolve(out);
    });
    child.once('exit', (code) => reject(new Error(`firmbank start exited ${code}: ${out} ${err}`)));
  });
}

/** A redis-server of the test's own on `port` (no persistence), with extra arguments; resolves once it answers. */
export async function startRedisServer(port: number, extra: string[] = []): Promise<{ stop: () => Promise<void> }> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extra], { stdio: 'ignore' });
  for (let i = 0; !(await answers(port)); i++) {
    if (i > 100) throw new Error(`redis-server on ${port} did not start`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Processes whose command line contains `text` (Linux /proc). */
export function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
      if (cmd.includes(text)) found.push(`${pid}: ${cmd.replace(/\0/g, ' ')}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** The permission bits of a path, as `0o…` digits for readable failures. */
export function mode(path: string): string {
  return (statSync(path).mode & 0o777).toString(8);
}

/** Runs `fn` with the process umask set to `mask`, then restores it. */
export async function withUmask<T>(mask: number, fn: () => Promise<T> | T): Promise<T> {
  const old = process.umask(mask);
  try {
    return await fn();
  } finally {
    process.umask(old);
  }
}
