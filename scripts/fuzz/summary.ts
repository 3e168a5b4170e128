import type { CrashKind, TargetName } from './target.js';
import type { Counts } from './worker-protocol.js';

/** One distinct crasher of a run (one per signature). */
export interface CrasherLine {
  readonly index: number;
  readonly kind: CrashKind;
  readonly signature: string;
  readonly message: string;
  /** Where its input was kept; null when a fixture with that signature existed already. */
  readonly file: string | null;
  /** Inputs of this run that hit it. */
  hits: number;
}

export interface TargetResult {
  readonly name: TargetName;
  /** Inputs run. */
  done: number;
  elapsedMs: number;
  /** Outcomes by code: `ok`, the typed errors' codes, `crash`. */
  readonly counts: Counts;
  readonly crashers: CrasherLine[];
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** The run's summary as printed on stdout: a Markdown table per target, outcomes by code, crashers. */
export function formatSummary(run: { seed: number; began: Date; results: readonly TargetResult[]; interrupted: boolean }): string {
  const out: string[] = [];
  const total = run.results.reduce((s, r) => s + r.elapsedMs, 0);
  out.push(`firmbank fuzz — seed ${run.seed} — node ${process.version} — started ${run.began.toISOString()}${run.interrupted ? ' — INTERRUPTED' : ''}`, '');
  out.push('| target | inputs | elapsed | inputs/s | crashers |', '|---|---:|---:|---:|---:|');
  for (const r of run.results) out.push(`| ${r.name} | ${fmt(r.done)} | ${(r.elapsedMs / 1000).toFixed(1)} s | ${fmt(r.done / (r.elapsedMs / 1000 || 1))} | ${r.crashers.length} |`);
  out.push(`| all | ${fmt(run.results.reduce((s, r) => s + r.done, 0))} | ${(total / 1000).toFixed(1)} s | | ${run.results.reduce((s, r) => s + r.crashers.length, 0)} |`, '');
  out.push('Outcomes by code (ok = accepted; FB_… = refused with that typed error; crash = crashers):');
  for (const r of run.results) {
    const parts = Object.entries(r.counts)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${fmt(v)}`);
    out.push(`  ${r.name.padEnd(8)} ${parts.join(' · ') || '(none)'}`);
  }
  out.push('');
  const crashers = run.results.flatMap((r) => r.crashers.map((c) => ({ target: r.name, ...c })));
  if (crashers.length === 0) out.push('No crashers.');
  else {
    out.push(`Crashers (${crashers.length} distinct):`);
    for (const c of crashers) {
      out.push(`  [${c.target}] ${c.kind}: ${c.message.split('\n')[0]!.slice(0, 240)}`);
      out.push(`      ${fmt(c.hits)} input${c.hits === 1 ? '' : 's'}, first at index ${c.index}; ${c.file ? `kept as ${c.file}` : 'a fixture with this signature is kept already'}`);
    }
  }
  return out.join('\n') + '\n';
}
