import type { DataSource, EntityManager } from 'typeorm';
import type {
  NewOneWonVerification,
  OneWonCodeKind,
  OneWonFailure,
  OneWonLimitName,
  OneWonLimits,
  OneWonOpening,
  OneWonStore as OneWonStorePort,
  OneWonStoredState,
  OneWonVerification,
} from '../flows/one-won-ports.js';
import { Sql, readTime, timeOrNull } from './sql.js';
import { inTransaction } from './writes.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Korea Standard Time, UTC+9 all year: a service's day is a Korean day. */
const KST_OFFSET_MS = 9 * HOUR_MS;

/** The first key of PostgreSQL's two-key advisory locks that serialise starts on one account (any number, the same in every process). */
const ACCOUNT_LOCK_CLASS = 0x1_0e0e;

const COLUMNS = [
  'id', 'service', 'request_id', 'request_hash', 'bank_code', 'account_key', 'account_masked', 'code_kind', 'code_hash',
  'state', 'attempts', 'max_attempts', 'created_at', 'expires_at',
] as const;

/** Raised inside the opening transaction to roll it back: a limit said no. */
class Refusal {
  constructor(
    readonly limit: OneWonLimitName,
    readonly retryInMs: number,
  ) {}
}

/** Raised inside the opening transaction to roll it back: the request id is taken. */
class Taken {}

/** The per-service limits kept as counters, each over a fixed window. */
interface CounterLimit {
  readonly limit: Extract<OneWonLimitName, 'perServicePerDay' | 'perServicePerSecond'>;
  readonly window: (at: Date) => number;
  /** Until the next window opens. */
  readonly retryInMs: (at: Date) => number;
}

const COUNTERS: readonly CounterLimit[] = [
  { limit: 'perServicePerDay', window: (at) => Math.floor((at.getTime() + KST_OFFSET_MS) / DAY_MS), retryInMs: (at) => DAY_MS - ((at.getTime() + KST_OFFSET_MS) % DAY_MS) },
  { limit: 'perServicePerSecond', window: (at) => Math.floor(at.getTime() / 1_000), retryInMs: (at) => 1_000 - (at.getTime() % 1_000) },
];

/**
 * One-won verifications and their limits, on PostgreSQL and SQLite.
 *
 * Limits hold across gateway processes because each is decided inside the transaction that keeps the
 * verification, against what other processes committed:
 * - per account per hour: a rolling hour. Starts on one account are serialised (PostgreSQL: an advisory
 *   lock on the account's key; SQLite: its one writer), then the account's verifications of the last hour
 *   are counted, and the new one is inserted before the lock is let go.
 * - per service per day (KST) and per second: a counter row per limit and service holding the current
 *   window and its count, taken by `INSERT … ON CONFLICT DO UPDATE SET n = n + 1 … WHERE n < limit
 *   RETURNING n` — a row comes back only when the count was under the limit, and the row lock orders
 *   concurrent takers. One row per service (the window moves in it), so nothing grows.
 * A refusal rolls the transaction back: a start refused by one limit takes nothing from the others.
 *
 * The per-second limit is counted here rather than in Redis for that reason: in the same transaction,
 * a refusal by any limit gives back the others, and one technology decides them all.
 */
export class OneWonStore implements OneWonStorePort {
  private readonly sql: Sql;

  constructor(private readonly ds: DataSource) {
    this.sql = new Sql(ds);
  }

  /** @inheritdoc */
  async open(v: NewOneWonVerification, limits: OneWonLimits): Promise<OneWonOpening> {
    try {
      await inTransaction(this.ds, (m) => (this.sql.postgres ? this.openOnPostgres(m, v, limits) : this.openOnSqlite(m, v, limits)));
      return { kind: 'created', verification: { ...v, state: 'open', attempts: 0, failure: null, settledAt: null } };
    } catch (e) {
      if (e instanceof Refusal) return { kind: 'refused', limit: e.limit, retryInMs: e.retryInMs };
      if (!(e instanceof Taken)) throw e;
    }
    // A start asked again finds its verification, whatever the limits say now.
    const existing = await this.byRequest(this.ds, v.service, v.requestId);
    if (!existing) throw new Error(`one-won: request id ${v.requestId} of ${v.service} is taken but not found`);
    return { kind: 'existing', verification: existing };
  }

