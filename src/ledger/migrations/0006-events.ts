import { Table, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';
import { columnTypes, type DatabaseKind } from '../entities.js';

/**
 * Events for the calling services: the outbox (`events`, written in the same transaction as each change,
 * numbered afterwards in commit order), webhook endpoints (secrets sealed) and their deliveries.
 */
export class Events1764500000000 implements MigrationInterface {
  name = 'Events1764500000000';

  async up(q: QueryRunner): Promise<void> {
    const kind: DatabaseKind = q.connection.driver.options.type === 'postgres' ? 'postgres' : 'sqlite';
    const t = columnTypes(kind);
    const str = (name: string, length: number, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable });
    const int = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'integer', isNullable: nullable });
    const time = (name: string, nullable = false): TableColumnOptions => ({ name, type: t.time, isNullable: nullable });
    const id: TableColumnOptions = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' };

    await q.createTable(
      new Table({
        name: 'events',
        columns: [id, str('service', 64), str('type', 40), str('aggregate', 64), { name: 'payload', type: 'text' }, int('position', true), time('occurred_at')],
        indices: [
          // gap-free, unique once given; NULL (not numbered yet) for many rows at once
          { name: 'ux_events_position', columnNames: ['position'], isUnique: true },
          { name: 'ix_events_service_position', columnNames: ['service', 'position'] },
          { name: 'ix_events_aggregate', columnNames: ['aggregate'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'webhook_endpoints',
        columns: [
          id,
          str('service', 64),
          str('url', 2048),
          str('types', 300),
          { name: 'secret', type: 'text' },
          { name: 'previous_secret', type: 'text', isNullable: true },
          time('previous_until', true),
          // the position up to which events were fanned out to it (new endpoints start at the present)
          int('cursor'),
          time('created_at'),
          time('disabled_at', true),
        ],
        indices: [{ name: 'ix_webhook_endpoints_service', columnNames: ['service'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'webhook_deliveries',
        columns: [
          id,
          int('endpoint_id'),
          int('event_id'),
          int('position'),
          str('aggregate', 64),
          str('status', 16),
          int('attempts'),
          time('first_at'),
          time('next_at'),
          time('claimed_until', true),
          int('last_status', true),
          str('last_error', 300, true),
          time('delivered_at', true),
        ],
        indices: [
          { name: 'ux_webhook_deliveries', columnNames: ['endpoint_id', 'event_id'], isUnique: true },
          { name: 'ix_webhook_deliveries_due', columnNames: ['status', 'next_at'] },
          { name: 'ix_webhook_deliveries_lane', columnNames: ['endpoint_id', 'aggregate', 'position'] },
          // attempts under way per endpoint, counted at every claim
          { name: 'ix_webhook_deliveries_claimed', columnNames: ['endpoint_id', 'claimed_until'] },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['webhook_deliveries', 'webhook_endpoints', 'events']) await q.dropTable(table);
  }
}
