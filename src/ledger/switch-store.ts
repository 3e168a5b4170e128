import type { DataSource, EntityManager } from 'typeorm';
import { checkSwitchName, isSwitchState, switchKey, type SwitchChange, type SwitchName, type SwitchSetting, type SwitchState } from '../domain/switches.js';
import { ValidationError } from '../flows/validation-error.js';
import { SwitchConflictError } from './switch-conflict-error.js';
import { Sql, readTime } from './sql.js';
import { inTransaction } from './writes.js';

/** Which audit rows {@link SwitchStore.changes} returns: one switch's, one scope's, one flow's or all. */
export interface SwitchChangeFilter {
  readonly scope?: string;
  readonly flow?: SwitchName['flow'];
  /** At most this many, 1 to {@link MAX_CHANGES}. */
  readonly limit: number;
}

/** The most audit rows one call returns. */
export const MAX_CHANGES = 1_000;

/** The widths of the audit columns (migration 0007): longer text is refused, never cut. */
const BY_CHARS = 64;
const REASON_CHARS = 500;

/**
 * The runtime switches as the database keeps them, and the audit of every change.
 *
 * Versions are one sequence across all switches, not a count per switch: each set gives its switch the
 * highest version of any switch plus one. A switch's version still changes with every set of it (what
 * `expectedVersion` compares), and the highest version ({@link version}) moves with every set of any
 * switch, so one number read, or broadcast, tells a process whether its copy is current. (Counted per
 * switch, setting one that is behind another would not move the highest.) For that the sets are taken
 * one at a time: a set locks the table first, so versions follow commit order with no gaps, and the
 * first set of a switch cannot race another into a duplicate row as it could under a row lock alone.
 */
export class SwitchStore {
  private readonly sql: Sql;

  /** @param now the clock that stamps changes (tests pass their own). */
  constructor(
    private readonly ds: DataSource,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.sql = new Sql(ds);
  }

  /** Every switch ever set (a switch not listed is on), by scope then flow. */
  async list(): Promise<SwitchSetting[]> {
    const rows = await this.sql.rows(this.ds, 'SELECT * FROM switches ORDER BY scope, flow', []);
    return rows.map(settingFromRow);
  }

  /** One switch as last set, or null when it never was (it is on). */
  async get(name: SwitchName): Promise<SwitchSetting | null> {
    const rows = await this.sql.rows(this.ds, 'SELECT * FROM switches WHERE scope = $1 AND flow = $2', [name.scope, name.flow]);
    return rows[0] ? settingFromRow(rows[0]) : null;
  }