  /**
   * Two statements in the transaction. The advisory lock serialises starts on the account; the second
   * statement, whose snapshot is taken once the lock is held (so it sees every start committed before),
   * counts the account's last hour, inserts the verification if that allows, and takes the service's
   * counters — whose rows stay locked for that one statement and the commit, which is what bounds a
   * service's starts per second.
   */
  private async openOnPostgres(m: EntityManager, v: NewOneWonVerification, limits: OneWonLimits): Promise<void> {
    await this.sql.rows(m, 'SELECT pg_advisory_xact_lock($1, $2)', [ACCOUNT_LOCK_CLASS, Number.parseInt(v.accountKey.slice(0, 8), 16) | 0]);
    const values = this.rowValues(v);
    const types = ['VARCHAR', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'INTEGER', 'INTEGER', 'TIMESTAMPTZ', 'TIMESTAMPTZ'];
    const params: unknown[] = [...values, v.accountKey, hourAgo(v), limits.perAccountPerHour];
    const [key, since, perAccount] = [values.length + 1, values.length + 2, values.length + 3];
    const [day, second] = COUNTERS.map((c) => {
      const at = params.length + 1;
      params.push(...counterParams(c, v, limits));
      return counterUpsert(at);
    });
    const [row] = await this.sql.rows(
      m,
      `WITH c AS (SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM one_won_verifications WHERE account_key = $${key} AND created_at > $${since}),
       v AS (INSERT INTO one_won_verifications (${COLUMNS.join(', ')})
             SELECT ${types.map((t, i) => `CAST($${i + 1} AS ${t})`).join(', ')} WHERE (SELECT n FROM c) < $${perAccount}
             ON CONFLICT (service, request_id) DO NOTHING RETURNING id),
       d AS (${day}), s AS (${second})
       SELECT (SELECT n FROM c) AS recent, (SELECT oldest FROM c) AS oldest, (SELECT COUNT(*) FROM v) AS v, (SELECT COUNT(*) FROM d) AS d, (SELECT COUNT(*) FROM s) AS s`,
      params,
    );
    if (!row) throw new Error('one-won: the opening statement returned nothing');
    if (Number(row['recent']) >= limits.perAccountPerHour) await this.refuseAccount(m, v, row['oldest']);
    if (Number(row['v']) !== 1) throw new Taken();
    this.refuseIfNot(v, [Number(row['d']) === 1, Number(row['s']) === 1]);
  }

  /**
   * One statement at a time (SQLite has one writer, taken by the first statement: a transaction that
   * reads, then writes, fails when another process wrote in between).
   */
  private async openOnSqlite(m: EntityManager, v: NewOneWonVerification, limits: OneWonLimits): Promise<void> {
    await this.sql.rows(m, 'UPDATE one_won_counters SET n = n WHERE 1 = 0', []);
    const [recent] = await this.sql.rows(m, 'SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM one_won_verifications WHERE account_key = $1 AND created_at > $2', [v.accountKey, hourAgo(v)]);
    if (Number(recent?.['n'] ?? 0) >= limits.perAccountPerHour) await this.refuseAccount(m, v, recent?.['oldest']);
    const insert = `INSERT INTO one_won_verifications (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT (service, request_id) DO NOTHING RETURNING id`;
    if ((await this.sql.rows(m, insert, this.rowValues(v))).length !== 1) throw new Taken();
    const taken: boolean[] = [];
    for (const c of COUNTERS) {
      taken.push((await this.sql.rows(m, counterUpsert(1), counterParams(c, v, limits))).length === 1);
      if (!taken.at(-1)) break;
    }
    this.refuseIfNot(v, taken);
  }

  /** The account's hour is full: refused — unless this very request was kept meanwhile (by another process). */
  private async refuseAccount(m: EntityManager, v: NewOneWonVerification, oldest: unknown): Promise<never> {
    if (await this.byRequest(m, v.service, v.requestId)) throw new Taken();
    const since = oldest === null || oldest === undefined ? v.createdAt.getTime() : readTime(oldest).getTime();
    throw new Refusal('perAccountPerHour', Math.max(1, since + HOUR_MS - v.createdAt.getTime()));
  }

  /** Throws the refusal of the first counter not taken (`taken[i]` for COUNTERS[i]). */
  private refuseIfNot(v: NewOneWonVerification, taken: readonly boolean[]): void {
    const refused = COUNTERS.findIndex((_, i) => taken[i] !== true);
    if (refused >= 0) throw new Refusal(COUNTERS[refused]!.limit, COUNTERS[refused]!.retryInMs(v.createdAt));
  }

  private rowValues(v: NewOneWonVerification): unknown[] {
    return [v.id, v.service, v.requestId, v.requestHash, v.bankCode, v.accountKey, v.accountMasked, v.codeKind, v.codeHash, 'open', 0, v.maxAttempts, v.createdAt, v.expiresAt];
  }

  /** @inheritdoc */
  async get(id: string): Promise<OneWonVerification | null> {
    const rows = await this.sql.rows(this.ds, 'SELECT * FROM one_won_verifications WHERE id = $1', [id]);
    return rows[0] ? oneWonFromRow(rows[0]) : null;
  }

  private async byRequest(runner: DataSource | EntityManager, service: string, requestId: string): Promise<OneWonVerification | null> {
    const rows = await this.sql.rows(runner, 'SELECT * FROM one_won_verifications WHERE service = $1 AND request_id = $2', [service, requestId]);
    return rows[0] ? oneWonFromRow(rows[0]) : null;
  }

  /** @inheritdoc */
  verify(id: string, now: Date): Promise<OneWonVerification | null> {
    return this.moved(
      `UPDATE one_won_verifications SET state = 'verified', settled_at = $2
       WHERE id = $1 AND state = 'open' AND attempts < max_attempts AND expires_at > $2 RETURNING *`,
      [id, now],
    );
  }

