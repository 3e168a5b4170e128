import type { DataSource, EntityMetadata, Table, TableColumn } from 'typeorm';

type ColumnMetadata = EntityMetadata['columns'][number];
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/ledger/data-source.js';
import { freshDatabase } from './helpers/gateway.js';

/**
 * A difference between a migration and an entity that no EntitySchema can express, accepted for one
 * column only, and only while the database says exactly `db` and TypeORM makes exactly `entity` of what
 * the entity declares. Everything else about the column is still compared.
 */
interface Allowance {
  readonly kind: 'sqlite' | 'postgres';
  /** `table.column` */
  readonly column: string;
  readonly what: 'type' | 'default';
  readonly db: string;
  readonly entity: string;
}

const ALLOWANCES: readonly Allowance[] = [
  // SQLite: migration 0001 made these columns `int`, and TypeORM reads them back as "int"; but it turns an
  // entity's 'int' into "integer", and there is no column type it keeps as "int". Both are the same
  // column to SQLite (INTEGER affinity); the builder would copy the whole table to rename the type.
  ...['transfers.inquiries', 'transfers.no_record_answers', 'sequences.next_value'].map((column) => ({ kind: 'sqlite', column, what: 'type', db: 'int', entity: 'integer' }) as const),
  // PostgreSQL 10 and later report the migrations' `DEFAULT CURRENT_TIMESTAMP` as "CURRENT_TIMESTAMP";
  // TypeORM rewrites the entity's CURRENT_TIMESTAMP to "now()" (as PostgreSQL 9 showed it) and lowercases
  // whatever default it compares, so no entity default can match. now() and CURRENT_TIMESTAMP are the same.
  ...['transfers.created_at', 'transfers.updated_at', 'transfer_events.at', 'telegrams.at', 'notices.received_at', 'api_keys.created_at'].map(
    (column) => ({ kind: 'postgres', column, what: 'default', db: 'CURRENT_TIMESTAMP', entity: 'now()' }) as const,
  ),
];

/**
 * The entities (src/ledger/entities.ts) and the migrations (src/ledger/migrations) describe the same
 * schema twice. After the migrations ran, TypeORM's schema builder compares the database with the
 * entities: it must want to change nothing. If it does, the failure lists, table by table, what differs.
 */
