import { dirname } from 'node:path';
import type { DataSource } from 'typeorm';
import { makePrivateDir } from '../files/private-files.js';
import type { DayClose } from '../domain/reconciliation.js';
import type { InstitutionConfig } from '../config/config.js';
import type { InstitutionProfile } from '../institution/profile.js';
import { DayCloseStore } from '../ledger/day-close-store.js';
import { ReconStore } from '../ledger/recon-store.js';
import type { Logger } from '../log/logger.js';
import { prepareDay, type DayPrepReport, type LiveInstitution } from './day-prep.js';
import { dayFileIfPresent, dayFilePath, reconcileDay } from './reconcile-day.js';

export interface NightOfInstitution {
  readonly ds: DataSource;
  readonly live: LiveInstitution;
  readonly institution: InstitutionConfig;
  readonly profile: InstitutionProfile;
  readonly dataDir: string;
  readonly logger: Logger;
  /** Writes the bank's day file where the night reads it (the in-process simulator does; a bank sends it). */
  readonly writeBankDay?: (path: string, date: string) => Promise<void>;
}

/**
 * One institution's night, in order: the live questions (inquiries, gap requests, the day totals), the
 * bank's file (written by the simulator, or dropped by whoever fetches the bank's), then the match.
 */
export async function reconcileNight(n: NightOfInstitution, date: string, today: string): Promise<{ prep: DayPrepReport; result: Awaited<ReturnType<typeof reconcileDay>> }> {
  const prep = await prepareDay(n.live, new ReconStore(n.ds), date, today);
  await handOverBankDay(n, date);
  const file = dayFileIfPresent(n.dataDir, n.institution, date);
  if (!file) n.logger.warn('recon.no-bank-file', { institution: n.institution.id, date, expected: dayFilePath(n.dataDir, n.institution.id, date) });
  const result = await reconcileDay({ ds: n.ds, institution: n.institution, profile: n.profile, date, dataDir: n.dataDir, ...(file ? { file } : {}) });
  const { run } = result;
  n.logger[run.status === 'clean' ? 'info' : 'warn']('recon.finished', { institution: n.institution.id, date, run: run.id, status: run.status, ...prep, breaks: result.breaks.length });
  return { prep, result };
}

/** Has the bank's day written where the night reads it, when this side writes it (the simulator). */
export async function handOverBankDay(n: Pick<NightOfInstitution, 'writeBankDay' | 'institution' | 'dataDir'>, date: string): Promise<void> {
  if (!n.writeBankDay || !n.institution.bankFileSpec) return;
  const path = dayFilePath(n.dataDir, n.institution.id, date);
  makePrivateDir(dirname(path));
  await n.writeBankDay(path, date);
}

/** Closes every service's day (a service's day already closed stays as it was). */
export async function closeDay(ds: DataSource, date: string, now = new Date()): Promise<DayClose[]> {
  const store = new DayCloseStore(ds);
  const closes: DayClose[] = [];
  for (const service of await store.services(date)) closes.push((await store.close(service, date, now)).close);
  return closes;
}
