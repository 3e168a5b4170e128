import { Table, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';
import { columnTypes, type DatabaseKind } from '../entities.js';

/**
 * One-won verifications (1원 인증) and the counters of their per-service limits. A verification keeps only
 * keyed hashes of its code and account, and the account masked; its 1 won is the transfer of its service
 * under the request id `onewon-<id>`. Times are written by the store (no defaults).
 */
export class OneWon1764700000000 implements MigrationInterface {
  name = 'OneWon1764700000000';

  async up(q: QueryRunner): Promise<void> {
    const kind: DatabaseKind = q.connection.driver.options.type === 'postgres' ? 'postgres' : 'sqlite';
    const t = columnTypes(kind);
    const str = (name: string, length: number, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable });
    const int = (name: string): TableColumnOptions => ({ name, type: 'integer' });
    const time = (name: string, nullable = false): TableColumnOptions => ({ name, type: t.time, isNullable: nullable });

    await q.createTable(
      new Table({
        name: 'one_won_verifications',
        columns: [
          { ...str('id', 36), isPrimary: true },
          str('service', 64),
          str('request_id', 128),
          str('request_hash', 64),
          str('bank_code', 3),
          // HMAC-SHA256 (hex) of the bank and account: what the per-account limit counts
          str('account_key', 64),
          str('account_masked', 32),
          str('code_kind', 8),
          // HMAC-SHA256 (hex) of the code, bound to the id: never the code
          str('code_hash', 64),
          str('state', 16),
          int('attempts'),
          int('max_attempts'),
          str('failure_code', 8, true),
          str('failure_message', 200, true),
          time('created_at'),
          time('expires_at'),
          time('settled_at', true),
        ],
        indices: [
          // a service's request id names one verification
          { name: 'ux_one_won_request', columnNames: ['service', 'request_id'], isUnique: true },
          // an account's starts in the last hour (the per-account limit)
          { name: 'ix_one_won_account', columnNames: ['account_key', 'created_at'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'one_won_counters',
        // one row per limit and service (`perServicePerDay:payroll`): the current window and the starts in it
        columns: [{ ...str('bucket', 100), isPrimary: true }, { name: 'window_start', type: 'bigint' }, int('n')],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['one_won_counters', 'one_won_verifications']) await q.dropTable(table);
  }
}
