import { parentPort, workerData } from 'node:worker_threads';
import { keepCrasher, keptSignatures } from './fixtures.js';
import { Crash, TARGETS, type Outcome, type Runner } from './target.js';
import type { Counts, WorkerJob, WorkerMessage } from './worker-protocol.js';

/** One input in this many is timed; a slow one is timed three more times before it counts as a crasher. */
const TIMING_SAMPLE = 128;
const PROGRESS_EVERY_MS = 2_000;

const job = workerData as WorkerJob;
const def = TARGETS[job.target];
const post = (m: WorkerMessage) => parentPort!.postMessage(m);
const progress = new Float64Array(job.progress);
const kept = keptSignatures(job.target);
/** Crashers of this run by signature: how many inputs hit each. */
const seen = new Map<string, number>();
// Warnings (the yaml library warns on odd mapping keys) would flood stderr; they are counted instead.
process.removeAllListeners('warning');
let warnings = 0;
process.on('warning', () => warnings++);

/** One input; whatever escapes the target's own checks is a crasher of that input. */
async function run(runner: Runner, index: number): Promise<Outcome> {
  try {
    const out = runner.step(index);
    return typeof out === 'string' || out instanceof Crash ? out : await out;
  } catch (e) {
    return Crash.untyped(e);
  }
}

/** Runs input `index` again until it is fast once, or three times slow: only then is it a crasher. */
async function slowness(runner: Runner, index: number): Promise<Crash | null> {
  let best = Infinity;
  for (let k = 0; k < 3 && best > def.slowMs; k++) {
    const t0 = performance.now();
    await run(runner, index);
    best = Math.min(best, performance.now() - t0);
  }
  return best > def.slowMs ? new Crash('slow', `input took ${best.toFixed(1)} ms at best of 3 (limit ${def.slowMs} ms)`) : null;
}

async function main(): Promise<void> {
  const runner = await def.open(job.seed);
  post({ type: 'ready' });
  const counts: Counts = {};
  const record = (index: number, out: Crash) => {
    counts['crash'] = (counts['crash'] ?? 0) + 1;
    const first = !seen.has(out.signature);
    seen.set(out.signature, (seen.get(out.signature) ?? 0) + 1);
    const file = first && !kept.has(out.signature) ? keepCrasher(job.target, runner.fixture(index), out, job.seed, index) : null;
    if (first) post({ type: 'crash', index, kind: out.kind, signature: out.signature, message: out.message, file });
  };
  // What the code under test leaves behind (a promise nobody awaits that rejects, an exception in a timer)
  // would kill a gateway. It surfaces once the step's microtasks are done: near, not always at, its input.
  const escaped = (what: string) => (e: unknown) => {
    const c = Crash.untyped(e);
    record(progress[0]!, new Crash('untyped', `${what} near this input: ${c.message}`, c.stack));
  };
  process.on('unhandledRejection', escaped('an unhandled rejection'));
  process.on('uncaughtException', escaped('an uncaught exception'));
  // Stack traces of the typed errors nobody reads are most of the decoder's cost: captured only when a
  // crasher is run again to be kept.
  const stackLimit = 50;
  Error.stackTraceLimit = def.name === 'decoder' || def.name === 'framing' ? 0 : stackLimit;
  const quiet = Error.stackTraceLimit;
  let nextReport = Date.now() + PROGRESS_EVERY_MS;
  let index = job.from;
  for (; index < job.to; index++) {
    progress[0] = index;
    const now = Date.now();
    if (now >= job.deadline) break;
    if (now >= nextReport) {
      post({ type: 'progress', done: index - job.from, counts: { ...counts } });
      nextReport = now + PROGRESS_EVERY_MS;
    }
    // A turn of the event loop now and then, so that what escaped a step surfaces near it.
    if (index % 1024 === 0) await turn();
    const timed = index % TIMING_SAMPLE === 0;
    const t0 = timed ? performance.now() : 0;
    let out = await run(runner, index);
    if (timed && !(out instanceof Crash) && performance.now() - t0 > def.slowMs) out = (await slowness(runner, index)) ?? out;
    if (!(out instanceof Crash)) {
      counts[out] = (counts[out] ?? 0) + 1;
      continue;
    }
    if (out.kind !== 'slow' && !/\n\s+at /.test(out.stack ?? '')) {
      Error.stackTraceLimit = stackLimit;
      const again = await run(runner, index);
      if (again instanceof Crash && again.stack) out = again;
      Error.stackTraceLimit = quiet;
    }
    record(index, out);
  }
  await runner.close();
  await turn();
  if (warnings > 0) counts['process warnings'] = warnings;
  post({ type: 'done', done: index - job.from, counts, crashes: Object.fromEntries(seen) });
}

/** Lets timers and pending rejections run: a few milliseconds, then on. */
const turn = () => new Promise<void>((resolve) => setTimeout(resolve, 5));

await main();
