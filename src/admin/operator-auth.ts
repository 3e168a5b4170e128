import { createHash, randomBytes } from 'node:crypto';
import { OPERATOR_NAME, ROLES, type Operator, type Role } from '../domain/operator.js';
import { ValidationError } from '../flows/validation-error.js';
import type { OperatorPatch, OperatorStore } from '../ledger/operator-store.js';
import { AccountLockedError } from './account-locked-error.js';
import { BadLoginError } from './bad-login-error.js';
import { OperatorConflictError } from './operator-conflict-error.js';
import { OperatorNotFoundError } from './operator-not-found-error.js';
import { checkPasswordStrength, DEFAULT_SCRYPT, hashPassword, oneTimePassword, verifyPassword, type ScryptParams } from './password.js';

/** A logged-in operator's session as the console sees it: never the token (the cookie has it). */
export interface OperatorSession {
  /** As the database has it now (a role changed meanwhile shows). */
  readonly operator: Operator;
  /** Sent back in `X-CSRF-Token` with every change. */
  readonly csrfToken: string;
  readonly createdAt: Date;
  /** The absolute end, however busy the session is (it may end sooner when idle). */
  readonly expiresAt: Date;
}

/** How long sessions live and how failed logins are answered. */
export interface OperatorAuthSettings {
  /** A session unused this long ends. Default 15 minutes. */
  readonly idleMs: number;
  /** A session ends this long after login, however busy. Default 8 hours. */
  readonly absoluteMs: number;
  /** Failed logins in a row that lock the account. Default 5. */
  readonly maxFailures: number;
  /** How long a lock lasts. Default 15 minutes. */
  readonly lockMs: number;
  /** The cost of new password hashes; only tests pass cheaper ones. Default {@link DEFAULT_SCRYPT}. */
  readonly scrypt: ScryptParams;
}

export const DEFAULT_OPERATOR_AUTH: OperatorAuthSettings = {
  idleMs: 15 * 60_000,
  absoluteMs: 8 * 60 * 60_000,
  maxFailures: 5,
  lockMs: 15 * 60_000,
  scrypt: DEFAULT_SCRYPT,
};

/** What {@link OperatorAuth.update} may change. */
export interface OperatorUpdate {
  readonly role?: Role;
  readonly canUnmask?: boolean;
  readonly disabled?: boolean;
  /** Clear a lock-out and the failure count. */
  readonly unlock?: boolean;
}

/** A session is marked as used at most this often: every request would otherwise be a write. */
const TOUCH_EVERY_MS = 60_000;

/** How session tokens look (32 random bytes, base64url): anything else is not looked up. */
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');
const newToken = () => randomBytes(32).toString('base64url');

/**
 * Operators' accounts and console sessions: logging in (with lock-out after failed logins), sessions that
 * end when idle or at an absolute limit, password changes, and what admins do to accounts. Session tokens
 * are random and stored only as their SHA-256 (a copy of the table logs nobody in); passwords as scrypt
 * hashes. Auditing is the caller's: this class says what changed (`update` returns before and after).
 */
export class OperatorAuth {
  private readonly settings: OperatorAuthSettings;
  /** A hash of no one's password: unknown names are checked against it, so they take as long as known ones. */
  private dummy: Promise<string> | null = null;

  constructor(
    private readonly store: OperatorStore,
    private readonly clock: { now(): Date } = { now: () => new Date() },
    settings: Partial<OperatorAuthSettings> = {},
  ) {
    this.settings = { ...DEFAULT_OPERATOR_AUTH, ...settings };
  }

