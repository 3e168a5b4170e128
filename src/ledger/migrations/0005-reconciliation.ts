import { Table, TableIndex, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';
import { columnTypes, type DatabaseKind } from '../entities.js';

/**
 * The nightly batch's tables: reconciliation runs and their breaks, the bank's day totals as asked, and
 * each service's closed days with the adjustments carried into them. Times are written by the batch
 * itself (no defaults). Plus the index a service's day is summed through.
 */
export class Reconciliation1764400000000 implements MigrationInterface {
  name = 'Reconciliation1764400000000';

  async up(q: QueryRunner): Promise<void> {
    const kind: DatabaseKind = q.connection.driver.options.type === 'postgres' ? 'postgres' : 'sqlite';
    const t = columnTypes(kind);
    const str = (name: string, length: number, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable });
    const int = (name: string): TableColumnOptions => ({ name, type: 'integer' });
    const won = (name: string): TableColumnOptions => ({ name, type: 'bigint' });
    const time = (name: string, nullable = false): TableColumnOptions => ({ name, type: t.time, isNullable: nullable });
    const id: TableColumnOptions = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' };

    await q.createTable(
      new Table({
        name: 'recon_runs',
        columns: [id, str('institution', 32), str('business_date', 10), str('file', 300, true), str('status', 16), { name: 'figures', type: 'text', isNullable: true }, time('started_at'), time('finished_at', true)],
        indices: [{ name: 'ix_recon_runs_day', columnNames: ['institution', 'business_date'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'recon_breaks',
        columns: [
          id,
          str('institution', 32),
          str('business_date', 10),
          str('category', 24),
          str('subject', 64),
          str('transfer_id', 36, true),
          str('service', 64, true),
          str('ours', 200, true),
          str('bank', 200, true),
          str('detail', 500),
          str('status', 16),
          int('first_run_id'),
          int('last_run_id'),
          str('resolved_by', 64, true),
          str('resolution', 500, true),
          time('resolved_at', true),
        ],
        // A break is named by its day, category and subject: a re-run finds it again instead of adding a copy.
        indices: [{ name: 'ux_recon_breaks', columnNames: ['institution', 'business_date', 'category', 'subject'], isUnique: true }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'bank_day_totals',
        columns: [{ ...str('institution', 32), isPrimary: true }, { ...str('business_date', 10), isPrimary: true }, { name: 'fields', type: 'text' }, time('asked_at')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'day_closes',
        columns: [
          { ...str('service', 64), isPrimary: true },
          { ...str('business_date', 10), isPrimary: true },
          int('succeeded_count'),
          won('succeeded_amount'),
          int('failed_count'),
          won('fees'),
          int('reversed_count'),
          won('reversed_amount'),
          int('unknown_count'),
          won('unknown_amount'),
          won('net'),
          won('adjustments'),
          time('closed_at'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'day_adjustments',
        columns: [id, str('service', 64), str('business_date', 10), str('of_date', 10), won('amount'), str('detail', 300), time('at')],
        indices: [{ name: 'ix_day_adjustments_service', columnNames: ['service', 'of_date'] }],
      }),
    );
    await q.createIndex('transfers', new TableIndex({ name: 'ix_transfers_service_day', columnNames: ['service', 'send_date'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('transfers', 'ix_transfers_service_day');
    for (const table of ['day_adjustments', 'day_closes', 'bank_day_totals', 'recon_breaks', 'recon_runs']) await q.dropTable(table);
  }
}