describe.each(['sqlite', 'postgres'] as const)('entities and migrations agree (%s)', (kind) => {
  let ds: DataSource;
  let drop: () => Promise<void> = async () => {};

  beforeAll(async () => {
    const db = await freshDatabase(kind);
    drop = db.drop;
    ds = await openDatabase({ url: db.url });
  });
  afterAll(async () => {
    await ds?.destroy();
    await drop();
  });

  it('the schema builder wants to change nothing after the migrations (but for ALLOWANCES)', async () => {
    const { queries, found } = await withAllowances(ds, kind, async () => {
      const sql = await ds.driver.createSchemaBuilder().log();
      const queries = sql.upQueries.map((q) => q.query);
      return { queries, found: queries.length ? await differences(ds) : [] };
    });
    const note = '(an index on a changed column, e.g. ix_transfers_created_id on created_at, is dropped and made again by the builder: that alone is not a difference)';
    expect(queries, queries.length ? `entities and migrations differ:\n${found.join('\n')}\n${note}\n` : undefined).toEqual([]);
  });

  it('every allowance is a difference TypeORM still sees, exactly as named', async () => {
    for (const a of ALLOWANCES.filter((x) => x.kind === kind)) {
      const [tableName, columnName] = a.column.split('.') as [string, string];
      const inDb = (await tableOf(ds, tableName)).columns.find((c) => c.name === columnName);
      const declared = ds.entityMetadatas.find((m) => m.tableName === tableName)?.columns.find((c) => c.databaseName === columnName);
      expect(inDb && declared, a.column).toBeTruthy();
      expect(a.what === 'type' ? inDb!.type : inDb!.default, a.column).toBe(a.db);
      expect(entityValue(ds, a, declared!), a.column).toBe(a.entity);
      expect(ds.driver.findChangedColumns([inDb!], [declared!]).length, `${a.column} no longer differs: remove its allowance`).toBe(1);
    }
  });

  it('ix_transfers_created_id (migration 0004) is the index the Transfer entity declares', async () => {
    // the index as the database has it, columns in key order (TypeORM reads PostgreSQL's in table order)
    const keyOrder =
      kind === 'postgres'
        ? ((await ds.query(`SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_transfers_created_id'`)) as { indexdef: string }[]).map((r) => /\((.*)\)$/.exec(r.indexdef)![1]!.split(', '))
        : [((await ds.query(`SELECT name FROM pragma_index_info('ix_transfers_created_id') ORDER BY seqno`)) as { name: string }[]).map((r) => r.name)];
    expect(keyOrder).toEqual([['created_at', 'id']]);
    const inDb = (await tableOf(ds, 'transfers')).indices.find((i) => i.name === 'ix_transfers_created_id');
    const declared = ds.getMetadata('Transfer').indices.find((i) => i.name === 'ix_transfers_created_id');
    expect(declared?.columns.map((c) => c.databaseName)).toEqual(['created_at', 'id']);
    expect(declared?.isUnique).toBe(false);
    expect(inDb?.isUnique).toBe(false);
    expect([...(inDb?.columnNames ?? [])].sort()).toEqual(['created_at', 'id']);
  });

  it('every migration since 0004 goes down, and they all come up again', async () => {
    const indexes = async () => (await tableOf(ds, 'transfers')).indices.map((i) => i.name);
    const hasTable = async (name: string) => {
      const q = ds.createQueryRunner();
      try {
        return await q.hasTable(name);
      } finally {
        await q.release();
      }
    };
    const executed = async () => ((await ds.query('SELECT name FROM migrations ORDER BY id')) as { name: string }[]).map((r) => r.name);
    while ((await executed()).at(-1) !== 'ApiKeyScopes1764200000000') await ds.undoLastMigration({ transaction: 'each' });
    expect(await indexes()).not.toContain('ix_transfers_created_id'); // 0004
    expect(await indexes()).not.toContain('ix_transfers_service_day'); // 0005
    for (const table of ['recon_breaks', 'day_closes', 'events', 'webhook_deliveries']) expect(await hasTable(table)).toBe(false);
    await ds.runMigrations({ transaction: 'each' });
    expect(await indexes()).toEqual(expect.arrayContaining(['ix_transfers_created_id', 'ix_transfers_service_day']));
    for (const table of ['recon_breaks', 'day_closes', 'events', 'webhook_deliveries']) expect(await hasTable(table)).toBe(true);
  });
});

/** What TypeORM compares with the database for `a.what` of the entity's column. */
function entityValue(ds: DataSource, a: Allowance, c: ColumnMetadata): string | undefined {
  if (a.what === 'type') return ds.driver.normalizeType(c);
  const d = ds.driver.normalizeDefault(c);
  return ds.driver.options.type === 'postgres' && d !== undefined ? d.toLowerCase() : d;
}

/**
 * Runs `fn` with this data source's driver taking each of `kind`'s allowances as equal (and nothing else):
 * the two comparisons TypeORM's findChangedColumns makes are wrapped for the named columns only.
 */
async function withAllowances<T>(ds: DataSource, kind: 'sqlite' | 'postgres', fn: () => Promise<T>): Promise<T> {
  const allowances = ALLOWANCES.filter((a) => a.kind === kind);
  const driver = ds.driver as unknown as {
    normalizeType(c: ColumnMetadata): string;
    defaultEqual(c: ColumnMetadata, t: TableColumn): boolean;
  };
  const allowed = (c: ColumnMetadata, what: Allowance['what']) =>
    c.entityMetadata ? allowances.find((a) => a.what === what && a.column === `${c.entityMetadata.tableName}.${c.databaseName}`) : undefined;
  const normalizeType = driver.normalizeType.bind(driver);
  const defaultEqual = driver.defaultEqual.bind(driver);
  driver.normalizeType = (c) => {
    const type = normalizeType(c);
    const a = allowed(c, 'type');
    return a && type === a.entity ? a.db : type;
  };
  driver.defaultEqual = (c, t) => {
    if (defaultEqual(c, t)) return true;
    const a = allowed(c, 'default');
    return !!a && t.default === a.db && entityValue(ds, a, c) === a.entity;
  };
  try {
    return await fn();
  } finally {
    // the driver's own methods again (they live on its prototype)
    delete (driver as Partial<typeof driver>).normalizeType;
    delete (driver as Partial<typeof driver>).defaultEqual;
  }
}

