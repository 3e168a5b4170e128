import type { DataSource } from 'typeorm';
import { FirmbankError } from '../errors/firmbank-error.js';
import type { DayTransfer, FoundBreak, ReconBreak, ReconRun, RunFigures } from '../domain/reconciliation.js';
import type { TransferState } from '../domain/transfer-state.js';
import { Sql, readTime, textOrNull, timeOrNull } from './sql.js';
import { inTransaction } from './writes.js';

/** Which institution's transfers: the ledger keys a transfer's 전문번호 by all three. */
export interface SendScope {
  readonly institution: string;
  readonly bankCode: string;
  readonly companyId: string;
}

/** Who resolves a break that a later run no longer finds. */
export const RECONCILIATION = 'reconciliation';

/** A run of the same day still going and younger than this keeps a second one out. */
const RUN_LEASE_MS = 60 * 60_000;

const INSERT_CHUNK = 200;

/**
 * What the nightly reconciliation reads from the ledger and keeps of its own: the day's sent transfers
 * (streamed in 전문번호 order, a page at a time), notice numbers, the bank's day totals, runs and breaks.
 * Breaks are named by (institution, day, category, subject), so a re-run of a day keeps the same rows.
 */
export class ReconStore {
  private readonly sql: Sql;

  constructor(private readonly ds: DataSource) {
    this.sql = new Sql(ds);
  }

  /** The transfers sent on `date` (every state), page by page in 전문번호 order, through ix_transfers_seq. */
  async *dayTransfers(scope: SendScope, date: string, pageSize = 2_000): AsyncGenerator<DayTransfer[]> {
    let after = '';
    for (;;) {
      const rows = await this.sql.rows(
        this.ds,
        `SELECT id, service, seq_no, send_date, deposit_bank_code, amount, fee, state FROM transfers
          WHERE institution = $1 AND bank_code = $2 AND company_id = $3 AND send_date = $4 AND seq_no > $5
          ORDER BY seq_no LIMIT ${Number(pageSize)}`,
        [scope.institution, scope.bankCode, scope.companyId, date, after],
      );
      if (rows.length === 0) return;
      yield rows.map((r) => ({
        id: String(r['id']),
        service: String(r['service']),
        seqNo: String(r['seq_no']),
        sendDate: String(r['send_date']),
        depositBankCode: String(r['deposit_bank_code']),
        amount: Number(r['amount']),
        fee: r['fee'] === null || r['fee'] === undefined ? null : Number(r['fee']),
        state: String(r['state']) as TransferState,
      }));
      after = String(rows[rows.length - 1]!['seq_no']);
      if (rows.length < pageSize) return;
    }
  }

  /** A transfer sent on another day with that 전문번호 (a line the bank booked across midnight). */
  async sentOn(scope: SendScope, date: string, seqNo: string): Promise<Pick<DayTransfer, 'id' | 'service' | 'state'> | null> {
    const rows = await this.sql.rows(this.ds, 'SELECT id, service, state FROM transfers WHERE institution = $1 AND bank_code = $2 AND company_id = $3 AND send_date = $4 AND seq_no = $5', [
      scope.institution,
      scope.bankCode,
      scope.companyId,
      date,
      seqNo,
    ]);
    const r = rows[0];
    return r ? { id: String(r['id']), service: String(r['service']), state: String(r['state']) as TransferState } : null;
  }

  /** Numbers of the notices of one kind (its message) the bank sent for `date` and we stored. */
  async noticeNumbers(institution: string, message: string, date: string): Promise<number[]> {
    const rows = await this.sql.rows(this.ds, 'SELECT seq_no FROM notices WHERE institution = $1 AND message = $2 AND send_date = $3', [institution, message, date]);
    return rows.map((r) => Number(r['seq_no']));
  }

  /** Keeps the bank's answer to its day-totals telegram (asked by the gateway before the run). */
  async saveBankTotals(institution: string, date: string, fields: Readonly<Record<string, string | null>>, at: Date): Promise<void> {
    await inTransaction(this.ds, async (m) => {
      await this.sql.rows(m, 'DELETE FROM bank_day_totals WHERE institution = $1 AND business_date = $2', [institution, date]);
      await this.sql.rows(m, 'INSERT INTO bank_day_totals (institution, business_date, fields, asked_at) VALUES ($1, $2, $3, $4)', [institution, date, JSON.stringify(fields), at]);
    });
  }

