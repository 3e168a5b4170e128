import { Table, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';
import { columnTypes, type DatabaseKind } from '../entities.js';

/**
 * The operators' console: `operators` (accounts; the password as an scrypt hash, never in clear),
 * `operator_sessions` (keyed by the SHA-256 of the session token: the token itself is never stored, so
 * a copy of the table logs nobody in) and `audit_log`, append-only: triggers refuse every UPDATE and
 * DELETE, whoever asks, so not even a bug in our own code can rewrite what an operator did. Times are
 * written by the stores (no defaults).
 */
export class Operators1765000000000 implements MigrationInterface {
  name = 'Operators1765000000000';

  async up(q: QueryRunner): Promise<void> {
    const kind: DatabaseKind = q.connection.driver.options.type === 'postgres' ? 'postgres' : 'sqlite';
    const t = columnTypes(kind);
    const str = (name: string, length: number, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable });
    const int = (name: string): TableColumnOptions => ({ name, type: 'integer' });
    const bool = (name: string): TableColumnOptions => ({ name, type: 'boolean' });
    const time = (name: string, nullable = false): TableColumnOptions => ({ name, type: t.time, isNullable: nullable });
    const text = (name: string): TableColumnOptions => ({ name, type: 'text', isNullable: true });
    const id: TableColumnOptions = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' };

    await q.createTable(
      new Table({
        name: 'operators',
        columns: [
          id,
          // OPERATOR_NAME (src/domain/operator.ts): at most 64 characters
          str('name', 64),
          str('role', 16),
          bool('can_unmask'),
          // scrypt$N$r$p$salt$hash (src/admin/password.ts): about 140 characters with the defaults
          str('password_hash', 300),
          bool('must_change_password'),
          bool('disabled'),
          int('failed_logins'),
          time('locked_until', true),
          time('created_at'),
          time('last_login_at', true),
          time('password_changed_at'),
        ],
        indices: [{ name: 'ux_operators_name', columnNames: ['name'], isUnique: true }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'operator_sessions',
        columns: [
          // SHA-256 (hex) of the session token
          { ...str('token_hash', 64), isPrimary: true },
          int('operator_id'),
          str('csrf_token', 64),
          time('created_at'),
          time('last_seen_at'),
          time('expires_at'),
        ],
        // an operator's sessions, ended together (password change, disabling, lower role)
        indices: [{ name: 'ix_operator_sessions_operator', columnNames: ['operator_id'] }],
        foreignKeys: [{ name: 'fk_operator_sessions_operator', columnNames: ['operator_id'], referencedTableName: 'operators', referencedColumnNames: ['id'], onDelete: 'CASCADE' }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'audit_log',
        columns: [
          id,
          time('at'),
          // an operator's name, or cli:<os user>
          str('actor', 100),
          str('action', 64),
          str('target', 200, true),
          text('before_json'),
          text('after_json'),
          str('reason', 500, true),
          str('request_id', 128, true),
        ],
        // one actor's or one action's entries, newest first (keyset on id)
        indices: [
          { name: 'ix_audit_log_actor', columnNames: ['actor', 'id'] },
          { name: 'ix_audit_log_action', columnNames: ['action', 'id'] },
        ],
      }),
    );
    if (kind === 'postgres') {
      await q.query(`CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$`);
      await q.query('CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()');
      // TRUNCATE fires no row trigger: it needs a statement trigger of its own.
      await q.query('CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()');
    } else {
      // SQLite skips its truncate shortcut for a table with triggers, so a bare DELETE is refused too.
      await q.query(`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END`);
      await q.query(`CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    // Dropping a table drops its triggers (and, on SQLite, fires none of them).
    for (const table of ['audit_log', 'operator_sessions', 'operators']) await q.dropTable(table);
    if (q.connection.driver.options.type === 'postgres') await q.query('DROP FUNCTION IF EXISTS audit_log_append_only()');
  }
}
