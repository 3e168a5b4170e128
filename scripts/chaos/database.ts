import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';

/** The shared PostgreSQL the team's machines run (trust auth); each chaos run makes its own database on it. */
export const PG_ADMIN = 'postgres://postgres@127.0.0.1:5432/test';

/** The run's ledger database, and how to get rid of it. */
export interface RunDatabase {
  readonly url: string;
  /** For messages: the URL without credentials. */
  readonly shown: string;
  drop(): Promise<void>;
}

async function admin<T>(work: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_ADMIN });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

/**
 * A fresh database for one run: on PostgreSQL a new database (dropped with FORCE afterwards, so gateways
 * killed with connections open do not keep it alive); on SQLite a file in the run directory.
 */
export async function freshDatabase(kind: 'postgres' | 'sqlite', runDir: string): Promise<RunDatabase> {
  if (kind === 'sqlite') {
    const url = join(runDir, 'ledger.sqlite');
    return { url, shown: url, drop: async () => {} }; // removed with the run directory
  }
  const name = `fb_chaos_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const base = new URL(PG_ADMIN);
  base.pathname = `/${name}`;
  const url = base.toString();
  base.username = '';
  base.password = '';
  return { url, shown: base.toString(), drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined) };
}