  async bankTotals(institution: string, date: string): Promise<Record<string, string | null> | null> {
    const rows = await this.sql.rows(this.ds, 'SELECT fields FROM bank_day_totals WHERE institution = $1 AND business_date = $2', [institution, date]);
    return rows[0] ? (JSON.parse(String(rows[0]['fields'])) as Record<string, string | null>) : null;
  }

  /** Starts a run; refused while another run of the same day is going (two processes, one night). */
  async startRun(institution: string, date: string, file: string | null, now: Date): Promise<number> {
    return inTransaction(this.ds, async (m) => {
      const going = await this.sql.rows(m, `SELECT id, started_at FROM recon_runs WHERE institution = $1 AND business_date = $2 AND status = 'running'`, [institution, date]);
      const live = going.find((r) => now.getTime() - readTime(r['started_at']).getTime() < RUN_LEASE_MS);
      if (live) throw new FirmbankError('FB_RECON_RUNNING', `run #${String(live['id'])} of ${institution} ${date} is still going; try again when it has finished`);
      const rows = await this.sql.rows(m, `INSERT INTO recon_runs (institution, business_date, file, status, started_at) VALUES ($1, $2, $3, 'running', $4) RETURNING id`, [institution, date, file, now]);
      return Number(rows[0]!['id']);
    });
  }

  async finishRun(id: number, status: ReconRun['status'], figures: RunFigures | null, now: Date): Promise<void> {
    await this.sql.rows(this.ds, 'UPDATE recon_runs SET status = $1, figures = $2, finished_at = $3 WHERE id = $4', [status, figures ? JSON.stringify(figures) : null, now, id]);
  }

  /**
   * Keeps what run `runId` found, in one transaction: a break found before is the same row (its last run
   * moves on; one an earlier run had cleared opens again); a new one is added open; an open one this run
   * no longer finds is resolved by the reconciliation itself, saying which run cleared it.
   */
  async keepBreaks(runId: number, institution: string, date: string, found: readonly FoundBreak[], now: Date): Promise<{ added: number; again: number; cleared: number }> {
    return inTransaction(this.ds, async (m) => {
      const existing = new Map<string, { id: number; status: string; resolvedBy: string | null }>();
      for (const r of await this.sql.rows(m, 'SELECT id, category, subject, status, resolved_by FROM recon_breaks WHERE institution = $1 AND business_date = $2', [institution, date])) {
        existing.set(`${String(r['category'])} ${String(r['subject'])}`, { id: Number(r['id']), status: String(r['status']), resolvedBy: r['resolved_by'] === null ? null : String(r['resolved_by']) });
      }
      const fresh: FoundBreak[] = [];
      const again: number[] = [];
      const reopen: number[] = [];
      const seen = new Set<string>();
      for (const b of found) {
        const key = `${b.category} ${b.subject}`;
        if (seen.has(key)) continue; // one break per subject and category, however often a run meets it
        seen.add(key);
        const old = existing.get(key);
        if (!old) fresh.push(b);
        else if (old.status === 'resolved' && old.resolvedBy === RECONCILIATION) reopen.push(old.id);
        else again.push(old.id);
      }
      const cleared = [...existing].filter(([key, b]) => b.status === 'open' && !seen.has(key)).map(([, b]) => b.id);

      for (let i = 0; i < fresh.length; i += INSERT_CHUNK) {
        const params: unknown[] = [];
        const values = fresh.slice(i, i + INSERT_CHUNK).map((b) => {
          const row = [institution, date, b.category, b.subject, b.transferId, b.service, clip(b.ours, 200), clip(b.bank, 200), clip(b.detail, 500)!, runId, runId];
          const at = row.map((v) => {
            params.push(v);
            return `$${params.length}`;
          });
          return `(${at.join(', ')}, 'open')`;
        });
        await this.sql.rows(m, `INSERT INTO recon_breaks (institution, business_date, category, subject, transfer_id, service, ours, bank, detail, first_run_id, last_run_id, status) VALUES ${values.join(', ')}`, params);
      }
      // A new break about a service's money is an event for that service, in the same transaction.
      const json = this.sql.postgres ? 'json_build_object' : 'json_object';
      await this.sql.rows(
        m,
        `INSERT INTO events (service, type, aggregate, payload, occurred_at)
         SELECT service, 'reconciliation.break', 'break:' || CAST(id AS VARCHAR(20)),
                ${this.sql.postgres ? 'CAST(' : ''}${json}('breakId', id, 'institution', institution, 'businessDate', business_date, 'category', category, 'transferId', transfer_id, 'detail', detail)${this.sql.postgres ? ' AS TEXT)' : ''}, $4
           FROM recon_breaks WHERE institution = $1 AND business_date = $2 AND first_run_id = $3 AND service IS NOT NULL ORDER BY id`,
        [institution, date, runId, now],
      );
      await this.byIds(m, again, 'UPDATE recon_breaks SET last_run_id = $1 WHERE id IN', [runId]);
      await this.byIds(m, reopen, `UPDATE recon_breaks SET last_run_id = $1, status = 'open', resolved_by = NULL, resolution = NULL, resolved_at = NULL WHERE id IN`, [runId]);
      await this.byIds(m, cleared, `UPDATE recon_breaks SET status = 'resolved', resolved_by = $1, resolution = $2, resolved_at = $3 WHERE id IN`, [RECONCILIATION, `not found again by run #${runId}`, now]);
      return { added: fresh.length, again: again.length + reopen.length, cleared: cleared.length };
    });
  }

