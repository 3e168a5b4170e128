import type { DataSource } from 'typeorm';
import { ROLES, type Operator, type Role } from '../domain/operator.js';
import { isUniqueViolation } from './db-errors.js';
import { Sql, readTime, timeOrNull } from './sql.js';
import { inTransaction } from './writes.js';

/** An operator as first written: the password already hashed (src/admin/password.ts). */
export interface NewOperator {
  readonly name: string;
  readonly role: Role;
  readonly canUnmask: boolean;
  readonly passwordHash: string;
  readonly mustChangePassword: boolean;
  readonly createdAt: Date;
}

/** The columns {@link OperatorStore.update} may change; what is left out stays as it is. */
export interface OperatorPatch {
  readonly role?: Role;
  readonly canUnmask?: boolean;
  readonly disabled?: boolean;
  readonly mustChangePassword?: boolean;
  /** Give with `passwordChangedAt`. */
  readonly passwordHash?: string;
  readonly passwordChangedAt?: Date;
  readonly failedLogins?: number;
  readonly lockedUntil?: Date | null;
  readonly lastLoginAt?: Date | null;
}

/** What logging in needs to know of an operator, the password hash included: it stays with the login code. */
export interface OperatorCredentials {
  readonly operator: Operator;
  readonly passwordHash: string;
  /** Failed logins in a row since the last success or lock. */
  readonly failedLogins: number;
}

/** A session as stored: under the hash of its token, never the token. */
export interface StoredSession {
  /** SHA-256 (hex) of the session token. */
  readonly tokenHash: string;
  readonly operatorId: number;
  readonly csrfToken: string;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  /** The absolute end, however busy the session is. */
  readonly expiresAt: Date;
}

/** Column of each patchable field. */
const COLUMNS: { readonly [K in keyof Required<OperatorPatch>]: string } = {
  role: 'role',
  canUnmask: 'can_unmask',
  disabled: 'disabled',
  mustChangePassword: 'must_change_password',
  passwordHash: 'password_hash',
  passwordChangedAt: 'password_changed_at',
  failedLogins: 'failed_logins',
  lockedUntil: 'locked_until',
  lastLoginAt: 'last_login_at',
};

/**
 * The operators' accounts and their console sessions, as rows (migration 0011). Rules (who may log in,
 * when a session ends) are OperatorAuth's (src/admin/operator-auth.ts); this only reads and writes. The
 * password hash leaves this file only through {@link credentials} and {@link credentialsById}.
 */
export class OperatorStore {
  private readonly sql: Sql;

  constructor(private readonly ds: DataSource) {
    this.sql = new Sql(ds);
  }

  /** Writes a new operator; null when the name is taken. */
  async create(o: NewOperator): Promise<Operator | null> {
    try {
      const rows = await inTransaction(this.ds, (m) =>
        this.sql.rows(
          m,
          `INSERT INTO operators (name, role, can_unmask, password_hash, must_change_password, disabled, failed_logins, locked_until, created_at, last_login_at, password_changed_at)
           VALUES ($1, $2, $3, $4, $5, $6, 0, NULL, $7, NULL, $7) RETURNING *`,
          [o.name, o.role, o.canUnmask, o.passwordHash, o.mustChangePassword, false, o.createdAt],
        ),
      );
      return operatorFromRow(rows[0]!);
    } catch (e) {
      if (isUniqueViolation(e)) return null;
      throw e;
    }
  }

  /** The operator called `name`, or null. */
  async byName(name: string): Promise<Operator | null> {
    const rows = await this.sql.rows(this.ds, 'SELECT * FROM operators WHERE name = $1', [name]);
    return rows[0] ? operatorFromRow(rows[0]) : null;
  }

  /** The operator with id `id`, or null. */
  async byId(id: number): Promise<Operator | null> {
    const rows = await this.sql.rows(this.ds, 'SELECT * FROM operators WHERE id = $1', [id]);
    return rows[0] ? operatorFromRow(rows[0]) : null;
  }

  /** Every operator, disabled ones included, by name. */
  async list(): Promise<Operator[]> {
    const rows = await this.sql.rows(this.ds, 'SELECT * FROM operators ORDER BY name', []);
    return rows.map(operatorFromRow);
  }

  /** The operator called `name` with the password hash and failure count, for logging in; null when unknown. */
  async credentials(name: string): Promise<OperatorCredentials | null> {
    const rows = await this.sql.rows(this.ds, 'SELECT * FROM operators WHERE name = $1', [name]);
    return rows[0] ? credentialsFromRow(rows[0]) : null;
  }

  /** As {@link credentials}, by id (a password change, from a session). */
  async credentialsById(id: number): Promise<OperatorCredentials | null> {
    const rows = await this.sql.rows(this.ds, 'SELECT * FROM operators WHERE id = $1', [id]);
    return rows[0] ? credentialsFromRow(rows[0]) : null;
  }

  /** Changes the fields `patch` names; returns the operator as it now is, or null when there is none with that id. */
  async update(id: number, patch: OperatorPatch): Promise<Operator | null> {
    const sets: string[] = [];
    const params: unknown[] = [];
    for (const [field, column] of Object.entries(COLUMNS) as [keyof OperatorPatch, string][]) {
      if (patch[field] === undefined) continue;
      params.push(patch[field]);
      sets.push(`${column} = $${params.length}`);
    }
    if (sets.length === 0) return this.byId(id);
    params.push(id);
    const rows = await inTransaction(this.ds, (m) => this.sql.rows(m, `UPDATE operators SET ${sets.join(', ')} WHERE id = $${params.length} RETURNING *`, params));
    return rows[0] ? operatorFromRow(rows[0]) : null;
  }

