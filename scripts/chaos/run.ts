import { setMaxListeners } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFirmbankError } from '../../src/errors/firmbank-error.js';
import { runChaos, RunResources } from './chaos-run.js';
import { parseChaosArgs, type ChaosOptions } from './options.js';
import { formatSummary } from './report.js';

/**
 * `npm run chaos -- --transfers N --seed S [...]`: a seeded chaos run against real processes (see
 * chaos-run.ts). Exit 0 when the verdict holds, 1 on a violation (or a run that could not be carried
 * out), 2 on bad arguments, 130 on Ctrl-C. Every process it started ends with it, and its database is
 * dropped.
 */
async function main(argv: string[]): Promise<number> {
  let options: ChaosOptions;
  try {
    options = parseChaosArgs(argv);
  } catch (e) {
    if (!isFirmbankError(e)) throw e;
    process.stderr.write(`firmbank chaos: ${e.code}: ${e.message}\n`);
    return 2;
  }
  const say = (line: string) => process.stdout.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  const dir = mkdtempSync(join(tmpdir(), 'firmbank-chaos-'));
  const res = new RunResources(dir);
  const stop = new AbortController();
  setMaxListeners(0, stop.signal); // every caller's request listens to it
  let keep = options.keep;

  // Ctrl-C / SIGTERM: clean up at once and leave; the run is abandoned where it stands, and what fails in
  // it as its processes go away is of no interest any more.
  let leaving = false;
  const leave = (why: string, code: number) => {
    if (leaving) return;
    leaving = true;
    process.stderr.write(`firmbank chaos: ${why}: stopping every process and dropping the database\n`);
    void res
      .cleanup()
      .catch((e: unknown) => process.stderr.write(`firmbank chaos: cleanup: ${String(e)}\n`))
      .finally(() => {
        if (keep) process.stderr.write(`firmbank chaos: logs kept in ${dir}\n`);
        else rmSync(dir, { recursive: true, force: true });
        process.exit(code);
      });
  };
  // An internal error or the hard stop keeps the logs; Ctrl-C keeps them only with --keep.
  process.once('SIGINT', () => leave('SIGINT', 130));
  process.once('SIGTERM', () => leave('SIGTERM', 130));
  process.on('unhandledRejection', (e) => {
    keep = true;
    if (!leaving) leave(`internal error (a bug of the chaos script): ${(e as Error)?.stack ?? String(e)}`, 1);
  });
  // The global deadline: the run goes to its verdict (which fails); past a grace period, out regardless.
  const deadline = setTimeout(() => stop.abort(`the global deadline of ${options.deadlineS} s was reached`), options.deadlineS * 1000);
  const hardStop = setTimeout(() => {
    keep = true;
    leave('still running a minute past the deadline', 1);
  }, (options.deadlineS + 60) * 1000);
  hardStop.unref();

  try {
    const summary = await runChaos(options, res, stop.signal, say);
    keep ||= !summary.verdict.ok;
    const shown = { ...summary, runDir: keep ? dir : null };
    if (options.json) writeFileSync(options.json, JSON.stringify(shown, null, 2) + '\n');
    process.stdout.write(formatSummary(shown, options) + '\n');
    return summary.verdict.ok ? 0 : 1;
  } catch (e) {
    if (leaving) return new Promise<number>(() => {}); // leave() exits once the cleanup is done
    keep = true;
    process.stderr.write(`firmbank chaos: the run could not be carried out: ${(e as Error).message ?? String(e)}\nlogs kept in ${dir}\n`);
    return 1;
  } finally {
    clearTimeout(deadline);
    clearTimeout(hardStop);
    await res.cleanup().catch((e: unknown) => process.stderr.write(`firmbank chaos: cleanup: ${String(e)}\n`));
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

process.exit(await main(process.argv.slice(2)));