  /** Breaks of a day (or of every day), oldest first. */
  async breaks(filter: { institution?: string; businessDate?: string; status?: 'open' | 'resolved' } = {}): Promise<ReconBreak[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    for (const [column, value] of [['institution', filter.institution], ['business_date', filter.businessDate], ['status', filter.status]] as const) {
      if (value === undefined) continue;
      params.push(value);
      where.push(`${column} = $${params.length}`);
    }
    const rows = await this.sql.rows(this.ds, `SELECT * FROM recon_breaks ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`, params);
    return rows.map(breakFromRow);
  }

  /** An operator's resolution of an open break: who and why, kept with it. */
  async resolveBreak(id: number, by: string, reason: string, now: Date): Promise<ReconBreak> {
    if (!by.trim() || !reason.trim()) throw new FirmbankError('FB_RECON_INPUT', 'resolving a break needs who resolves it and why');
    const rows = await this.sql.rows(this.ds, `UPDATE recon_breaks SET status = 'resolved', resolved_by = $1, resolution = $2, resolved_at = $3 WHERE id = $4 AND status = 'open' RETURNING *`, [
      by.slice(0, 64),
      reason.slice(0, 500),
      now,
      id,
    ]);
    if (rows[0]) return breakFromRow(rows[0]);
    const exists = await this.sql.rows(this.ds, 'SELECT status FROM recon_breaks WHERE id = $1', [id]);
    throw new FirmbankError('FB_RECON_BREAK', exists[0] ? `break #${id} is already resolved` : `no break #${id}`);
  }

  async run(id: number): Promise<ReconRun | null> {
    const rows = await this.sql.rows(this.ds, 'SELECT * FROM recon_runs WHERE id = $1', [id]);
    return rows[0] ? runFromRow(rows[0]) : null;
  }

  private async byIds(m: Parameters<Sql['rows']>[0], ids: readonly number[], statement: string, params: readonly unknown[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500).map((id) => Number(id)).join(', ');
      await this.sql.rows(m, `${statement} (${chunk})`, params);
    }
  }
}

function clip(text: string | null, max: number): string | null {
  return text === null ? null : text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}


function breakFromRow(r: Record<string, unknown>): ReconBreak {
  return {
    id: Number(r['id']),
    institution: String(r['institution']),
    businessDate: String(r['business_date']),
    category: String(r['category']) as ReconBreak['category'],
    subject: String(r['subject']),
    transferId: textOrNull(r['transfer_id']),
    service: textOrNull(r['service']),
    ours: textOrNull(r['ours']),
    bank: textOrNull(r['bank']),
    detail: String(r['detail']),
    status: String(r['status']) as ReconBreak['status'],
    firstRunId: Number(r['first_run_id']),
    lastRunId: Number(r['last_run_id']),
    resolvedBy: textOrNull(r['resolved_by']),
    resolution: textOrNull(r['resolution']),
    resolvedAt: timeOrNull(r['resolved_at']),
  };
}

/** A `recon_runs` row as the domain sees it. */
export function runFromRow(r: Record<string, unknown>): ReconRun {
  return {
    id: Number(r['id']),
    institution: String(r['institution']),
    businessDate: String(r['business_date']),
    file: textOrNull(r['file']),
    status: String(r['status']) as ReconRun['status'],
    figures: r['figures'] === null || r['figures'] === undefined ? null : (JSON.parse(String(r['figures'])) as RunFigures),
    startedAt: readTime(r['started_at']),
    finishedAt: timeOrNull(r['finished_at']),
  };
}