  /**
   * Sets a switch and audits it, in one transaction: the switch's row takes the next version and an audit
   * row says who, when, from what, to what and why. Setting a switch to the state it already has is
   * still written and audited, with a new version: an operator said it, and why, and that is on record.
   *
   * @param expectedVersion the version the operator saw (0: never set); when given and the switch is at
   *   another, nothing is changed.
   * @throws SwitchNameError `FB_SWITCH_INVALID` for a name no switch can have.
   * @throws ValidationError `FB_VALIDATION` naming `state`, `by`, `reason` or `expectedVersion`.
   * @throws SwitchConflictError `FB_SWITCH_CONFLICT` when the switch is not at `expectedVersion`.
   */
  async set(name: SwitchName, state: SwitchState, by: string, reason: string, expectedVersion?: number): Promise<SwitchSetting> {
    const { scope, flow } = checkSwitchName(name);
    if (!isSwitchState(state)) throw new ValidationError('state', `${JSON.stringify(state)} is not a switch state: on, hold or off`);
    const changedBy = required('by', by, BY_CHARS, 'who changes the switch');
    const why = required('reason', reason, REASON_CHARS, 'why the switch is changed, for the audit');
    if (expectedVersion !== undefined && !(Number.isSafeInteger(expectedVersion) && expectedVersion >= 0)) {
      throw new ValidationError('expectedVersion', 'must be a whole number, 0 or more (0: never set)');
    }
    return inTransaction(this.ds, async (m) => {
      await this.writersOneAtATime(m);
      const current = (await this.sql.rows(m, 'SELECT state, version FROM switches WHERE scope = $1 AND flow = $2', [scope, flow]))[0];
      const from: SwitchState = current ? stateOf(current['state']) : 'on';
      const was = current ? Number(current['version']) : 0;
      if (expectedVersion !== undefined && expectedVersion !== was) throw new SwitchConflictError(switchKey({ scope, flow }), expectedVersion, was);
      const version = (await this.highest(m)) + 1;
      const changedAt = this.now();
      if (current) {
        await this.sql.rows(m, 'UPDATE switches SET state = $1, version = $2, changed_at = $3, changed_by = $4, reason = $5 WHERE scope = $6 AND flow = $7', [
          state,
          version,
          changedAt,
          changedBy,
          why,
          scope,
          flow,
        ]);
      } else {
        await this.sql.rows(m, 'INSERT INTO switches (scope, flow, state, version, changed_at, changed_by, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
          scope,
          flow,
          state,
          version,
          changedAt,
          changedBy,
          why,
        ]);
      }
      await this.sql.rows(
        m,
        'INSERT INTO switch_changes (scope, flow, from_state, to_state, changed_by, reason, changed_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
        [scope, flow, from, state, changedBy, why, changedAt, version],
      );
      return { scope, flow, state, version, changedAt, changedBy, reason: why };
    });
  }

  /** The audit, newest first: every set of the switches `filter` selects. */
  async changes(filter: SwitchChangeFilter): Promise<SwitchChange[]> {
    if (!Number.isSafeInteger(filter.limit) || filter.limit < 1 || filter.limit > MAX_CHANGES) throw new ValidationError('limit', `must be 1 to ${MAX_CHANGES}`);
    const where: string[] = [];
    const params: unknown[] = [];
    for (const [column, value] of [
      ['scope', filter.scope],
      ['flow', filter.flow],
    ] as const) {
      if (value === undefined) continue;
      params.push(value);
      where.push(`${column} = $${params.length}`);
    }
    const rows = await this.sql.rows(this.ds, `SELECT * FROM switch_changes ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${filter.limit}`, params);
    return rows.map(changeFromRow);
  }

  /** The highest version of any switch (0 before the first set): it moves with every set of any switch. */
  async version(): Promise<number> {
    return this.highest(this.ds);
  }

  private async highest(runner: DataSource | EntityManager): Promise<number> {
    const rows = await this.sql.rows(runner, 'SELECT COALESCE(MAX(version), 0) AS v FROM switches', []);
    return Number(rows[0]?.['v'] ?? 0);
  }

  /**
   * Makes this transaction the only one setting switches until it ends; readers are not held up.
   * PostgreSQL: a table lock that conflicts with itself and with writes (a row lock could not cover a
   * switch that has no row yet). SQLite lets one writer at a time, but a transaction that reads first and
   * writes later fails (SQLITE_BUSY_SNAPSHOT) when another process wrote in between, e.g. the CLI setting
   * a switch while the gateway writes transfers: a write that touches nothing takes the write lock first,
   * waiting its turn (busy_timeout) instead.
   */
  private async writersOneAtATime(m: EntityManager): Promise<void> {
    if (this.sql.postgres) await this.sql.rows(m, 'LOCK TABLE switches IN EXCLUSIVE MODE', []);
    else await this.sql.rows(m, 'UPDATE switches SET version = version WHERE 1 = 0', []);
  }
}

/** `value` trimmed, when it has something to say and fits its column. */
function required(field: string, value: unknown, chars: number, what: string): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') throw new ValidationError(field, `is required: ${what}`);
  if (text.length > chars) throw new ValidationError(field, `is ${text.length} characters long; at most ${chars}`);
  return text;
}

/** A state read back from the database; anything else there is a bug, not an operator's mistake. */
function stateOf(v: unknown): SwitchState {
  if (!isSwitchState(v)) throw new Error(`switches: unknown state ${JSON.stringify(v)} in the database`);
  return v;
}

function settingFromRow(r: Record<string, unknown>): SwitchSetting {
  return {
    scope: String(r['scope']),
    flow: String(r['flow']) as SwitchName['flow'],
    state: stateOf(r['state']),
    version: Number(r['version']),
    changedAt: readTime(r['changed_at']),
    changedBy: String(r['changed_by']),
    reason: String(r['reason']),
  };
}

function changeFromRow(r: Record<string, unknown>): SwitchChange {
  return {
    id: Number(r['id']),
    scope: String(r['scope']),
    flow: String(r['flow']) as SwitchName['flow'],
    from: stateOf(r['from_state']),
    to: stateOf(r['to_state']),
    changedBy: String(r['changed_by']),
    reason: String(r['reason']),
    changedAt: readTime(r['changed_at']),
    version: Number(r['version']),
  };
}
