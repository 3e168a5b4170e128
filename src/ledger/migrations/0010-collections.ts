import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Collections (집금, 2000/200) live beside transfers in `transfers`: the same states, claim, inquiries,
 * kept telegrams, events and reconciliation. `kind` tells them apart; `consent_id` names the payer's
 * consent (migration 0009), which must still be `registered` when a collection is claimed, and
 * `payer_number` (납부자번호) goes into its telegram.
 */
export class Collections1764900000000 implements MigrationInterface {
  name = 'Collections1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('transfers', new TableColumn({ name: 'kind', type: 'varchar', length: '16', default: "'transfer'" }));
    await q.addColumn('transfers', new TableColumn({ name: 'consent_id', type: 'varchar', length: '36', isNullable: true }));
    await q.addColumn('transfers', new TableColumn({ name: 'payer_number', type: 'varchar', length: '20', isNullable: true }));
    await q.createIndex('transfers', new TableIndex({ name: 'ix_transfers_consent', columnNames: ['consent_id', 'state'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('transfers', 'ix_transfers_consent');
    await q.dropColumn('transfers', 'payer_number');
    await q.dropColumn('transfers', 'consent_id');
    await q.dropColumn('transfers', 'kind');
  }
}