  /**
   * Counts a failed login, in one statement so that failures at the same moment all count. The one that
   * makes `maxFailures` in a row locks the account until `lockUntil` and starts the count again, so that
   * once the lock has passed there are `maxFailures` tries again, not one.
   */
  async recordFailure(id: number, maxFailures: number, lockUntil: Date): Promise<Operator | null> {
    const rows = await inTransaction(this.ds, (m) =>
      this.sql.rows(
        m,
        `UPDATE operators SET
           locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3 ELSE locked_until END,
           failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END
         WHERE id = $1 RETURNING *`,
        [id, maxFailures, lockUntil],
      ),
    );
    return rows[0] ? operatorFromRow(rows[0]) : null;
  }

  /** A successful login: the failure count and any lock cleared, the time noted. */
  async recordSuccess(id: number, at: Date): Promise<Operator | null> {
    return this.update(id, { failedLogins: 0, lockedUntil: null, lastLoginAt: at });
  }

  /** Stores a new session. */
  async insertSession(s: StoredSession): Promise<void> {
    await inTransaction(this.ds, (m) =>
      this.sql.rows(m, 'INSERT INTO operator_sessions (token_hash, operator_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)', [
        s.tokenHash,
        s.operatorId,
        s.csrfToken,
        s.createdAt,
        s.lastSeenAt,
        s.expiresAt,
      ]),
    );
  }

  /** The session stored under `tokenHash`, or null. */
  async getSession(tokenHash: string): Promise<StoredSession | null> {
    const rows = await this.sql.rows(this.ds, 'SELECT * FROM operator_sessions WHERE token_hash = $1', [tokenHash]);
    return rows[0] ? sessionFromRow(rows[0]) : null;
  }

  /** Notes that the session was used at `at`. */
  async touchSession(tokenHash: string, at: Date): Promise<void> {
    await inTransaction(this.ds, (m) => this.sql.rows(m, 'UPDATE operator_sessions SET last_seen_at = $1 WHERE token_hash = $2', [at, tokenHash]));
  }

  /** Ends one session; whether there was one. */
  async deleteSession(tokenHash: string): Promise<boolean> {
    const rows = await inTransaction(this.ds, (m) => this.sql.rows(m, 'DELETE FROM operator_sessions WHERE token_hash = $1 RETURNING token_hash', [tokenHash]));
    return rows.length > 0;
  }

  /** Ends every session of an operator, but the one stored under `exceptTokenHash` if given; how many ended. */
  async deleteAllFor(operatorId: number, exceptTokenHash?: string): Promise<number> {
    const rows = await inTransaction(this.ds, (m) =>
      exceptTokenHash === undefined
        ? this.sql.rows(m, 'DELETE FROM operator_sessions WHERE operator_id = $1 RETURNING token_hash', [operatorId])
        : this.sql.rows(m, 'DELETE FROM operator_sessions WHERE operator_id = $1 AND token_hash <> $2 RETURNING token_hash', [operatorId, exceptTokenHash]),
    );
    return rows.length;
  }

  /**
   * Removes sessions that can no longer be used: past their absolute end, or last seen before `idleSince`.
   * Such sessions are refused anyway; this only keeps the table small. Returns how many went.
   */
  async deleteStaleSessions(now: Date, idleSince: Date): Promise<number> {
    const rows = await inTransaction(this.ds, (m) =>
      this.sql.rows(m, 'DELETE FROM operator_sessions WHERE expires_at <= $1 OR last_seen_at < $2 RETURNING token_hash', [now, idleSince]),
    );
    return rows.length;
  }
}

/** A boolean column as read: pg gives true/false, SQLite 1/0. */
function flag(v: unknown): boolean {
  return v === true || v === 1 || v === '1';
}

/** A role read back from the database; anything else there is a bug, not an operator's mistake. */
function roleOf(v: unknown): Role {
  if (!ROLES.includes(v as Role)) throw new Error(`operators: unknown role ${JSON.stringify(v)} in the database`);
  return v as Role;
}

function operatorFromRow(r: Record<string, unknown>): Operator {
  return {
    id: Number(r['id']),
    name: String(r['name']),
    role: roleOf(r['role']),
    canUnmask: flag(r['can_unmask']),
    disabled: flag(r['disabled']),
    lockedUntil: timeOrNull(r['locked_until']),
    mustChangePassword: flag(r['must_change_password']),
    createdAt: readTime(r['created_at']),
    lastLoginAt: timeOrNull(r['last_login_at']),
  };
}

function credentialsFromRow(r: Record<string, unknown>): OperatorCredentials {
  return { operator: operatorFromRow(r), passwordHash: String(r['password_hash']), failedLogins: Number(r['failed_logins']) };
}

function sessionFromRow(r: Record<string, unknown>): StoredSession {
  return {
    tokenHash: String(r['token_hash']),
    operatorId: Number(r['operator_id']),
    csrfToken: String(r['csrf_token']),
    createdAt: readTime(r['created_at']),
    lastSeenAt: readTime(r['last_seen_at']),
    expiresAt: readTime(r['expires_at']),
  };
}