  /** @inheritdoc */
  miss(id: string, now: Date): Promise<OneWonVerification | null> {
    // Both databases read the old `attempts` on the right of every SET: the count and the lock agree.
    return this.moved(
      `UPDATE one_won_verifications SET attempts = attempts + 1,
         state = CASE WHEN attempts + 1 >= max_attempts THEN 'locked' ELSE 'open' END,
         settled_at = CASE WHEN attempts + 1 >= max_attempts THEN $2 ELSE NULL END
       WHERE id = $1 AND state = 'open' AND attempts < max_attempts AND expires_at > $2 RETURNING *`,
      [id, now],
    );
  }

  /** @inheritdoc */
  fail(id: string, failure: OneWonFailure, now: Date): Promise<OneWonVerification | null> {
    return this.moved(
      `UPDATE one_won_verifications SET state = 'failed', failure_code = $2, failure_message = $3, settled_at = $4 WHERE id = $1 AND state = 'open' RETURNING *`,
      [id, failure.code?.slice(0, 8) ?? null, failure.message.slice(0, 200), now],
    );
  }

  /** @inheritdoc */
  expire(id: string, now: Date): Promise<OneWonVerification | null> {
    return this.moved(`UPDATE one_won_verifications SET state = 'expired', settled_at = $2 WHERE id = $1 AND state = 'open' AND expires_at <= $2 RETURNING *`, [id, now]);
  }

  /** @inheritdoc */
  async abandon(id: string): Promise<void> {
    await inTransaction(this.ds, async (m) => {
      const [row] = await this.sql.rows(m, 'DELETE FROM one_won_verifications WHERE id = $1 RETURNING service, created_at', [id]);
      if (!row) return;
      const createdAt = readTime(row['created_at']);
      for (const c of COUNTERS) {
        await this.sql.rows(m, 'UPDATE one_won_counters SET n = n - 1 WHERE bucket = $1 AND window_start = $2 AND n > 0', [`${c.limit}:${String(row['service'])}`, c.window(createdAt)]);
      }
    });
  }

  private async moved(text: string, params: unknown[]): Promise<OneWonVerification | null> {
    const rows = await this.write(text, params);
    return rows[0] ? oneWonFromRow(rows[0]) : null;
  }

  /** A write on its own: one statement on PostgreSQL; on SQLite, in its turn among the transactions. */
  private write(text: string, params: unknown[]): Promise<Record<string, unknown>[]> {
    if (this.sql.postgres) return this.sql.rows(this.ds, text, params);
    return inTransaction(this.ds, (m) => this.sql.rows(m, text, params));
  }
}

/** The start of the rolling hour the per-account limit counts. */
function hourAgo(v: NewOneWonVerification): Date {
  return new Date(v.createdAt.getTime() - HOUR_MS);
}

/**
 * Takes one start from a counter at `$at` (bucket), `$at+1` (window), `$at+2` (limit): a row comes back
 * only when it was under the limit. A process whose clock is behind counts into the window already open:
 * a window never goes back.
 */
function counterUpsert(at: number): string {
  return `INSERT INTO one_won_counters (bucket, window_start, n) VALUES ($${at}, $${at + 1}, 1)
    ON CONFLICT (bucket) DO UPDATE SET
      n = CASE WHEN one_won_counters.window_start >= excluded.window_start THEN one_won_counters.n + 1 ELSE 1 END,
      window_start = CASE WHEN one_won_counters.window_start >= excluded.window_start THEN one_won_counters.window_start ELSE excluded.window_start END
    WHERE one_won_counters.window_start < excluded.window_start OR one_won_counters.n < $${at + 2}
    RETURNING n`;
}

function counterParams(c: CounterLimit, v: NewOneWonVerification, limits: OneWonLimits): unknown[] {
  return [`${c.limit}:${v.service}`, c.window(v.createdAt), limits[c.limit]];
}

/** A `one_won_verifications` row as the domain sees it. */
export function oneWonFromRow(r: Record<string, unknown>): OneWonVerification {
  const failureMessage = r['failure_message'];
  return {
    id: String(r['id']),
    service: String(r['service']),
    requestId: String(r['request_id']),
    requestHash: String(r['request_hash']),
    bankCode: String(r['bank_code']),
    accountKey: String(r['account_key']),
    accountMasked: String(r['account_masked']),
    codeKind: String(r['code_kind']) as OneWonCodeKind,
    codeHash: String(r['code_hash']),
    state: String(r['state']) as OneWonStoredState,
    attempts: Number(r['attempts']),
    maxAttempts: Number(r['max_attempts']),
    failure: failureMessage === null || failureMessage === undefined ? null : { code: r['failure_code'] === null ? null : String(r['failure_code']), message: String(failureMessage) },
    createdAt: readTime(r['created_at']),
    expiresAt: readTime(r['expires_at']),
    settledAt: timeOrNull(r['settled_at']),
  };
}
