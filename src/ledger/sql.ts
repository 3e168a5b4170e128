import type { DataSource, EntityManager } from 'typeorm';
import { Decimal } from 'decimal.js';

type Runner = Pick<DataSource | EntityManager, 'query'>;

/** pg's pool, under TypeORM's PostgreSQL driver. */
interface PgPool {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: Record<string, unknown>[] }>;
}

/**
 * Statements given a name, so that each pooled connection parses and plans them once (pg prepares a named
 * statement on a connection the first time it runs there). The ledger's statements are a small fixed set;
 * past this many distinct texts the rest run unnamed, so that no connection's cache grows without bound.
 */
const MAX_NAMED = 512;
/** Text → name, for every Sql of the process: a name means one text on every connection of every pool. */
const NAMES = new Map<string, string>();

/**
 * Plain SQL for the ledger's hot paths, on PostgreSQL and SQLite alike: `$1 … $n` placeholders (rewritten
 * to `?` for SQLite), values converted the way TypeORM stores them (Decimal → whole won, Date → SQLite's
 * text form, booleans → 0/1 on SQLite). Returns the rows of a RETURNING clause.
 */
export class Sql {
  readonly postgres: boolean;

  constructor(private readonly ds: DataSource) {
    this.postgres = ds.options.type === 'postgres';
  }

  async rows(runner: Runner, text: string, params: readonly unknown[]): Promise<Record<string, unknown>[]> {
    const values = params.map((v) => this.value(v));
    if (this.postgres) {
      // Outside a transaction, straight to pg's pool as a named statement: a statement that is not parsed
      // and planned again each time, and none of TypeORM's per-query runner, costs less of both processes.
      const pool = runner === this.ds ? (this.ds.driver as unknown as { master?: PgPool }).master : undefined;
      if (pool) return (await pool.query({ ...this.nameOf(text), text, values })).rows;
      const result = (await runner.query(text, values)) as unknown[];
      // TypeORM answers an UPDATE or DELETE on PostgreSQL with [rows of its RETURNING, row count]
      return (Array.isArray(result[0]) && typeof result[1] === 'number' ? result[0] : result) as Record<string, unknown>[];
    }
    const ordered: unknown[] = [];
    const sqlite = text.replace(/\$(\d+)/g, (_, n: string) => {
      ordered.push(values[Number(n) - 1]);
      return '?';
    });
    const result = (await runner.query(sqlite, ordered)) as Record<string, unknown>[] | undefined;
    return Array.isArray(result) ? result : [];
  }

  private nameOf(text: string): { name?: string } {
    let name = NAMES.get(text);
    if (name === undefined && NAMES.size < MAX_NAMED) NAMES.set(text, (name = `fb${NAMES.size}`));
    return name === undefined ? {} : { name };
  }

  private value(v: unknown): unknown {
    if (v instanceof Decimal) return v.toFixed(0);
    if (this.postgres) return v;
    if (v instanceof Date) return v.toISOString().replace('T', ' ').replace('Z', '');
    if (typeof v === 'boolean') return v ? 1 : 0;
    return v;
  }
}

/** A time as either database returns it: pg a Date, SQLite the UTC text TypeORM and Sql write ("YYYY-MM-DD HH:MM:SS.SSS"). */
export function readTime(v: unknown): Date {
  return v instanceof Date ? v : new Date(String(v).replace(' ', 'T') + (String(v).endsWith('Z') ? '' : 'Z'));
}

/** A nullable text column as read: null stays null, anything else its string. */
export function textOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

/** A nullable time column as a Date or null, on either database (see {@link readTime}). */
export function timeOrNull(v: unknown): Date | null {
  return v === null || v === undefined ? null : readTime(v);
}