  /**
   * Logs `name` in with `password`: a new session, and its token (for the cookie; shown nowhere else).
   * The attempt that makes `maxFailures` failures in a row locks the account for `lockMs`; while locked,
   * even the right password is refused. A success clears the failure count.
   * @throws BadLoginError `FB_ADMIN_BAD_LOGIN` for an unknown name, a wrong password or a disabled account
   *   alike (an unknown name costs a hash check too, so timing does not tell them apart).
   * @throws AccountLockedError `FB_ADMIN_LOCKED` (with `retryInMs`) while the account is locked, and on
   *   the failure that locks it.
   */
  async login(name: string, password: string): Promise<{ token: string; session: OperatorSession }> {
    const known = typeof name === 'string' && OPERATOR_NAME.test(name) ? await this.store.credentials(name) : null;
    const now = this.clock.now();
    if (!known || known.operator.disabled) {
      await verifyPassword(String(password), await this.dummyHash());
      throw new BadLoginError();
    }
    const { operator } = known;
    if (operator.lockedUntil && operator.lockedUntil > now) throw new AccountLockedError(operator.lockedUntil.getTime() - now.getTime());
    if (!(await verifyPassword(String(password), known.passwordHash))) {
      const lockUntil = new Date(now.getTime() + this.settings.lockMs);
      const after = await this.store.recordFailure(operator.id, this.settings.maxFailures, lockUntil);
      if (after?.lockedUntil && after.lockedUntil > now) throw new AccountLockedError(after.lockedUntil.getTime() - now.getTime());
      throw new BadLoginError();
    }
    const fresh = (await this.store.recordSuccess(operator.id, now)) ?? operator;
    // Sessions nobody can use any more are removed now and then; logging in is rare enough to do it.
    await this.store.deleteStaleSessions(now, new Date(now.getTime() - this.settings.idleMs));
    const token = newToken();
    const session = { operator: fresh, csrfToken: newToken(), createdAt: now, expiresAt: new Date(now.getTime() + this.settings.absoluteMs) };
    await this.store.insertSession({ tokenHash: tokenHash(token), operatorId: fresh.id, csrfToken: session.csrfToken, createdAt: now, lastSeenAt: now, expiresAt: session.expiresAt });
    return { token, session };
  }

  /**
   * The live session `token` names, or null: unknown, past its absolute end, idle longer than `idleMs`
   * (then it is deleted), or its operator disabled. Marks it used, at most once a minute (so the idle
   * limit is kept to within that minute).
   */
  async session(token: string): Promise<OperatorSession | null> {
    if (typeof token !== 'string' || !TOKEN_FORMAT.test(token)) return null;
    const hash = tokenHash(token);
    const s = await this.store.getSession(hash);
    if (!s) return null;
    const now = this.clock.now();
    if (now >= s.expiresAt || now.getTime() - s.lastSeenAt.getTime() > this.settings.idleMs) {
      await this.store.deleteSession(hash);
      return null;
    }
    const operator = await this.store.byId(s.operatorId);
    if (!operator || operator.disabled) {
      await this.store.deleteSession(hash);
      return null;
    }
    if (now.getTime() - s.lastSeenAt.getTime() >= TOUCH_EVERY_MS) await this.store.touchSession(hash, now);
    return { operator, csrfToken: s.csrfToken, createdAt: s.createdAt, expiresAt: s.expiresAt };
  }

  /** Ends the session `token` names; whether there was one. */
  async logout(token: string): Promise<boolean> {
    if (typeof token !== 'string' || !TOKEN_FORMAT.test(token)) return false;
    return this.store.deleteSession(tokenHash(token));
  }

  /**
   * Changes an operator's password: `current` must be right (a wrong one counts as a failed login, so a
   * session left open cannot be used to guess it), `next` strong enough and not the same. Clears
   * must-change-password and ends the operator's other sessions.
   * @param keepToken the token of the session asking, which stays; without it every session ends.
   * @throws ValidationError `FB_VALIDATION` naming `current` (wrong) or `next` (too weak, or unchanged).
   * @throws AccountLockedError `FB_ADMIN_LOCKED` while locked, or on the wrong `current` that locks it.
   * @throws OperatorNotFoundError `FB_NOT_FOUND` for an unknown id.
   */
  async changePassword(operatorId: number, current: string, next: string, keepToken?: string): Promise<Operator> {
    const known = await this.store.credentialsById(operatorId);
    if (!known) throw new OperatorNotFoundError(operatorId);
    const now = this.clock.now();
    const { operator } = known;
    if (operator.lockedUntil && operator.lockedUntil > now) throw new AccountLockedError(operator.lockedUntil.getTime() - now.getTime());
    if (!(await verifyPassword(String(current), known.passwordHash))) {
      const after = await this.store.recordFailure(operator.id, this.settings.maxFailures, new Date(now.getTime() + this.settings.lockMs));
      if (after?.lockedUntil && after.lockedUntil > now) throw new AccountLockedError(after.lockedUntil.getTime() - now.getTime());
      throw new ValidationError('current', 'is not the current password');
    }
    checkPasswordStrength(next);
    if (next === current) throw new ValidationError('next', 'the new password must differ from the current one');
    const passwordHash = await hashPassword(next, this.settings.scrypt);
    const changed = await this.store.update(operator.id, { passwordHash, passwordChangedAt: now, mustChangePassword: false, failedLogins: 0, lockedUntil: null });
    if (!changed) throw new OperatorNotFoundError(operatorId);
    await this.store.deleteAllFor(operator.id, keepToken !== undefined && TOKEN_FORMAT.test(keepToken) ? tokenHash(keepToken) : undefined);
    return changed;
  }

