import { Worker } from 'node:worker_threads';
import { UsageError } from '../../src/cli/usage-error.js';
import { keepCrasher, keptSignatures } from './fixtures.js';
import { parseFuzzArgs, USAGE, type FuzzOptions } from './options.js';
import { formatSummary, type TargetResult } from './summary.js';
import { Crash, TARGETS, type TargetDef } from './target.js';
import type { Counts, WorkerJob, WorkerMessage } from './worker-protocol.js';

/** An input that has not finished after this long is a hang: the worker is stopped and the run goes on. */
const HANG_MS = 60_000;
const PRINT_EVERY_MS = 10_000;
/** The worker is compiled next to this file (dist/), or run by tsx from the sources. */
const WORKER = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);

let current: Worker | null = null;
let interrupted = false;

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const say = (line: string) => process.stderr.write(`[fuzz] ${line}\n`);

function add(into: Counts, from: Counts): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/**
 * Keeps a crasher found by the main thread (a hung worker, a worker that died): the input is rebuilt
 * from the seed and its index, which needs only the target's generator, not the run before it.
 */
async function keepFromMain(def: TargetDef, seed: number, index: number, crash: Crash, result: TargetResult): Promise<void> {
  const known = result.crashers.find((c) => c.signature === crash.signature);
  if (known) {
    known.hits++;
    return;
  }
  let file: string | null = null;
  if (!keptSignatures(def.name).has(crash.signature)) {
    const runner = await def.open(seed);
    file = keepCrasher(def.name, runner.fixture(index), crash, seed, index);
    await runner.close();
  }
  result.crashers.push({ index, kind: crash.kind, signature: crash.signature, message: crash.message, file, hits: 1 });
}

/** Runs inputs [from, runs) in a worker until done, the deadline, a hang or its death; returns where to go on. */
function runSegment(def: TargetDef, seed: number, from: number, runs: number, deadline: number, result: TargetResult, started: number): Promise<number> {
  return new Promise((resolve) => {
    const progress = new SharedArrayBuffer(8);
    const at = new Float64Array(progress);
    at[0] = from;
    const job: WorkerJob = { target: def.name, seed, from, to: runs, deadline, progress };
    const worker = new Worker(WORKER, { workerData: job });
    current = worker;
    let segment: Counts = {};
    let last = from;
    let lastMove = Date.now();
    let lastPrint = Date.now();
    let settled = false;
    let stopping = false;
    let ready = false;
    /** Ends the segment: `next` is where the target goes on (Infinity: it does not), `done` how far it got. */
    const finish = (next: number, counts: Counts, done = next) => {
      if (settled) return;
      settled = true;
      clearInterval(watchdog);
      current = null;
      add(result.counts, counts);
      result.done = done;
      resolve(next);
    };
    const failAt = (crash: Crash) => {
      if (settled || stopping) return;
      stopping = true;
      const index = at[0]!;
      void worker.terminate();
      if (!ready) {
        // The target could not even be set up: no input to blame, and no point in trying the next one.
        say(`${def.name} could not be set up: ${crash.message}`);
        result.crashers.push({ index, kind: crash.kind, signature: crash.signature, message: `setting up the target failed: ${crash.message}`, file: null, hits: 0 });
        finish(Infinity, {}, from);
        return;
      }
      result.counts['crash'] = (result.counts['crash'] ?? 0) + 1;
      void keepFromMain(def, seed, index, crash, result).then(() => finish(index + 1, segment));
    };

    const watchdog = setInterval(() => {
      const now = Date.now();
      if (at[0] !== last) {
        last = at[0]!;
        lastMove = now;
      } else if (now - lastMove > HANG_MS) {
        failAt(new Crash('hang', `input never finished: no progress for ${HANG_MS / 1000} s`));
        return;
      }
      if (now - lastPrint >= PRINT_EVERY_MS) {
        lastPrint = now;
        const rate = at[0]! / ((performance.now() - started) / 1000);
        const of = Number.isFinite(runs) ? ` / ${fmt(runs)}` : '';
        say(`${def.name} ${fmt(at[0]!)}${of} inputs, ${fmt(rate)}/s, ${result.crashers.length} crashers`);
      }
    }, 1000);

    worker.on('message', (m: WorkerMessage) => {
      switch (m.type) {
        case 'ready':
          ready = true;
          return;
        case 'progress':
          segment = m.counts;
          return;
        case 'crash':
          // A worker started after a hang knows nothing of the crashers of the one before it.
          if (result.crashers.some((c) => c.signature === m.signature)) return;
          say(`${def.name} crasher at input ${m.index}: ${m.message.slice(0, 200)}${m.file ? ` → ${m.file}` : ' (kept already)'}`);
          result.crashers.push({ index: m.index, kind: m.kind, signature: m.signature, message: m.message, file: m.file, hits: 0 });
          return;
        case 'done':
          for (const [sig, hits] of Object.entries(m.crashes)) {
            const c = result.crashers.find((x) => x.signature === sig);
            if (c) c.hits += hits;
          }
          finish(from + m.done, m.counts);
          return;
      }
    });
    // An exception that escaped the step (an unhandled rejection in the code under test, say) kills the
    // worker: that input is a crasher, and the run goes on after it.
    worker.on('error', (e) => failAt(Crash.untyped(e)));
    worker.on('exit', () => {
      if (interrupted) finish(at[0]!, segment);
      else failAt(new Crash('untyped', 'the worker exited without finishing'));
    });
  });
}

