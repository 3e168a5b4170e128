import { createHash } from 'node:crypto';
import { closeSync, existsSync, readdirSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { exportFiles, MAX_EXPORT_ROWS } from '../../api/consent-service.js';
import { loadConfig } from '../../config/config.js';
import type { Consent } from '../../domain/consent.js';
import { defaultEvidenceDir, FolderEvidenceStore } from '../../evidence/folder-evidence-store.js';
import { makePrivateDir, openPrivateFile } from '../../files/private-files.js';
import type { EvidenceStore } from '../../flows/ars-port.js';
import { EXPORT_COLUMNS, EXPORT_FORMAT, EXPORT_NOTE, exportItem, exportRange, type ExportItem } from '../../flows/consent-evidence.js';
import type { ConsentStore as ConsentStorePort } from '../../flows/consent-ports.js';
import { ValidationError } from '../../flows/validation-error.js';
import { secretKeyFromDataDir } from '../../gateway/secret-key-file.js';
import { ConsentStore } from '../../ledger/consent-store.js';
import { openDatabase } from '../../ledger/data-source.js';
import { silentLogger } from '../../log/logger.js';
import { SecretBox } from '../../webhooks/secret-box.js';
import { UsageError } from '../usage-error.js';

export const CONSENT_USAGE = `firmbank consent export --from YYYY-MM-DD --to YYYY-MM-DD --out DIR [--service S] [--evidence DIR]
                                                          the consent evidence of a date range (KST, both days in),
                                                          for the regulator: consents.csv, consents.json, recordings/,
                                                          evidence/ in DIR (new or empty; 0700, files 0600); exit 3
                                                          when a recording is missing or its SHA-256 differs`;

export interface ConsentExportArgs {
  /** First day, YYYY-MM-DD (KST). */
  readonly from?: string | undefined;
  /** Last day, YYYY-MM-DD (KST), included. */
  readonly to?: string | undefined;
  /** The folder to write: new, or empty. */
  readonly out?: string | undefined;
  /** One service's consents; every service's when absent. */
  readonly service?: string;
}

/** What an export wrote, and what it could not vouch for. */
export interface ConsentExportSummary {
  readonly dir: string;
  readonly consents: number;
  /** One line per consent whose recording or evidence record is missing or no longer has its SHA-256. */
  readonly problems: readonly string[];
}

/**
 * Writes the evidence export of a date range into `out`: for each consent whose payer confirmed in the
 * range, its recording (`recordings/<id>.wav`) and its evidence record (`evidence/<id>.json`, the one file
 * with the phone number in clear: the regulator needs it), each checked against the SHA-256 the consent
 * keeps; then `consents.json` and `consents.csv` listing them (the account in clear, the phone masked;
 * CSV cells that a spreadsheet would take for a formula are quoted and prefixed). FB0110's own layout is not
 * public: this layout is documented in src/flows/consent-evidence.ts.
 *
 * @throws UsageError for a bad range, or an `out` folder that is not new or empty (exports are never mixed).
 */
export async function exportConsentEvidence(a: ConsentExportArgs, store: Pick<ConsentStorePort, 'evidence'>, evidence: EvidenceStore): Promise<ConsentExportSummary> {
  let range;
  try {
    range = exportRange(a.from, a.to);
  } catch (e) {
    if (e instanceof ValidationError) throw new UsageError(`--${e.field}: ${e.reason}`);
    throw e;
  }
  if (!a.out) throw new UsageError('--out DIR is required: the folder the export is written to');
  if (existsSync(a.out) && readdirSync(a.out).length > 0) throw new UsageError(`--out ${a.out}: the folder is not empty; give a new one (exports are never mixed)`);
  const rows = await store.evidence({ start: range.start, end: range.end, limit: MAX_EXPORT_ROWS + 1, ...(a.service ? { service: a.service } : {}) });
  if (rows.length > MAX_EXPORT_ROWS) throw new UsageError(`more than ${MAX_EXPORT_ROWS} consents in ${range.from}..${range.to}: export a shorter range`);

  makePrivateDir(a.out, true);
  makePrivateDir(join(a.out, 'recordings'), true);
  makePrivateDir(join(a.out, 'evidence'), true);
  const problems: string[] = [];
  const items: ExportItem[] = [];
  for (const c of rows) {
    const files = exportFiles(c);
    await copyChecked(c, evidence, c.evidence!.recordingLocation, c.evidence!.recordingSha256, join(a.out, files.recordingFile), 'recording', problems);
    await copyChecked(c, evidence, c.evidence!.recordLocation, c.evidence!.recordSha256, join(a.out, files.evidenceFile), 'evidence record', problems);
    items.push(exportItem(c, { maskAccount: false, ...files }));
  }
  const document = { format: EXPORT_FORMAT, note: EXPORT_NOTE, from: range.from, to: range.to, generatedAt: new Date().toISOString(), problems, consents: items };
  writePrivate(join(a.out, 'consents.json'), Buffer.from(JSON.stringify(document, null, 2) + '\n', 'utf8'));
  const csv = [EXPORT_COLUMNS.join(','), ...items.map((i) => EXPORT_COLUMNS.map((k) => csvCell(i[k])).join(','))].join('\r\n') + '\r\n';
  writePrivate(join(a.out, 'consents.csv'), Buffer.from(csv, 'utf8'));
  return { dir: a.out, consents: items.length, problems };
}

/** Copies one kept file into the export, if it is still there and still has the SHA-256 the consent keeps. */
async function copyChecked(c: Consent, evidence: EvidenceStore, location: string, sha256: string, to: string, what: string, problems: string[]): Promise<void> {
  let bytes: Buffer;
  try {
    bytes = await evidence.get(location);
  } catch (e) {
    problems.push(`consent ${c.id}: ${what} not readable (${(e as Error).message})`);
    return;
  }
  const found = createHash('sha256').update(bytes).digest('hex');
  if (found !== sha256) problems.push(`consent ${c.id}: ${what} has SHA-256 ${found}, not the ${sha256} kept when it was made`);
  writePrivate(to, bytes);
}

/** A CSV cell; a leading = + - @ would be a formula to a spreadsheet: quoted and prefixed, never run (as src/batch/run-report.ts). */
function csvCell(v: string): string {
  const safe = /^[=+\-@]/.test(v) ? `'${v}` : v;
  return /[",\r\n']/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Written whole (a temporary file beside it, then a rename), mode 0600. */
function writePrivate(file: string, bytes: Buffer): void {
  const tmp = `${file}.tmp`;
  const fd = openPrivateFile(tmp, 'w');
  try {
    writeSync(fd, bytes);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/**
 * `firmbank consent …`: the evidence export over the configured database and evidence folder (`--evidence`,
 * by default `<dataDir>/evidence`). Exit status 0, or 3 when a kept file is missing or changed.
 */
export async function consentCommand(
  sub: string | undefined,
  positionals: readonly string[],
  flags: ConsentExportArgs & { evidence?: string },
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<{ output: string; exitCode: number }> {
  if (sub !== 'export') throw new UsageError(`consent: unknown subcommand ${sub ?? '(none)'} (export)`);
  if (positionals.length > 0) throw new UsageError(`consent export: unexpected argument ${positionals[0]}`);
  const config = loadConfig(env);
  const ds = await openDatabase({ url: config.databaseUrl });
  try {
    const store = new ConsentStore(ds, new SecretBox(config.secretKey ?? secretKeyFromDataDir(config.dataDir, silentLogger)));
    const evidence = new FolderEvidenceStore(flags.evidence ?? defaultEvidenceDir(config.dataDir));
    const summary = await exportConsentEvidence(flags, store, evidence);
    const lines = [`${summary.consents} consent(s) exported to ${summary.dir} (consents.csv, consents.json, recordings/, evidence/)`, ...summary.problems.map((p) => `  problem: ${p}`)];
    return { output: lines.join('\n'), exitCode: summary.problems.length > 0 ? 3 : 0 };
  } finally {
    await ds.destroy();
  }
}
