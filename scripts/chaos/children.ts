import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';

export interface StartOptions {
  /** How long to wait for the ready line (default 30 s). */
  readonly timeoutMs?: number;
  /** Its stdout carries a secret (an API key): read it, never write it to the log. */
  readonly secretOutput?: boolean;
}

/** A process the chaos run started: its output goes to `<dir>/<name>.log`. */
export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  /** Resolves with the exit code or signal once it ended. */
  readonly exited: Promise<string>;
  /** True once it ended, whatever the reason. */
  readonly gone: () => boolean;
}

/**
 * Every process a chaos run starts, so that all of them end with it: on success, on a violation, on an
 * error, on Ctrl-C. Each child's stdout and stderr are kept in the run directory as evidence.
 */
export class Children {
  private readonly live = new Set<Child>();
  private readonly logs = new Set<WriteStream>();
  /** Set by stopAll: nothing new starts after it (a restart under way when the run ends). */
  private closed = false;

  constructor(private readonly dir: string) {}

  /**
   * Starts `command` and resolves once a line of its stdout matches `ready` (with the match), or rejects
   * if it exits first or says nothing within `timeoutMs`.
   */
  async start(name: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv, ready: RegExp, options: StartOptions = {}): Promise<{ child: Child; match: RegExpExecArray }> {
    if (this.closed) throw new Error(`${name}: not started, the run is ending`);
    const timeoutMs = options.timeoutMs ?? 30_000;
    const log = createWriteStream(join(this.dir, `${name}.log`), { flags: 'a' });
    log.on('error', () => {}); // a log that cannot be written must not end the run
    this.logs.add(log);
    // The simulator's control token is a secret: it never goes into a log.
    const shown = args.map((a, i) => (args[i - 1] === '--control-token' ? '****' : a));
    log.write(`--- ${new Date().toISOString()} ${command} ${shown.join(' ')}\n`);
    const p = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let ended = false;
    const exited = new Promise<string>((resolve) => {
      const end = (how: string) => {
        if (ended) return;
        ended = true;
        this.live.delete(child);
        log.end(`--- ended (${how}) at ${new Date().toISOString()}\n`);
        this.logs.delete(log);
        resolve(how);
      };
      // 'close' rather than 'exit': by then its output is all in the log. A spawn failure (command not
      // found) is an 'error' instead.
      p.once('close', (code, signal) => end(String(signal ?? code)));
      p.once('error', (e) => end(`cannot start: ${e.message}`));
    });
    const child: Child = { name, process: p, exited, gone: () => ended || p.exitCode !== null || p.signalCode !== null };
    this.live.add(child);
    p.stderr!.pipe(log, { end: false });
    let out = '';
    const match = await new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`${name} did not say it was ready within ${timeoutMs} ms (log: ${join(this.dir, name)}.log)`)), timeoutMs);
      const fail = (e: Error) => {
        clearTimeout(timer);
        p.kill('SIGKILL');
        reject(e);
      };
      void exited.then((how) => fail(new Error(`${name} exited (${how}) before it was ready: ${out.trim().slice(-300)} (log: ${join(this.dir, name)}.log)`)));
      p.stdout!.on('data', (c: Buffer) => {
        if (!options.secretOutput) log.write(c);
        if (out.length < 10_000) out += c.toString();
        const m = ready.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m);
        }
      });
    });
    return { child, match };
  }

  /** Sends `signal` and waits until the process is gone (SIGKILL: at once, as a crash would). */
  async stop(child: Child, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (child.gone()) return;
    child.process.kill(signal);
    await child.exited;
  }

  /** Ends every process still running, each by its own pid, and closes the logs. */
  async stopAll(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.live].map((c) => this.stop(c, 'SIGKILL')));
    await Promise.all([...this.logs].map((l) => new Promise<void>((resolve) => l.end(resolve))));
  }
}