  /**
   * Makes an operator with a one-time password (returned here only: show it once). It must be changed at
   * first login.
   * @throws ValidationError `FB_VALIDATION` naming `name` (not like OPERATOR_NAME), `role` or `canUnmask`.
   * @throws OperatorConflictError `FB_ADMIN_CONFLICT` when the name is taken.
   */
  async create(name: string, role: Role, canUnmask: boolean): Promise<{ operator: Operator; oneTimePassword: string }> {
    if (typeof name !== 'string' || !OPERATOR_NAME.test(name)) throw new ValidationError('name', 'must be 2 to 64 characters: a lower-case letter, then lower-case letters, digits, ".", "_" or "-"');
    checkRole(role);
    if (typeof canUnmask !== 'boolean') throw new ValidationError('canUnmask', 'must be true or false');
    const password = oneTimePassword();
    const operator = await this.store.create({ name, role, canUnmask, passwordHash: await hashPassword(password, this.settings.scrypt), mustChangePassword: true, createdAt: this.clock.now() });
    if (!operator) throw new OperatorConflictError(name);
    return { operator, oneTimePassword: password };
  }

  /**
   * Changes an operator's role, unmask permission or status, or unlocks a locked-out account. Disabling or
   * lowering the role ends their sessions at once (a role raised, or unmasking granted or taken, shows in
   * their next request: sessions read the operator afresh).
   * @throws ValidationError `FB_VALIDATION` naming the field at fault.
   * @throws OperatorNotFoundError `FB_NOT_FOUND` for an unknown name.
   */
  async update(name: string, patch: OperatorUpdate): Promise<{ before: Operator; after: Operator }> {
    if (patch.role !== undefined) checkRole(patch.role);
    for (const field of ['canUnmask', 'disabled', 'unlock'] as const) {
      if (patch[field] !== undefined && typeof patch[field] !== 'boolean') throw new ValidationError(field, 'must be true or false');
    }
    const before = await this.byName(name);
    const change: OperatorPatch = {
      ...(patch.role !== undefined ? { role: patch.role } : {}),
      ...(patch.canUnmask !== undefined ? { canUnmask: patch.canUnmask } : {}),
      ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}),
      ...(patch.unlock ? { failedLogins: 0, lockedUntil: null } : {}),
    };
    const after = await this.store.update(before.id, change);
    if (!after) throw new OperatorNotFoundError(name);
    const lowered = ROLES.indexOf(after.role) < ROLES.indexOf(before.role);
    if ((after.disabled && !before.disabled) || lowered) await this.store.deleteAllFor(after.id);
    return { before, after };
  }

  /**
   * Gives an operator a new one-time password (returned here only), to be changed at next login; ends
   * their sessions and clears any lock-out (the admin has just handed them a way in).
   * @throws OperatorNotFoundError `FB_NOT_FOUND` for an unknown name.
   */
  async resetPassword(name: string): Promise<string> {
    const operator = await this.byName(name);
    const password = oneTimePassword();
    const passwordHash = await hashPassword(password, this.settings.scrypt);
    const changed = await this.store.update(operator.id, { passwordHash, passwordChangedAt: this.clock.now(), mustChangePassword: true, failedLogins: 0, lockedUntil: null });
    if (!changed) throw new OperatorNotFoundError(name);
    await this.store.deleteAllFor(operator.id);
    return password;
  }

  /** Every operator, by name, disabled ones included. */
  async list(): Promise<Operator[]> {
    return this.store.list();
  }

  /**
   * The operator called `name`.
   * @throws OperatorNotFoundError `FB_NOT_FOUND` when there is none.
   */
  async byName(name: string): Promise<Operator> {
    const operator = typeof name === 'string' && OPERATOR_NAME.test(name) ? await this.store.byName(name) : null;
    if (!operator) throw new OperatorNotFoundError(typeof name === 'string' && OPERATOR_NAME.test(name) ? name : '(that name)');
    return operator;
  }

  private dummyHash(): Promise<string> {
    // Made once, lazily, at the cost real hashes have: a cheaper dummy would answer unknown names faster.
    this.dummy ??= hashPassword(randomBytes(18).toString('base64url'), this.settings.scrypt);
    return this.dummy;
  }
}

function checkRole(role: unknown): asserts role is Role {
  if (!ROLES.includes(role as Role)) throw new ValidationError('role', `must be one of ${ROLES.join(', ')}`);
}