async function tableOf(ds: DataSource, name: string): Promise<Table> {
  const qr = ds.createQueryRunner();
  try {
    const table = await qr.getTable(name);
    if (!table) throw new Error(`no table ${name}`);
    return table;
  } finally {
    await qr.release();
  }
}

/** What differs between each entity and its table, one line each, in words. */
async function differences(ds: DataSource): Promise<string[]> {
  const out: string[] = [];
  const qr = ds.createQueryRunner();
  try {
    for (const m of ds.entityMetadatas) {
      const table = await qr.getTable(m.tablePath);
      if (!table) {
        out.push(`${m.tableName}: table missing`);
        continue;
      }
      out.push(...tableDifferences(ds, m, table).map((d) => `${m.tableName}${d}`));
    }
  } finally {
    await qr.release();
  }
  return out;
}

function tableDifferences(ds: DataSource, m: EntityMetadata, table: Table): string[] {
  const d = ds.driver;
  const out: string[] = [];
  for (const c of m.columns) if (!table.columns.some((t) => t.name === c.databaseName)) out.push(`.${c.databaseName}: column in the entity, not in the database`);
  for (const t of table.columns) if (!m.columns.some((c) => c.databaseName === t.name)) out.push(`.${t.name}: column in the database, not in the entity`);
  for (const c of d.findChangedColumns(table.columns, m.columns)) {
    const t = table.columns.find((x) => x.name === c.databaseName) as TableColumn;
    const say = (what: string, db: unknown, entity: unknown) => (db === entity ? [] : [`${what} ${JSON.stringify(db)} in the database, ${JSON.stringify(entity)} in the entity`]);
    const parts = [
      ...say('type', t.type, d.normalizeType(c)),
      ...say('length', t.length, c.length),
      ...say('nullable', t.isNullable, c.isNullable),
      ...say('unique', t.isUnique, d.normalizeIsUnique(c)),
      ...say('generated', t.isGenerated, c.isGenerated),
      ...say('default', t.default, d.normalizeDefault(c)),
    ];
    out.push(`.${c.databaseName}: ${parts.join('; ') || 'changed (no listed property differs)'}`);
  }
  const cols = (names: readonly string[]) => `(${names.join(', ')})`;
  // TypeORM compares index columns as sets (and reads PostgreSQL's in table order, not key order)
  const set = (names: readonly string[]) => [...names].sort().join();
  for (const i of table.indices) {
    const e = m.indices.find((x) => x.name === i.name);
    if (!e) out.push(`: index ${i.name}${i.isUnique ? ' (unique)' : ''} ${cols(i.columnNames)} made by a migration, not declared in the entity`);
    else if (set(e.columns.map((c) => c.databaseName)) !== set(i.columnNames) || e.isUnique !== i.isUnique)
      out.push(`: index ${i.name} is ${cols(i.columnNames)}${i.isUnique ? ' unique' : ''} in the database, ${cols(e.columns.map((c) => c.databaseName))}${e.isUnique ? ' unique' : ''} in the entity`);
  }
  for (const e of m.indices) if (!table.indices.some((i) => i.name === e.name)) out.push(`: index ${e.name} declared in the entity, not in the database`);
  const uniques = (names: string[]) => names.sort().join(', ') || 'none';
  const inDb = uniques(table.uniques.map((u) => cols(u.columnNames)));
  const declared = uniques(m.uniques.map((u) => cols(u.columns.map((c) => c.databaseName))));
  if (inDb !== declared) out.push(`: unique constraints ${inDb} in the database, ${declared} in the entity`);
  return out;
}
