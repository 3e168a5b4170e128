import { chmodSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource } from 'typeorm';
import { ConfigError } from '../config/config-error.js';
import { databaseUrlKind } from '../config/database-url.js';
import { maskUrl } from '../config/mask-url.js';
import { makePrivateDir, makePrivateFile } from '../files/private-files.js';
import { StartupError } from '../config/startup-error.js';
import { ledgerEntities, type DatabaseKind } from './entities.js';
import { oneWonEntities } from './one-won-entities.js';
import { consentEntities } from './consent-entities.js';
import { MIGRATIONS } from './migrations/index.js';

export interface DatabaseConfig {
  /** `postgres://…` for PostgreSQL; otherwise a SQLite file path. */
  readonly url: string;
  /** The setting `url` came from, named in errors (default `DATABASE_URL`). */
  readonly setting?: string;
}

/** The database a configuration names (anything not PostgreSQL is taken for a SQLite path). */
export function databaseKind(config: DatabaseConfig): DatabaseKind {
  return databaseUrlKind(config.url) === 'postgres' ? 'postgres' : 'sqlite';
}

/**
 * Opens the ledger database and brings its schema up to date (migrations, never `synchronize`).
 * A SQLite ledger is private: its folder is made 0700 when we create it, the file and its -wal/-shm 0600.
 * A database that cannot be reached or refuses us is a {@link StartupError} `FB_DATABASE_UNAVAILABLE`
 * naming the setting, with the URL's password masked.
 */
export async function openDatabase(config: DatabaseConfig): Promise<DataSource> {
  const setting = config.setting ?? 'DATABASE_URL';
  if (databaseUrlKind(config.url) === 'unsupported') throw new ConfigError(setting, `"${maskUrl(config.url)}" is neither a PostgreSQL URL (postgres://…) nor a SQLite file path`);
  const kind = databaseKind(config);
  const entities = [...Object.values(ledgerEntities(kind)), ...Object.values(oneWonEntities(kind)), ...Object.values(consentEntities(kind))];
  const migrations = MIGRATIONS;
  let ds: DataSource;
  const file = kind === 'sqlite' && config.url !== ':memory:' ? config.url : null;
  try {
    if (kind === 'postgres') {
      ds = new DataSource({ type: 'postgres', url: config.url, entities, migrations, extra: { max: 20 } });
    } else {
      if (file) {
        makePrivateDir(dirname(file));
        // Created 0600 before SQLite opens it: SQLite gives its -wal and -shm files the mode of the database.
        makePrivateFile(file);
      }
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
  } catch (e) {
    throw unavailable(e, config.url, setting) ?? e;
  }
  // Belt and braces: should SQLite ever not copy the mode, the journal files still hold ledger pages.
  for (const suffix of ['-wal', '-shm']) if (file && existsSync(file + suffix)) chmodSync(file + suffix, 0o600);
  await ds.runMigrations({ transaction: 'each' });
  return ds;
}

/**
 * What an operator must hear when the database cannot be opened, or null for anything that looks like a
 * bug (no error code): that one must keep its stack trace.
 */
function unavailable(e: unknown, url: string, setting: string): StartupError | null {
  const err = e as { code?: unknown; message?: unknown };
  const message = typeof err.message === 'string' ? err.message.split('\n')[0]! : String(e);
  const code = typeof err.code === 'string' ? err.code : undefined;
  // pg raises these without a code when the server hangs up or asks for a password we do not have.
  const pgNoCode = /Connection terminated|timeout expired|password must be a string|SASL/i.test(message);
  if (code === undefined && !pgNoCode) return null;
  const shown = maskUrl(url);
  const where = databaseUrlKind(url) === 'postgres' ? hostOf(url) : url;
  const reasons: Record<string, string> = {
    ECONNREFUSED: `nothing accepts connections at ${where}: is PostgreSQL running and listening there?`,
    ENOTFOUND: `the host of ${where} is not known (DNS): check the host name`,
    EAI_AGAIN: `the host of ${where} cannot be looked up now (DNS)`,
    ETIMEDOUT: `${where} does not answer (timeout)`,
    EHOSTUNREACH: `${where} cannot be reached (no route)`,
    ENETUNREACH: `${where} cannot be reached (network unreachable)`,
    '28P01': 'the password is not accepted for this user (28P01)',
    '3D000': `${message}: create it first (createdb), or fix the database name in the URL`,
    SQLITE_CANTOPEN: `cannot open the SQLite file ${where}: check that its folder exists and can be written`,
    SQLITE_NOTADB: `${where} is not a SQLite database`,
    EACCES: `cannot create or open ${where}: permission denied`,
    ENOTDIR: `cannot create ${where}: a part of its path is a file, not a folder`,
    EEXIST: `cannot create ${where}: a part of its path is a file, not a folder`,
    EROFS: `cannot create or open ${where}: read-only file system`,
  };
  const reason = (code && reasons[code]) ?? (/password must be a string|SASL/i.test(message) ? `the server wants a password and the URL has none (${message})` : `${message}${code ? ` (${code})` : ''}`);
  return new StartupError('FB_DATABASE_UNAVAILABLE', setting, shown, reason);
}

/** `host:port` of a PostgreSQL URL, for messages (never the user part). */
function hostOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || u.searchParams.get('host') || 'localhost'}:${u.port || 5432}`;
  } catch {
    return 'the server';
  }
}
