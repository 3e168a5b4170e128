import { Table, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';
import { columnTypes, type DatabaseKind } from '../entities.js';

/**
 * Runtime switches: one row per switch ever set (a switch without a row is on), and the append-only
 * audit of every set. Times are written by the store (no defaults).
 */
export class Switches1764600000000 implements MigrationInterface {
  name = 'Switches1764600000000';

  async up(q: QueryRunner): Promise<void> {
    const kind: DatabaseKind = q.connection.driver.options.type === 'postgres' ? 'postgres' : 'sqlite';
    const t = columnTypes(kind);
    const str = (name: string, length: number): TableColumnOptions => ({ name, type: 'varchar', length: String(length) });
    const int = (name: string): TableColumnOptions => ({ name, type: 'integer' });
    const time = (name: string): TableColumnOptions => ({ name, type: t.time });
    // `*` or an institution id; `*` or a flow (src/domain/switches.ts)
    const scope = str('scope', 32);
    const flow = str('flow', 16);

    await q.createTable(
      new Table({
        name: 'switches',
        columns: [{ ...scope, isPrimary: true }, { ...flow, isPrimary: true }, str('state', 8), int('version'), time('changed_at'), str('changed_by', 64), str('reason', 500)],
      }),
    );
    await q.createTable(
      new Table({
        name: 'switch_changes',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          scope,
          flow,
          str('from_state', 8),
          str('to_state', 8),
          str('changed_by', 64),
          str('reason', 500),
          time('changed_at'),
          int('version'),
        ],
        // one switch's history, newest first
        indices: [{ name: 'ix_switch_changes_switch', columnNames: ['scope', 'flow', 'id'] }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['switch_changes', 'switches']) await q.dropTable(table);
  }
}
