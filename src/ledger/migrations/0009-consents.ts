import { Table, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';
import { columnTypes, type DatabaseKind } from '../entities.js';

/**
 * ARS withdrawal consents (출금동의) and the registration of payers at the bank: `consents` (the payer's id
 * number and phone sealed; `live_payer_number` unique per institution while a consent is live),
 * `consent_events` (every state change, appended) and `consent_notices` (the bank's 2000/650, kept whether
 * or not it named a consent). Times are written by the store (no defaults).
 */
export class Consents1764800000000 implements MigrationInterface {
  name = 'Consents1764800000000';

  async up(q: QueryRunner): Promise<void> {
    const kind: DatabaseKind = q.connection.driver.options.type === 'postgres' ? 'postgres' : 'sqlite';
    const t = columnTypes(kind);
    const str = (name: string, length: number, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable });
    const time = (name: string, nullable = false): TableColumnOptions => ({ name, type: t.time, isNullable: nullable });
    const text = (name: string): TableColumnOptions => ({ name, type: 'text' });
    const id: TableColumnOptions = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' };

    await q.createTable(
      new Table({
        name: 'consents',
        columns: [
          { ...str('id', 36), isPrimary: true },
          str('service', 64),
          str('request_id', 128),
          str('request_hash', 64),
          str('institution', 32),
          str('payer_number', 20),
          str('live_payer_number', 20, true),
          str('bank_code', 3),
          str('account', 32),
          text('holder_id_no'),
          text('phone'),
          str('phone_masked', 20),
          str('state', 20),
          str('call_id', 200, true),
          str('ars_outcome', 16, true),
          str('recording_id', 200, true),
          str('recording_sha256', 64, true),
          str('recording_location', 1000, true),
          str('record_location', 1000, true),
          str('record_sha256', 64, true),
          time('confirmed_at', true),
          str('consent_type', 1, true),
          str('claim_token', 36, true),
          str('seq_no', 6, true),
          str('send_date', 10, true),
          str('application_date', 10, true),
          { name: 'bank_attempts', type: 'integer' },
          str('response_code', 8, true),
          str('response_message', 200, true),
          time('registered_at', true),
          time('withdraw_requested_at', true),
          time('ended_at', true),
          time('retain_until', true),
          { name: 'needs_operator', type: 'boolean' },
          time('created_at'),
          time('updated_at'),
        ],
        indices: [
          // idempotency: the same request id of a service is the same consent
          { name: 'ux_consents_request', columnNames: ['service', 'request_id'], isUnique: true },
          // one live consent per payer number (NULL, once it ended, is never equal to another NULL)
          { name: 'ux_consents_live_payer', columnNames: ['institution', 'live_payer_number'], isUnique: true },
          // what a sweep picks up
          { name: 'ix_consents_state', columnNames: ['institution', 'state', 'updated_at'] },
          // the evidence export's date range
          { name: 'ix_consents_confirmed', columnNames: ['confirmed_at'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'consent_events',
        columns: [id, str('consent_id', 36), str('from_state', 20, true), str('to_state', 20), str('reason', 300), time('at')],
        indices: [{ name: 'ix_consent_events_consent', columnNames: ['consent_id'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'consent_notices',
        columns: [
          id,
          str('institution', 32),
          str('bank_code', 3),
          str('company_id', 32),
          str('message', 64),
          str('send_date', 10),
          str('seq_no', 6),
          str('payer_number', 20),
          { name: 'cancels', type: 'boolean' },
          str('consent_id', 36, true),
          text('fields'),
          { name: 'raw', type: t.bytes },
          time('received_at'),
        ],
        indices: [
          { name: 'ux_consent_notices', columnNames: ['institution', 'bank_code', 'company_id', 'message', 'send_date', 'seq_no'], isUnique: true },
          { name: 'ix_consent_notices_payer', columnNames: ['institution', 'payer_number'] },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['consent_notices', 'consent_events', 'consents']) await q.dropTable(table);
  }
}
