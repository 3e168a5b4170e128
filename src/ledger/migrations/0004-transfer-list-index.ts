import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The order transfers are listed in, page after page (src/ledger/transfer-list.ts): (created_at, id).
 * Each page starts where the last one ended by seeking in this index, so a page deep in the table costs
 * what the first one does.
 */
export class TransferListIndex1764300000000 implements MigrationInterface {
  name = 'TransferListIndex1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex('transfers', new TableIndex({ name: 'ix_transfers_created_id', columnNames: ['created_at', 'id'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('transfers', 'ix_transfers_created_id');
  }
}
