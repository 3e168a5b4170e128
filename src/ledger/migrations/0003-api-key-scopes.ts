import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes, type DatabaseKind } from '../entities.js';

/**
 * API keys get a name, permissions and an end: `key_id` (the first 12 hex digits of the key's hash, so
 * keys that exist already get one too, and whoever holds a key can work out its id), `scopes` (keys made
 * before this migration keep what they could do: transfers and verifications, not the parent account),
 * and `revoked_at`.
 */
export class ApiKeyScopes1764200000000 implements MigrationInterface {
  name = 'ApiKeyScopes1764200000000';

  async up(q: QueryRunner): Promise<void> {
    const kind: DatabaseKind = q.connection.driver.options.type === 'postgres' ? 'postgres' : 'sqlite';
    const keyId = new TableColumn({ name: 'key_id', type: 'varchar', length: '16', isNullable: true });
    await q.addColumn('api_keys', keyId);
    await q.addColumn('api_keys', new TableColumn({ name: 'scopes', type: 'varchar', length: '200', default: "'transfers,verifications'" }));
    await q.addColumn('api_keys', new TableColumn({ name: 'revoked_at', type: columnTypes(kind).time, isNullable: true }));
    await q.query('UPDATE api_keys SET key_id = substr(key_hash, 1, 12)');
    // Filled for every row above; from now on every key has one.
    await q.changeColumn('api_keys', keyId, new TableColumn({ name: 'key_id', type: 'varchar', length: '16', isNullable: false }));
    await q.createIndex('api_keys', new TableIndex({ name: 'ux_api_keys_key_id', columnNames: ['key_id'], isUnique: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('api_keys', 'ux_api_keys_key_id');
    for (const column of ['revoked_at', 'scopes', 'key_id']) await q.dropColumn('api_keys', column);
  }
}
