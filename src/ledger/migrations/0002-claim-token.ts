import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A worker's claim on a transfer it is sending. The telegram is kept (and then written) only if the claim
 * is still the worker's own, so a worker that was given up for dead can never send after another took over.
 */
export class ClaimToken1764100000000 implements MigrationInterface {
  name = 'ClaimToken1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('transfers', new TableColumn({ name: 'claim_token', type: 'varchar', length: '36', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('transfers', 'claim_token');
  }
}
