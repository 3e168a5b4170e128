import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource } from 'typeorm';
import { ledgerEntities, type DatabaseKind } from './entities.js';
import { MIGRATIONS } from './migrations/index.js';

export interface DatabaseConfig {
  /** `postgres://…` for PostgreSQL; otherwise a SQLite file path. */
  readonly url: string;
}

export function databaseKind(config: DatabaseConfig): DatabaseKind {
  return /^postgres(ql)?:\/\//.test(config.url) ? 'postgres' : 'sqlite';
}

/** Opens the ledger database and brings its schema up to date (migrations, never `synchronize`). */
export async function openDatabase(config: DatabaseConfig): Promise<DataSource> {
  const kind = databaseKind(config);
  const entities = Object.values(ledgerEntities(kind));
  const migrations = MIGRATIONS;
  let ds: DataSource;
  if (kind === 'postgres') {
    ds = new DataSource({ type: 'postgres', url: config.url, entities, migrations, extra: { max: 20 } });
  } else {
    if (config.url !== ':memory:') mkdirSync(dirname(config.url), { recursive: true });
    ds = new DataSource({
      type: 'better-sqlite3',
      database: config.url,
      entities,
      migrations,
      // WAL lets readers run beside the writer; NORMAL is durable across process crashes (not power loss).
      prepareDatabase: (db: { pragma(s: string): unknown }) => {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        db.pragma('busy_timeout = 5000');
      },
    });
  }
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  return ds;
}