async function runTarget(def: TargetDef, opts: FuzzOptions, deadline: number): Promise<TargetResult> {
  const runs = opts.runs ?? (opts.timeSeconds !== null ? Infinity : def.defaultRuns);
  const result: TargetResult = { name: def.name, done: 0, elapsedMs: 0, counts: {}, crashers: [] };
  const started = performance.now();
  say(`${def.name}: ${Number.isFinite(runs) ? fmt(runs) : 'as many'} inputs${Number.isFinite(deadline) ? `, until ${new Date(deadline).toISOString()}` : ''}`);
  let from = 0;
  while (from < runs && Date.now() < deadline && !interrupted) from = await runSegment(def, opts.seed, from, runs, deadline, result, started);
  result.elapsedMs = performance.now() - started;
  return result;
}

/** Expected minutes of a default run of these targets, from the rates measured on the project's machine. */
function estimateMinutes(opts: FuzzOptions): number {
  const seconds = opts.targets.reduce((s, t) => s + (opts.runs ?? TARGETS[t].defaultRuns) / TARGETS[t].expectedRate, 0);
  return Math.min(seconds, opts.timeSeconds ?? Infinity) / 60;
}

async function main(): Promise<number> {
  let opts: FuzzOptions;
  try {
    opts = parseFuzzArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`firmbank fuzz: ${e.message}\n${USAGE}\n`);
    return 2;
  }
  process.on('SIGINT', () => {
    interrupted = true;
    void current?.terminate();
  });
  const began = new Date();
  say(`seed ${opts.seed} (repeat with --seed ${opts.seed}); targets ${opts.targets.join(', ')}; about ${estimateMinutes(opts).toFixed(0)} min on the project's 2-core machine`);
  const end = opts.timeSeconds === null ? Infinity : Date.now() + opts.timeSeconds * 1000;
  const results: TargetResult[] = [];
  for (const [i, name] of opts.targets.entries()) {
    if (interrupted) break;
    // A time budget is shared by weight among the targets still to run, so an early finisher leaves its rest.
    const rest = opts.targets.slice(i).reduce((w, t) => w + TARGETS[t].weight, 0);
    const deadline = Number.isFinite(end) ? Date.now() + ((end - Date.now()) * TARGETS[name].weight) / rest : Infinity;
    results.push(await runTarget(TARGETS[name], opts, deadline));
  }
  process.stdout.write(formatSummary({ seed: opts.seed, began, results, interrupted }));
  const crashers = results.reduce((n, r) => n + r.crashers.length, 0);
  return crashers > 0 ? 1 : interrupted ? 130 : 0;
}

// Explicit: nothing the targets opened may keep the process alive after the summary.
process.exit(await main());
