import { closeSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { BREAK_CATEGORIES, type FoundBreak, type ReconRun } from '../domain/reconciliation.js';
import { makePrivateDir, openPrivateFile } from '../files/private-files.js';

/** A run's report as people and programs read it: JSON with every break, CSV, and an HTML summary. */
export interface RunReportFiles {
  readonly json: string;
  readonly csv: string;
  readonly html: string;
}

const CSV_COLUMNS = ['category', 'subject', 'transferId', 'service', 'ours', 'bank', 'detail'] as const;

/** Where a run's report of one kind is kept: `<dataDir>/reports/<institution>/<date>-run<id>.<kind>`. */
export function runReportPath(dataDir: string, run: Pick<ReconRun, 'id' | 'institution' | 'businessDate'>, kind: keyof RunReportFiles): string {
  return join(dataDir, 'reports', run.institution, `${run.businessDate}-run${run.id}.${kind}`);
}

/** Writes a run's reports (private files) where {@link runReportPath} says. */
export function writeRunReports(dataDir: string, run: ReconRun, breaks: readonly FoundBreak[]): RunReportFiles {
  makePrivateDir(join(dataDir, 'reports', run.institution));
  const files = { json: runReportPath(dataDir, run, 'json'), csv: runReportPath(dataDir, run, 'csv'), html: runReportPath(dataDir, run, 'html') };
  writeAtomically(files.json, JSON.stringify({ run, breaks }, null, 2) + '\n');
  writeAtomically(files.csv, [CSV_COLUMNS.join(','), ...breaks.map((b) => CSV_COLUMNS.map((c) => csvCell(b[c])).join(','))].join('\r\n') + '\r\n');
  writeAtomically(files.html, html(run, breaks));
  return files;
}

/** The summary table the CLI prints: one line per category with breaks, then the totals. */
export function summaryTable(run: ReconRun): string {
  const f = run.figures;
  const lines = [`run #${run.id}  ${run.institution}  ${run.businessDate}  ${run.status}${run.file ? `  file ${run.file}` : '  (no bank file)'}`];
  if (!f) return lines.join('\n');
  lines.push(`  ledger transfers ${f.ledgerTransfers}   bank records ${f.bankRecords}   matched ${f.matched}   breaks ${f.breaks}`);
  for (const c of BREAK_CATEGORIES) if (f.breaksByCategory[c]) lines.push(`  ${c.padEnd(20)} ${String(f.breaksByCategory[c]).padStart(8)}`);
  return lines.join('\n');
}

function csvCell(v: string | null): string {
  if (v === null) return '';
  // a leading = + - @ would be a formula to a spreadsheet: quoted and prefixed, never run
  const safe = /^[=+\-@]/.test(v) ? `'${v}` : v;
  return /[",\r\n']/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function escapeHtml(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

function html(run: ReconRun, breaks: readonly FoundBreak[]): string {
  const rows = breaks
    .map((b) => `<tr><td>${escapeHtml(b.category)}</td><td>${escapeHtml(b.subject)}</td><td>${escapeHtml(b.ours ?? '')}</td><td>${escapeHtml(b.bank ?? '')}</td><td>${escapeHtml(b.detail)}</td></tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><title>대사 ${escapeHtml(run.institution)} ${run.businessDate}</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}</style></head>
<body><h1>Reconciliation ${escapeHtml(run.institution)} ${run.businessDate}: ${run.status}</h1>
<pre>${escapeHtml(summaryTable(run))}</pre>
<table><thead><tr><th>category</th><th>subject</th><th>ours</th><th>bank</th><th>detail</th></tr></thead>
<tbody>
${rows}
</tbody></table></body></html>
`;
}

/** Written whole or not at all: a temporary file beside it, then a rename. */
function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  const fd = openPrivateFile(tmp, 'w');
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}
