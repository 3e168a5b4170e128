import type { DataSource } from 'typeorm';
import { closeDay } from '../../batch/night.js';
import { dayFileIfPresent, reconcileDay } from '../../batch/reconcile-day.js';
import { summaryTable } from '../../batch/run-report.js';
import { loadConfig, type InstitutionConfig } from '../../config/config.js';
import { loadInstitution } from '../../institution/load-profile.js';
import { openDatabase } from '../../ledger/data-source.js';
import { ReconStore } from '../../ledger/recon-store.js';
import { UsageError } from '../usage-error.js';

export const RECONCILE_USAGE = `firmbank reconcile --date YYYY-MM-DD [--institution ID] [--file FILE [--file-spec SPEC]] [--json]
                                                          the day against the bank's result file (default: the
                                                          day's file in <dataDir>/bank-files/<id>/); exit 0 clean,
                                                          3 breaks found, 2 bad input
  firmbank breaks [--date YYYY-MM-DD] [--institution ID] [--status open|resolved] [--json]
                                                          reconciliation breaks, oldest first
  firmbank breaks resolve ID --by NAME --reason TEXT      an operator's resolution, kept with the break
  firmbank close-day --date YYYY-MM-DD [--json]           freezes every service's day (a closed day never changes)`;

export interface ReconcileArgs {
  readonly date: string | undefined;
  readonly institution?: string;
  readonly file?: string;
  readonly fileSpec?: string;
  readonly json: boolean;
}

/** A calendar date YYYY-MM-DD, or a UsageError naming the flag. */
function dateFlag(date: string | undefined): string {
  if (date === undefined) throw new UsageError('--date YYYY-MM-DD is required');
  const at = Date.parse(`${date}T00:00:00Z`);
  // not a day at all (2026-13-01), or not one of that month (2026-02-30): refused, never a stack trace
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(at) || !new Date(at).toISOString().startsWith(date)) throw new UsageError(`--date ${date}: expected a calendar date YYYY-MM-DD`);
  return date;
}

async function withDatabase<T>(fn: (ds: DataSource) => Promise<T>): Promise<T> {
  const ds = await openDatabase({ url: loadConfig().databaseUrl });
  try {
    return await fn(ds);
  } finally {
    await ds.destroy();
  }
}

/**
 * `firmbank reconcile`: one business day of one institution (or each configured one) against the bank's
 * result file, reading the ledger and the day totals and notices the gateway kept. Progress goes to
 * stderr; stdout is the summary (or JSON with every break). Inquiries and gap requests need the live link,
 * so they are the nightly job's (inside the gateway); this command changes nothing in the ledger.
 */
export async function reconcileCommand(a: ReconcileArgs): Promise<{ output: string; exitCode: number }> {
  const date = dateFlag(a.date);
  if (a.fileSpec !== undefined && a.file === undefined) throw new UsageError('--file-spec needs --file');
  const config = loadConfig();
  const chosen: InstitutionConfig[] = a.institution === undefined ? [...config.institutions] : config.institutions.filter((i) => i.id === a.institution);
  if (chosen.length === 0) throw new UsageError(`--institution ${a.institution}: not configured (configured: ${config.institutions.map((i) => i.id).join(', ')})`);
  if (a.file !== undefined && chosen.length > 1) throw new UsageError('--file belongs to one institution: name it with --institution');
  const progress = (what: string) => process.stderr.write(`firmbank: ${what}\n`);

  const results = await withDatabase(async (ds) => {
    const out = [];
    for (const inst of chosen) {
      const { profile } = loadInstitution(inst.profile);
      let file: { path: string; spec: string } | undefined;
      if (a.file !== undefined) {
        const spec = a.fileSpec ?? inst.bankFileSpec;
        if (!spec) throw new UsageError(`--file ${a.file}: institution ${inst.id} names no bankFileSpec; give --file-spec SPEC`);
        file = { path: a.file, spec };
      } else {
        file = dayFileIfPresent(config.dataDir, inst, date);
        if (!file) progress(`${inst.id}: no bank file for ${date}; only the ledger's own checks run`);
      }
      out.push(await reconcileDay({ ds, institution: inst, profile, date, dataDir: config.dataDir, progress: (w) => progress(`${inst.id}: ${w}`), ...(file ? { file } : {}) }));
    }
    return out;
  });
  const breaks = results.reduce((n, r) => n + r.breaks.length, 0);
  const exitCode = breaks > 0 ? 3 : 0;
  if (a.json) return { output: JSON.stringify({ runs: results.map((r) => ({ run: r.run, reports: r.reports, breaks: r.breaks })) }, null, 2), exitCode };
  const text = results.map((r) => [summaryTable(r.run), ...r.breaks.map((b) => `  ${b.category.padEnd(20)} ${b.subject.padEnd(24)} ${b.detail}`), `  report: ${r.reports.html}`].join('\n'));
  return { output: text.join('\n\n'), exitCode };
}

