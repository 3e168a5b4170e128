import { Table, TableIndex, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';
import { columnTypes, type DatabaseKind } from '../entities.js';

/** The first schema of the ledger, for PostgreSQL and SQLite alike (types chosen per driver). */
export class Initial1764000000000 implements MigrationInterface {
  name = 'Initial1764000000000';

  async up(q: QueryRunner): Promise<void> {
    const kind: DatabaseKind = q.connection.driver.options.type === 'postgres' ? 'postgres' : 'sqlite';
    const t = columnTypes(kind);
    const str = (name: string, length: number, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable });
    const id: TableColumnOptions = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' };
    const time = (name: string, nullable = false): TableColumnOptions => ({ name, type: t.time, isNullable: nullable, ...(nullable ? {} : { default: 'CURRENT_TIMESTAMP' }) });

    await q.createTable(
      new Table({
        name: 'transfers',
        columns: [
          { ...str('id', 36), isPrimary: true },
          str('service', 64),
          str('request_id', 128),
          str('request_hash', 64),
          str('institution', 32),
          str('bank_code', 3),
          str('company_id', 32),
          str('withdraw_account', 32),
          str('deposit_bank_code', 3),
          str('deposit_account', 32),
          { name: 'amount', type: 'bigint' },
          { name: 'fee', type: 'bigint', isNullable: true },
          str('memo', 64),
          str('recipient_name', 64),
          str('state', 16),
          str('seq_no', 6, true),
          str('send_date', 10, true),
          str('response_code', 8, true),
          str('response_message', 200, true),
          { name: 'inquiries', type: 'int', default: 0 },
          { name: 'no_record_answers', type: 'int', default: 0 },
          { name: 'needs_operator', type: 'boolean', default: false },
          time('created_at'),
          time('updated_at'),
        ],
        indices: [
          { name: 'ux_transfers_request', columnNames: ['service', 'request_id'], isUnique: true },
          { name: 'ix_transfers_state', columnNames: ['state'] },
          { name: 'ix_transfers_seq', columnNames: ['institution', 'bank_code', 'company_id', 'send_date', 'seq_no'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'transfer_events',
        columns: [id, str('transfer_id', 36), str('from_state', 16, true), str('to_state', 16), str('reason', 300), time('at')],
        indices: [{ name: 'ix_transfer_events_transfer', columnNames: ['transfer_id'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'telegrams',
        columns: [id, str('transfer_id', 36, true), str('institution', 32), str('direction', 3), str('message', 64), str('seq_no', 6, true), str('send_date', 10, true), { name: 'raw', type: t.bytes }, time('at')],
        indices: [{ name: 'ix_telegrams_transfer', columnNames: ['transfer_id'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'notices',
        columns: [
          id,
          str('institution', 32),
          str('bank_code', 3),
          str('company_id', 32),
          str('message', 64),
          str('send_date', 10),
          str('seq_no', 6),
          { name: 'fields', type: 'text' },
          { name: 'raw', type: t.bytes },
          str('transfer_id', 36, true),
          time('received_at'),
        ],
      }),
    );
    // A notice is the same notice when the bank numbers it the same: stored once, acknowledged every time.
    await q.createIndex('notices', new TableIndex({ name: 'ux_notices', columnNames: ['institution', 'bank_code', 'company_id', 'message', 'send_date', 'seq_no'], isUnique: true }));
    await q.createTable(
      new Table({
        name: 'sequences',
        columns: [
          { ...str('scope_date', 10), isPrimary: true },
          { ...str('bank_code', 3), isPrimary: true },
          { ...str('company_id', 32), isPrimary: true },
          { name: 'next_value', type: 'int' },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'api_keys',
        columns: [id, str('service', 64), { ...str('key_hash', 64), isUnique: true }, { name: 'max_amount', type: 'bigint' }, time('created_at')],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['api_keys', 'sequences', 'notices', 'telegrams', 'transfer_events', 'transfers']) await q.dropTable(table);
  }
}
