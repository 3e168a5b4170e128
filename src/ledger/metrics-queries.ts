import type { DataSource } from 'typeorm';
import type { LedgerSnapshot, SequenceUse, UnknownOutcomes } from '../metrics/metric-sources.js';
import { Sql, readTime } from './sql.js';

/** A (bank, company) the gateway numbers telegrams for, with its institution and the spec's daily maximum. */
export interface SequenceScopeLimit {
  readonly institution: string;
  readonly bankCode: string;
  readonly companyId: string;
  /** The spec's `session.maxSeqNo`. */
  readonly maxSeqNo: number;
}

export interface LedgerMetricsOptions {
  /** The 전문번호 scopes to report; a scope with no number taken today is reported at 0. */
  readonly sequences: readonly SequenceScopeLimit[];
  /** How long one snapshot is served before the ledger is read again (default 10 s). */
  readonly cacheMs?: number;
  /** The clock the cache ages by (tests move it). */
  readonly now?: () => number;
}

/**
 * The ledger's figures for /metrics, on PostgreSQL and SQLite alike.
 *
 * Counting transfers by state reads the whole `transfers` table (no index has the institution and the
 * state together), a million rows and more on a busy ledger: so a snapshot is kept for `cacheMs` (10 s by
 * default) and every scrape in that time, from any scraper, is served from it. Prometheus scrapes every
 * 15–30 s, so in practice the ledger is read once a scrape at most. Scrapes that arrive while the
 * snapshot is being read wait for that read instead of starting their own.
 */
export class LedgerMetricsQueries {
  private readonly sql: Sql;
  private readonly cacheMs: number;
  private readonly now: () => number;
  private cached: { readonly date: string; readonly at: number; readonly snapshot: LedgerSnapshot } | null = null;
  private loading: { readonly date: string; readonly promise: Promise<LedgerSnapshot> } | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly options: LedgerMetricsOptions,
  ) {
    this.sql = new Sql(ds);
    this.cacheMs = options.cacheMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * The ledger's figures, with 전문번호 counted for `scopeDate`: today's Korean date as the links write it
   * in `sequences.scope_date` (`kst(clock()).date`, "YYYY-MM-DD"). The caller passes it so that the date
   * comes from the same clock as the links'.
   */
  snapshot(scopeDate: string): Promise<LedgerSnapshot> {
    const c = this.cached;
    if (c && c.date === scopeDate && this.now() - c.at < this.cacheMs) return Promise.resolve(c.snapshot);
    if (this.loading?.date === scopeDate) return this.loading.promise;
    const promise = this.read(scopeDate)
      .then((snapshot) => {
        this.cached = { date: scopeDate, at: this.now(), snapshot };
        return snapshot;
      })
      .finally(() => {
        if (this.loading?.promise === promise) this.loading = null;
      });
    this.loading = { date: scopeDate, promise };
    return promise;
  }

  /** One read of every figure, query after query: metrics never hold more than one pooled connection. */
  private async read(scopeDate: string): Promise<LedgerSnapshot> {
    const transfers = await this.transfersByState();
    const unknowns = await this.unknownOutcomes();
    const sequences = await this.sequenceUse(scopeDate);
    const reconBreaks = await this.openBreaks();
    return { transfers, unknowns, sequences, reconBreaks };
  }

  private async transfersByState(): Promise<LedgerSnapshot['transfers']> {
    const rows = await this.sql.rows(this.ds, 'SELECT institution, state, COUNT(*) AS n FROM transfers GROUP BY institution, state', []);
    return rows.map((r) => ({ institution: String(r['institution']), state: String(r['state']), count: Number(r['n']) }));
  }

  /**
   * Open unknown outcomes per institution. `state = 'unknown'` is read through ix_transfers_state (a few
   * rows among millions); the time each became unknown is its `unknown` event, found through
   * ix_transfer_events_transfer. (Not `updated_at`: every inquiry touches it.) A transfer that has no such
   * event — written by hand, or by a ledger older than its events — counts from its `updated_at`.
   */
  private async unknownOutcomes(): Promise<UnknownOutcomes[]> {
    const rows = await this.sql.rows(
      this.ds,
      `SELECT institution, COUNT(*) AS n, SUM(operator) AS operator, MIN(since) AS oldest FROM (
         SELECT t.institution,
                CASE WHEN t.needs_operator THEN 1 ELSE 0 END AS operator,
                COALESCE((SELECT MAX(e.at) FROM transfer_events e WHERE e.transfer_id = t.id AND e.to_state = 'unknown'), t.updated_at) AS since
           FROM transfers t WHERE t.state = 'unknown'
       ) u GROUP BY institution`,
      [],
    );
    return rows.map((r) => ({ institution: String(r['institution']), open: Number(r['n']), needOperator: Number(r['operator'] ?? 0), oldestSince: readTime(r['oldest']) }));
  }

  /**
   * 전문번호 taken on `scopeDate` per configured scope, by the sequences table's primary key. `next_value`
   * is the first number no process has reserved yet, so everything below it is taken: numbers a process
   * reserved and did not send before it stopped are never given again, and count as used.
   */
  private async sequenceUse(scopeDate: string): Promise<SequenceUse[]> {
    const rows = await this.sql.rows(this.ds, 'SELECT bank_code, company_id, next_value FROM sequences WHERE scope_date = $1', [scopeDate]);
    const next = new Map(rows.map((r) => [`${String(r['bank_code'])}|${String(r['company_id'])}`, Number(r['next_value'])]));
    return this.options.sequences.map((s) => {
      const taken = Math.max(0, (next.get(`${s.bankCode}|${s.companyId}`) ?? 1) - 1);
      return { institution: s.institution, bankCode: s.bankCode, companyId: s.companyId, used: Math.min(taken, s.maxSeqNo), max: s.maxSeqNo };
    });
  }

  /** Open breaks per institution and category (a small table: one row per break ever found). */
  private async openBreaks(): Promise<LedgerSnapshot['reconBreaks']> {
    const rows = await this.sql.rows(this.ds, `SELECT institution, category, COUNT(*) AS n FROM recon_breaks WHERE status = 'open' GROUP BY institution, category`, []);
    return rows.map((r) => ({ institution: String(r['institution']), category: String(r['category']), open: Number(r['n']) }));
  }
}