/** `firmbank breaks …`: the breaks runs found, and an operator's resolution of one (who and why). */
export async function breaksCommand(a: { sub?: string; id?: string; date?: string; institution?: string; status?: string; by?: string; reason?: string; json: boolean }): Promise<string> {
  if (a.sub === 'resolve') {
    if (!a.id || !/^\d{1,12}$/.test(a.id)) throw new UsageError('breaks resolve ID --by NAME --reason TEXT: ID is the number `breaks` shows');
    if (!a.by?.trim() || !a.reason?.trim()) throw new UsageError('breaks resolve: --by NAME and --reason TEXT are required (who resolves it, and why)');
    const b = await withDatabase((ds) => new ReconStore(ds).resolveBreak(Number(a.id), a.by!, a.reason!, new Date()));
    return a.json ? JSON.stringify(b, null, 2) : `break #${b.id} (${b.category} ${b.subject}) resolved by ${b.resolvedBy}: ${b.resolution}`;
  }
  if (a.sub !== undefined) throw new UsageError(`breaks: unknown subcommand ${a.sub} (resolve)`);
  if (a.status !== undefined && a.status !== 'open' && a.status !== 'resolved') throw new UsageError(`--status ${a.status}: open or resolved`);
  const filter = { ...(a.date !== undefined ? { businessDate: dateFlag(a.date) } : {}), ...(a.institution ? { institution: a.institution } : {}), ...(a.status ? { status: a.status as 'open' | 'resolved' } : {}) };
  const breaks = await withDatabase((ds) => new ReconStore(ds).breaks(filter));
  if (a.json) return JSON.stringify({ breaks }, null, 2);
  return breaks.map((b) => `#${b.id}  ${b.status.padEnd(8)}  ${b.institution}  ${b.businessDate}  ${b.category.padEnd(20)} ${b.subject.padEnd(24)} ${b.resolution ? `[${b.resolvedBy}: ${b.resolution}]` : b.detail}`).join('\n') || '(no breaks)';
}

/** `firmbank close-day --date D`: every service's day frozen; a day closed before is shown as it was closed. */
export async function closeDayCommand(dateText: string | undefined, json: boolean): Promise<string> {
  const date = dateFlag(dateText);
  const closes = await withDatabase((ds) => closeDay(ds, date));
  if (json) return JSON.stringify({ date, closes }, null, 2);
  if (closes.length === 0) return `no service sent anything on ${date}`;
  const rows = [
    ['SERVICE', 'SUCCEEDED', 'AMOUNT', 'FEES', 'FAILED', 'REVERSED', 'REV_AMOUNT', 'UNKNOWN', 'NET', 'ADJUSTMENTS'],
    ...closes.map((c) => [c.service, String(c.succeededCount), c.succeededAmount, c.fees, String(c.failedCount), String(c.reversedCount), c.reversedAmount, String(c.unknownCount), c.net, c.adjustments]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}
