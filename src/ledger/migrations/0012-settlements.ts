import { Table, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';
import { columnTypes, type DatabaseKind } from '../entities.js';

/**
 * Manual settlements of unknown transfers (src/ledger/settlement-store.ts): one operator proposes an
 * outcome with a reason and the evidence, another confirms (or anyone rejects) it. At most one is pending
 * per transfer: a partial unique index, on PostgreSQL and SQLite alike. `claimed_by` / `claimed_until`
 * hold a pending settlement for the one confirmation moving its transfer. Times are written by the store
 * (no defaults).
 *
 * And the console's transfer search (src/ledger/admin/transfer-search.ts), on PostgreSQL: newest first is
 * `ix_transfers_created_id` (0004) read backwards — measured on 1,000,000 rows (bench/admin.ts), it needs
 * nothing more, for pages 200 deep nor for state, service, institution or date filters, which the planner
 * serves by that backward scan or by ix_transfers_state. Two filters match rows the order index cannot
 * find without reading most of the table (p95 of 230–400 ms before these indexes, 2–7 ms with them):
 * - an account suffix: `ix_transfers_account_suffix` holds the deposit account reversed, so that the
 *   suffix is a prefix, a range in the index (text_pattern_ops: whatever the database's collation);
 * - an exact amount or a narrow range: `ix_transfers_amount` holds the amount as NUMERIC, which the
 *   search compares with its decimal bounds exactly.
 * Both are expression indexes, which TypeORM's schema builder neither reads nor asks the entities to
 * declare (test/schema.test.ts). SQLite ledgers are small and do without them.
 */
export class Settlements1765100000000 implements MigrationInterface {
  name = 'Settlements1765100000000';

  async up(q: QueryRunner): Promise<void> {
    const kind: DatabaseKind = q.connection.driver.options.type === 'postgres' ? 'postgres' : 'sqlite';
    const t = columnTypes(kind);
    const str = (name: string, length: number, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable });
    const time = (name: string, nullable = false): TableColumnOptions => ({ name, type: t.time, isNullable: nullable });

    await q.createTable(
      new Table({
        name: 'manual_settlements',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          str('transfer_id', 36),
          str('outcome', 16),
          str('reason', 500),
          str('evidence', 2000),
          str('proposed_by', 64),
          time('proposed_at'),
          str('status', 16),
          str('decided_by', 64, true),
          time('decided_at', true),
          str('decision_reason', 500, true),
          str('claimed_by', 64, true),
          time('claimed_until', true),
        ],
        // a transfer's settlements, in the order they were proposed
        indices: [{ name: 'ix_manual_settlements_transfer', columnNames: ['transfer_id', 'id'] }],
      }),
    );
    // One pending settlement per transfer; also what `pending()` and the unknowns queue read.
    await q.query(`CREATE UNIQUE INDEX ux_manual_settlements_pending ON manual_settlements (transfer_id) WHERE status = 'pending'`);
    if (kind === 'postgres') {
      await q.query('CREATE INDEX ix_transfers_account_suffix ON transfers (reverse(deposit_account) text_pattern_ops)');
      await q.query('CREATE INDEX ix_transfers_amount ON transfers ((CAST(amount AS NUMERIC)))');
    }
  }

  async down(q: QueryRunner): Promise<void> {
    if (q.connection.driver.options.type === 'postgres') {
      await q.query('DROP INDEX ix_transfers_amount');
      await q.query('DROP INDEX ix_transfers_account_suffix');
    }
    await q.query('DROP INDEX ux_manual_settlements_pending');
    await q.dropTable('manual_settlements');
  }
}
