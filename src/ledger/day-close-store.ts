import { Decimal } from 'decimal.js';
import type { DataSource, EntityManager } from 'typeorm';
import type { DayClose } from '../domain/reconciliation.js';
import { Sql, readTime } from './sql.js';
import { inTransaction } from './writes.js';

/** How far back a close looks for changes to days closed before it. */
const LOOK_BACK_DAYS = 40;

type Figures = Omit<DayClose, 'service' | 'businessDate' | 'adjustments' | 'closedAt'>;

/**
 * Each service's day, closed once: its counts and amounts by the 전문 send date, frozen in `day_closes`.
 * A change to a closed day (an unknown transfer settled later, a late reversal) never edits it: the next
 * close carries the difference of its net as an adjustment (`day_adjustments`), naming the day it belongs to.
 */
export class DayCloseStore {
  private readonly sql: Sql;

  constructor(private readonly ds: DataSource) {
    this.sql = new Sql(ds);
  }

  /** Services with transfers sent on `date`. */
  async services(date: string): Promise<string[]> {
    const rows = await this.sql.rows(this.ds, 'SELECT DISTINCT service FROM transfers WHERE send_date = $1 ORDER BY service', [date]);
    return rows.map((r) => String(r['service']));
  }

  /** Closes a service's day (or returns the close already made: a closed day never changes). */
  async close(service: string, date: string, now: Date): Promise<{ close: DayClose; created: boolean }> {
    return inTransaction(this.ds, async (m) => {
      const existing = await this.get(m, service, date);
      if (existing) return { close: existing, created: false };
      const figures = await this.figures(m, service, date);
      for (const earlier of await this.sql.rows(m, 'SELECT business_date, net FROM day_closes WHERE service = $1 AND business_date < $2 AND business_date >= $3', [service, date, daysBefore(date, LOOK_BACK_DAYS)])) {
        const of = String(earlier['business_date']);
        const carried = await this.sql.rows(m, 'SELECT COALESCE(SUM(amount), 0) AS total FROM day_adjustments WHERE service = $1 AND of_date = $2', [service, of]);
        const delta = new Decimal((await this.figures(m, service, of)).net).minus(String(earlier['net'])).minus(String(carried[0]!['total']));
        if (!delta.isZero()) {
          await this.sql.rows(m, 'INSERT INTO day_adjustments (service, business_date, of_date, amount, detail, at) VALUES ($1, $2, $3, $4, $5, $6)', [
            service,
            date,
            of,
            delta,
            `net of ${of} changed by ${delta.toFixed(0)} won after it was closed`,
            now,
          ]);
        }
      }
      const adjustments = await this.sql.rows(m, 'SELECT COALESCE(SUM(amount), 0) AS total FROM day_adjustments WHERE service = $1 AND business_date = $2', [service, date]);
      const close: DayClose = { service, businessDate: date, ...figures, adjustments: new Decimal(String(adjustments[0]!['total'])).toFixed(0), closedAt: now };
      await this.sql.rows(
        m,
        `INSERT INTO day_closes (service, business_date, succeeded_count, succeeded_amount, failed_count, fees, reversed_count, reversed_amount, unknown_count, unknown_amount, net, adjustments, closed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [service, date, close.succeededCount, close.succeededAmount, close.failedCount, close.fees, close.reversedCount, close.reversedAmount, close.unknownCount, close.unknownAmount, close.net, close.adjustments, now],
      );
      return { close, created: true };
    });
  }

  /** The adjustments carried into a day, and the days they belong to. */
  async adjustments(service: string, date: string): Promise<{ ofDate: string; amount: string; detail: string }[]> {
    const rows = await this.sql.rows(this.ds, 'SELECT of_date, amount, detail FROM day_adjustments WHERE service = $1 AND business_date = $2 ORDER BY of_date', [service, date]);
    return rows.map((r) => ({ ofDate: String(r['of_date']), amount: String(r['amount']), detail: String(r['detail']) }));
  }

  private async get(m: EntityManager, service: string, date: string): Promise<DayClose | null> {
    const r = (await this.sql.rows(m, 'SELECT * FROM day_closes WHERE service = $1 AND business_date = $2', [service, date]))[0];
    if (!r) return null;
    const won = (c: string) => String(r[c]);
    return {
      service,
      businessDate: date,
      succeededCount: Number(r['succeeded_count']),
      succeededAmount: won('succeeded_amount'),
      failedCount: Number(r['failed_count']),
      fees: won('fees'),
      reversedCount: Number(r['reversed_count']),
      reversedAmount: won('reversed_amount'),
      unknownCount: Number(r['unknown_count']),
      unknownAmount: won('unknown_amount'),
      net: won('net'),
      adjustments: won('adjustments'),
      closedAt: readTime(r['closed_at']),
    };
  }

  /** The day as the ledger has it now (sums in SQL, through ix_transfers_service_day). */
  private async figures(m: EntityManager, service: string, date: string): Promise<Figures> {
    const rows = await this.sql.rows(m, 'SELECT state, COUNT(*) AS n, COALESCE(SUM(amount), 0) AS amount, COALESCE(SUM(fee), 0) AS fees FROM transfers WHERE service = $1 AND send_date = $2 GROUP BY state', [service, date]);
    const of = (...states: string[]) => {
      const mine = rows.filter((r) => states.includes(String(r['state'])));
      return {
        n: mine.reduce((s, r) => s + Number(r['n']), 0),
        amount: mine.reduce((s, r) => s.plus(String(r['amount'])), new Decimal(0)),
        fees: mine.reduce((s, r) => s.plus(String(r['fees'])), new Decimal(0)),
      };
    };
    const ok = of('succeeded');
    const reversed = of('reversed');
    const open = of('unknown', 'sending', 'requested');
    return {
      succeededCount: ok.n,
      succeededAmount: ok.amount.toFixed(0),
      failedCount: of('failed').n,
      fees: ok.fees.toFixed(0),
      reversedCount: reversed.n,
      reversedAmount: reversed.amount.toFixed(0),
      unknownCount: open.n,
      unknownAmount: open.amount.toFixed(0),
      net: ok.amount.plus(ok.fees).toFixed(0),
    };
  }
}

function daysBefore(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}
