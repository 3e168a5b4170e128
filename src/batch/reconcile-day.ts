import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import type { BankFileSpec } from '../bankfile/bank-file-spec.js';
import { loadBankFileSpec } from '../bankfile/load-bank-file-spec.js';
import { readBankRecords } from '../bankfile/read-bank-file.js';
import type { InstitutionConfig } from '../config/config.js';
import type { InstitutionProfile } from '../institution/profile.js';
import { ReconStore } from '../ledger/recon-store.js';
import { Reconciler, type ReconcileResult } from './reconciler.js';
import { writeRunReports, type RunReportFiles } from './run-report.js';

/** Where an institution's result file for a day is expected: `<dataDir>/bank-files/<id>/<YYYYMMDD>.dat`. */
export function dayFilePath(dataDir: string, institution: string, date: string): string {
  return join(dataDir, 'bank-files', institution, `${date.replaceAll('-', '')}.dat`);
}

export interface DayToReconcile {
  readonly ds: DataSource;
  readonly institution: Pick<InstitutionConfig, 'id' | 'bankCode' | 'companyId'>;
  readonly profile: InstitutionProfile;
  readonly date: string;
  /** The bank's result file and its spec; absent when the bank sent none (only the ledger's own checks run). */
  readonly file?: { readonly path: string; readonly spec: BankFileSpec | string };
  readonly progress?: (what: string) => void;
  /** Where the run's reports go (`<dataDir>/reports/…`). */
  readonly dataDir: string;
}

/**
 * One institution's day through the reconciler: the bank's file (if any) streamed through its spec, the
 * institution's notices checked for gaps. Shared by `firmbank reconcile` and the gateway's nightly job.
 */
export async function reconcileDay(d: DayToReconcile): Promise<ReconcileResult & { reports: RunReportFiles }> {
  const spec = d.file && (typeof d.file.spec === 'string' ? loadBankFileSpec(d.file.spec) : d.file.spec);
  const noticeMessages = (['depositNotice', 'failureNotice'] as const).filter((op) => d.profile.supports(op)).map((op) => d.profile.message(op));
  const result = await new Reconciler(new ReconStore(d.ds)).run({
    scope: { institution: d.institution.id, bankCode: d.institution.bankCode, companyId: d.institution.companyId },
    businessDate: d.date,
    ...(d.file && spec ? { bankDay: { name: d.file.path, lines: readBankRecords(d.file.path, spec) } } : {}),
    noticeMessages,
    ...(d.progress ? { progress: d.progress } : {}),
  });
  return { ...result, reports: writeRunReports(d.dataDir, result.run, result.breaks) };
}

/** The day's file in the data directory, when it is there. */
export function dayFileIfPresent(dataDir: string, inst: Pick<InstitutionConfig, 'id' | 'bankFileSpec'>, date: string): { path: string; spec: string } | undefined {
  const path = dayFilePath(dataDir, inst.id, date);
  return inst.bankFileSpec && existsSync(path) ? { path, spec: inst.bankFileSpec } : undefined;
}
