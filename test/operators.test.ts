import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OperatorAuth } from '../src/admin/operator-auth.js';
import { checkPasswordStrength, DEFAULT_SCRYPT, hashPassword, oneTimePassword, verifyPassword, type ScryptParams } from '../src/admin/password.js';
import { operatorCommand } from '../src/cli/commands/operator-command.js';
import { AuditStore } from '../src/ledger/audit-store.js';
import { openDatabase } from '../src/ledger/data-source.js';
import { OperatorStore } from '../src/ledger/operator-store.js';
import { freshDatabase } from './helpers/gateway.js';

/** Cheap scrypt for the many logins below; the defaults are tested on their own. */
const FAST: ScryptParams = { N: 2 ** 10, r: 8, p: 1 };
const MIN = 60_000;
const STRONG = 'Correct-horse-42';

/** A clock the test moves by hand. */
class FakeClock {
  private t = Date.parse('2026-12-01T09:00:00.000Z');
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** The error `p` rejects with (the test fails if it resolves). */
async function failure(p: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    return e as Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}

describe('passwords', () => {
  it('hash with the strong defaults, verify the right password only, and never the same hash twice', async () => {
    const stored = await hashPassword('a long enough password 1');
    expect(stored).toMatch(new RegExp(`^scrypt\\$${DEFAULT_SCRYPT.N}\\$8\\$1\\$[A-Za-z0-9+/=]{24}\\$[A-Za-z0-9+/=]{88}$`));
    expect(DEFAULT_SCRYPT).toEqual({ N: 32768, r: 8, p: 1 });
    expect(await verifyPassword('a long enough password 1', stored)).toBe(true);
    expect(await verifyPassword('a long enough password 2', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
    expect(await hashPassword('a long enough password 1')).not.toBe(stored);
    // a stored value that is not ours, or names a cost past the limits, matches nothing
    expect(await verifyPassword('x', 'plain')).toBe(false);
    expect(await verifyPassword('x', stored.replace('$32768$', '$1073741824$'))).toBe(false);
    // cheap hashes verify by the parameters they name
    const fast = await hashPassword('another password 9', FAST);
    expect(fast.startsWith('scrypt$1024$8$1$')).toBe(true);
    expect(await verifyPassword('another password 9', fast)).toBe(true);
  });

  it('one-time passwords are 20 characters of base32, each new', () => {
    const a = oneTimePassword();
    expect(a).toMatch(/^[A-Z2-7]{20}$/);
    expect(oneTimePassword()).not.toBe(a);
  });

  it('a chosen password must be long and not of one kind of character; the error names `next`, never the password', () => {
    for (const weak of ['Short-1', 'alllowercaseletters', '123456789012345']) {
      let caught: unknown;
      try {
        checkPasswordStrength(weak);
      } catch (e) {
        caught = e;
      }
      expect(caught).toMatchObject({ code: 'FB_VALIDATION', field: 'next' });
      expect((caught as Error).message).not.toContain(weak);
    }
    expect(() => checkPasswordStrength(STRONG)).not.toThrow();
    expect(() => checkPasswordStrength('only lower case but long')).not.toThrow(); // the space is a second kind
  });
});

describe.each(['sqlite', 'postgres'] as const)('operators and the audit log (%s)', (kind) => {
  let ds: DataSource;
  let url: string;
  let drop: () => Promise<void> = async () => {};
  let store: OperatorStore;
  let names = 0;

  beforeAll(async () => {
    const db = await freshDatabase(kind);
    url = db.url;
    drop = db.drop;
    ds = await openDatabase({ url });
    store = new OperatorStore(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await drop();
  });

  /** A fresh clock and auth, and a new operator with its one-time password. */
  async function setup(role: 'viewer' | 'operator' | 'admin' = 'operator') {
    const clock = new FakeClock();
    const auth = new OperatorAuth(store, clock, { scrypt: FAST });
    const { operator, oneTimePassword: otp } = await auth.create(`op-${kind}-${++names}`, role, false);
    return { clock, auth, operator, otp };
  }

  it('logs in with the one-time password: a session under a hashed token, must change the password', async () => {
    const { auth, operator, otp, clock } = await setup();
    expect(operator).toMatchObject({ role: 'operator', canUnmask: false, disabled: false, lockedUntil: null, mustChangePassword: true, lastLoginAt: null });
    expect(Object.keys(operator)).not.toContain('passwordHash');
    const { token, session } = await auth.login(operator.name, otp);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.csrfToken).not.toBe(token);
    expect(session.operator).toMatchObject({ id: operator.id, mustChangePassword: true, lastLoginAt: clock.now() });
    expect(session.expiresAt.getTime() - session.createdAt.getTime()).toBe(8 * 60 * MIN);
    expect(await auth.session(token)).toMatchObject({ operator: { id: operator.id }, csrfToken: session.csrfToken });
    // the token itself is nowhere in the table
    const rows = (await ds.query(`SELECT * FROM operator_sessions WHERE operator_id = ${operator.id}`)) as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(await auth.session('not-a-token')).toBeNull();
    expect(await auth.session('A'.repeat(43))).toBeNull();
  });

  it('answers an unknown name, a wrong password and a disabled account with the same error', async () => {
    const { auth, operator, otp } = await setup();
    const unknown = await failure(auth.login('nobody-here', otp));
    const wrong = await failure(auth.login(operator.name, 'not the password'));
    const malformed = await failure(auth.login('Robert"); DROP', otp));
    await auth.update(operator.name, { disabled: true });
    const disabled = await failure(auth.login(operator.name, otp));
    for (const e of [unknown, wrong, malformed, disabled]) {
      expect(e).toMatchObject({ code: 'FB_ADMIN_BAD_LOGIN', message: unknown['message'] });
      expect(String(e['message'])).not.toContain(otp);
    }
  });

  it('locks the account after 5 failures in a row, refuses even the right password until lockMs has passed', async () => {
    const { auth, operator, otp, clock } = await setup();
    // a success clears the count: 4 failures, a success, 4 failures again are not a lock-out
    for (let i = 0; i < 4; i++) expect(await failure(auth.login(operator.name, `wrong ${i}`))).toMatchObject({ code: 'FB_ADMIN_BAD_LOGIN' });
    await auth.login(operator.name, otp);
    for (let i = 0; i < 4; i++) expect(await failure(auth.login(operator.name, `wrong ${i}`))).toMatchObject({ code: 'FB_ADMIN_BAD_LOGIN' });
    // the fifth in a row locks
    expect(await failure(auth.login(operator.name, 'wrong 5'))).toMatchObject({ code: 'FB_ADMIN_LOCKED', retryInMs: 15 * MIN });
    clock.advance(5 * MIN);
    const locked = await failure(auth.login(operator.name, otp));
    expect(locked).toMatchObject({ code: 'FB_ADMIN_LOCKED', retryInMs: 10 * MIN });
    expect(String(locked['message'])).not.toContain(otp);
    expect((await store.byName(operator.name))!.lockedUntil).toEqual(new Date(clock.now().getTime() + 10 * MIN));
    clock.advance(10 * MIN);
    const { session } = await auth.login(operator.name, otp);
    expect(session.operator.lockedUntil).toBeNull();
    // an admin's unlock lifts a lock at once
    for (let i = 0; i < 5; i++) await failure(auth.login(operator.name, `wrong ${i}`));
    expect(await failure(auth.login(operator.name, otp))).toMatchObject({ code: 'FB_ADMIN_LOCKED' });
    const { before, after } = await auth.update(operator.name, { unlock: true });
    expect(before.lockedUntil).not.toBeNull();
    expect(after.lockedUntil).toBeNull();
    await auth.login(operator.name, otp);
  });

  it('ends a session idle longer than idleMs, and any session after absoluteMs however busy', async () => {
    const { auth, operator, otp, clock } = await setup();
    const idle = (await auth.login(operator.name, otp)).token;
    clock.advance(14 * MIN);
    expect(await auth.session(idle)).not.toBeNull(); // used: the idle clock starts again
    clock.advance(14 * MIN);
    expect(await auth.session(idle)).not.toBeNull();
    clock.advance(15 * MIN + 1);
    expect(await auth.session(idle)).toBeNull();
    clock.advance(-15 * MIN); // even back in time, it is gone: an idle session is deleted
    expect(await auth.session(idle)).toBeNull();

    const busy = (await auth.login(operator.name, otp)).token;
    for (let used = 0; used < 8 * 60 - 10; used += 10) {
      clock.advance(10 * MIN);
      expect(await auth.session(busy), `after ${used + 10} min`).not.toBeNull();
    }
    clock.advance(10 * MIN);
    expect(await auth.session(busy)).toBeNull();
  });

  it('touches a session at most once a minute', async () => {
    const { auth, operator, otp, clock } = await setup();
    const { token } = await auth.login(operator.name, otp);
    const seen = async () => (await ds.query(`SELECT last_seen_at FROM operator_sessions WHERE operator_id = ${operator.id}`)) as { last_seen_at: unknown }[];
    const first = JSON.stringify(await seen());
    clock.advance(30_000);
    await auth.session(token);
    expect(JSON.stringify(await seen())).toBe(first);
    clock.advance(30_000);
    await auth.session(token);
    expect(JSON.stringify(await seen())).not.toBe(first);
  });

  it('logs out', async () => {
    const { auth, operator, otp } = await setup();
    const { token } = await auth.login(operator.name, otp);
    expect(await auth.logout(token)).toBe(true);
    expect(await auth.session(token)).toBeNull();
    expect(await auth.logout(token)).toBe(false);
  });

  it('a password change checks the current one and the new one, clears the flag and ends the other sessions', async () => {
    const { auth, operator, otp } = await setup();
    const mine = (await auth.login(operator.name, otp)).token;
    const other = (await auth.login(operator.name, otp)).token;
    expect(await failure(auth.changePassword(operator.id, 'not it', STRONG, mine))).toMatchObject({ code: 'FB_VALIDATION', field: 'current' });
    expect(await failure(auth.changePassword(operator.id, otp, 'weakweakweakweak', mine))).toMatchObject({ code: 'FB_VALIDATION', field: 'next' });
    expect(await failure(auth.changePassword(9_999_999, otp, STRONG))).toMatchObject({ code: 'FB_NOT_FOUND' });
    const changed = await auth.changePassword(operator.id, otp, STRONG, mine);
    expect(changed.mustChangePassword).toBe(false);
    expect(await auth.session(mine)).toMatchObject({ operator: { mustChangePassword: false } });
    expect(await auth.session(other)).toBeNull();
    expect(await failure(auth.login(operator.name, otp))).toMatchObject({ code: 'FB_ADMIN_BAD_LOGIN' });
    expect((await auth.login(operator.name, STRONG)).session.operator.mustChangePassword).toBe(false);
    // without the asking session's token, every session ends
    await auth.changePassword(operator.id, STRONG, `${STRONG}-2`);
    expect(await auth.session(mine)).toBeNull();
  });

  it('disabling or lowering the role ends the sessions; a reset gives a new one-time password', async () => {
    const { auth, operator, otp } = await setup('admin');
    const a = (await auth.login(operator.name, otp)).token;
    await auth.update(operator.name, { role: 'admin', canUnmask: true }); // not lower: the session stays
    expect(await auth.session(a)).toMatchObject({ operator: { canUnmask: true } });
    await auth.update(operator.name, { role: 'viewer' });
    expect(await auth.session(a)).toBeNull();
    const b = (await auth.login(operator.name, otp)).token;
    const { before, after } = await auth.update(operator.name, { disabled: true });
    expect([before.disabled, after.disabled]).toEqual([false, true]);
    expect(await auth.session(b)).toBeNull();
    await auth.update(operator.name, { disabled: false });
    const c = (await auth.login(operator.name, otp)).token;
    const fresh = await auth.resetPassword(operator.name);
    expect(fresh).not.toBe(otp);
    expect(await auth.session(c)).toBeNull();
    expect(await failure(auth.login(operator.name, otp))).toMatchObject({ code: 'FB_ADMIN_BAD_LOGIN' });
    expect((await auth.login(operator.name, fresh)).session.operator.mustChangePassword).toBe(true);

    expect(await failure(auth.update('nobody-at-all', { unlock: true }))).toMatchObject({ code: 'FB_NOT_FOUND' });
    expect(await failure(auth.resetPassword('nobody-at-all'))).toMatchObject({ code: 'FB_NOT_FOUND' });
    expect(await failure(auth.update(operator.name, { role: 'root' as 'admin' }))).toMatchObject({ code: 'FB_VALIDATION', field: 'role' });
    expect(await failure(auth.create(operator.name, 'viewer', false))).toMatchObject({ code: 'FB_ADMIN_CONFLICT' });
    expect(await failure(auth.create('Not A Name', 'viewer', false))).toMatchObject({ code: 'FB_VALIDATION', field: 'name' });
    expect((await auth.list()).map((o) => o.name)).toContain(operator.name);
  });

  it('the audit log refuses UPDATE and DELETE, and pages newest first with a working cursor', async () => {
    const clock = new FakeClock();
    const audit = new AuditStore(ds, () => clock.now());
    const actor = `auditor-${kind}`;
    const appended = [];
    for (let i = 0; i < 7; i++) {
      clock.advance(1_000);
      appended.push(
        await audit.append({ actor, action: i % 2 ? 'switch.set' : 'login', target: `switch:*/transfers`, before: { n: i }, after: i === 6 ? null : { n: i + 1, at: 'x' }, reason: 'why not', requestId: `req-${i}` }),
      );
    }
    expect(appended[6]).toMatchObject({ actor, action: 'login', before: { n: 6 }, after: null, reason: 'why not', requestId: 'req-6', at: clock.now() });

    await expect(ds.query(`UPDATE audit_log SET reason = 'rewritten' WHERE id = ${appended[0]!.id}`)).rejects.toThrow(/append-only/);
    await expect(ds.query(`DELETE FROM audit_log WHERE id = ${appended[0]!.id}`)).rejects.toThrow(/append-only/);
    await expect(ds.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    if (kind === 'postgres') await expect(ds.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);

    const ids = appended.map((e) => e.id).reverse();
    const first = await audit.page({ actor }, { limit: 3 });
    expect(first.items.map((e) => e.id)).toEqual(ids.slice(0, 3));
    const second = await audit.page({ actor }, { after: first.next!, limit: 3 });
    expect(second.items.map((e) => e.id)).toEqual(ids.slice(3, 6));
    const third = await audit.page({ actor }, { after: second.next!, limit: 3 });
    expect(third.items.map((e) => e.id)).toEqual(ids.slice(6));
    expect(third.next).toBeNull();
    expect((await audit.page({ actor }, { limit: 7 })).next).toBeNull();
    expect((await audit.page({ actor, action: 'switch.set' }, { limit: 10 })).items.map((e) => e.before)).toEqual([{ n: 5 }, { n: 3 }, { n: 1 }]);
    expect((await audit.page({ actor: 'nobody' }, { limit: 10 })).items).toEqual([]);
    // an entry appended meanwhile does not shift the next page
    await audit.append({ actor, action: 'login', target: null, before: null, after: null, reason: null, requestId: null });
    expect((await audit.page({ actor }, { after: first.next!, limit: 3 })).items.map((e) => e.id)).toEqual(ids.slice(3, 6));

    for (const bad of ['', '12', 'bm90IGEgY3Vyc29y', '../etc', String(first.next) + '='])
      expect(await failure(audit.page({}, { after: bad, limit: 3 })), bad).toMatchObject({ code: 'FB_VALIDATION', field: 'after' });
    expect(await failure(audit.page({}, { limit: 0 }))).toMatchObject({ code: 'FB_VALIDATION', field: 'limit' });
    expect(await failure(audit.append({ actor: '', action: 'x', target: null, before: null, after: null, reason: null, requestId: null }))).toMatchObject({ code: 'FB_VALIDATION', field: 'actor' });
  });

  it('firmbank operator create prints a one-time password that logs in; every change is audited as cli:<user>', async () => {
    const env = { DATABASE_URL: url, FIRMBANK_DATA_DIR: mkdtempSync(join(tmpdir(), 'firmbank-data-')) };
    const name = `cli-${kind}`;
    const out = await operatorCommand('create', [name], { role: 'admin', unmask: true, reason: 'first admin' }, env);
    expect(out).toMatch(/must be changed at first login/);
    const otp = /one-time password: (\S+)/.exec(out)![1]!;
    const auth = new OperatorAuth(store, new FakeClock(), { scrypt: FAST });
    const { session } = await auth.login(name, otp);
    expect(session.operator).toMatchObject({ name, role: 'admin', canUnmask: true, mustChangePassword: true });

    expect(await operatorCommand('list', [], {}, env)).toMatch(new RegExp(`^${name}\\s+admin\\s+yes\\s+active, must change password`, 'm'));
    const reset = await operatorCommand('reset-password', [name], {}, env);
    const otp2 = /one-time password: (\S+)/.exec(reset)![1]!;
    expect(await failure(auth.login(name, otp))).toMatchObject({ code: 'FB_ADMIN_BAD_LOGIN' });
    await auth.login(name, otp2);
    expect(await operatorCommand('unlock', [name], { reason: 'locked out' }, env)).toMatch(/was not locked/);

    const audit = new AuditStore(ds);
    const entries = (await audit.page({}, { limit: 200 })).items.filter((e) => e.target === `operator:${name}`);
    expect(entries.map((e) => [e.action, e.reason])).toEqual([
      ['operator.update', 'locked out'],
      ['operator.reset-password', 'command line'],
      ['operator.create', 'first admin'],
    ]);
    for (const e of entries) expect(e.actor).toMatch(/^cli:./);
    expect(JSON.stringify(entries)).not.toContain(otp);
    expect(JSON.stringify(entries)).not.toContain(otp2);

    // mistakes are usage errors (exit 2, one line); a taken name is a conflict
    await expect(operatorCommand('create', [name], { role: 'admin' }, env)).rejects.toMatchObject({ code: 'FB_ADMIN_CONFLICT' });
    await expect(operatorCommand('create', ['other'], { role: 'root' }, env)).rejects.toMatchObject({ code: 'FB_USAGE' });
    await expect(operatorCommand('create', ['other'], {}, env)).rejects.toMatchObject({ code: 'FB_USAGE' });
    await expect(operatorCommand('create', ['Bad Name'], { role: 'viewer' }, env)).rejects.toMatchObject({ code: 'FB_USAGE' });
    await expect(operatorCommand('delete', [name], {}, env)).rejects.toMatchObject({ code: 'FB_USAGE' });
    await expect(operatorCommand('unlock', [], {}, env)).rejects.toMatchObject({ code: 'FB_USAGE' });
    await expect(operatorCommand('unlock', [name], { reason: 'x' }, env)).rejects.toMatchObject({ code: 'FB_USAGE' });
    await expect(operatorCommand('unlock', ['nobody-at-all'], {}, env)).rejects.toMatchObject({ code: 'FB_NOT_FOUND' });
  });
});
