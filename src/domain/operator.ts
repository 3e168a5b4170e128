/**
 * The people at the console. Roles are ordered: each may do what the ones below it may.
 * - `viewer`: reads, masked.
 * - `operator`: acts on transfers (ask the bank now, settle an unknown outcome with four eyes), breaks,
 *   notices and webhook deliveries.
 * - `admin`: switches, API keys and operators.
 * Seeing an account or a name in clear is not a role but a permission of its own (`canUnmask`), and every
 * unmasked view is audited.
 */
export type Role = 'viewer' | 'operator' | 'admin';

export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

/** Whether an operator of role `has` may do what needs `needs`. */
export function roleAllows(has: Role, needs: Role): boolean {
  return ROLES.indexOf(has) >= ROLES.indexOf(needs);
}

/** How an operator's name looks: it appears in the audit log and in URLs. */
export const OPERATOR_NAME = /^[a-z][a-z0-9._-]{1,63}$/;

/** An operator account as the console sees it: never the password hash. */
export interface Operator {
  readonly id: number;
  readonly name: string;
  readonly role: Role;
  readonly canUnmask: boolean;
  readonly disabled: boolean;
  /** Locked out after too many failed logins, until then (null: not locked). */
  readonly lockedUntil: Date | null;
  /** Set by a one-time password: nothing but a password change is allowed until it is changed. */
  readonly mustChangePassword: boolean;
  readonly createdAt: Date;
  readonly lastLoginAt: Date | null;
}

/**
 * One audited action: who, when, what, on what, the state before and after (JSON, masked), and why.
 * The audit log is append-only: rows are never changed or deleted.
 */
export interface AuditEntry {
  readonly id: number;
  readonly at: Date;
  /** The operator's name, or `cli:<os user>` for the command line. */
  readonly actor: string;
  /** What was done: `login`, `settlement.confirm`, `switch.set`, `unmask.view`, … */
  readonly action: string;
  /** What it was done to (`transfer:<id>`, `switch:hecto/transfers`, `operator:kim`), if anything. */
  readonly target: string | null;
  readonly before: unknown;
  readonly after: unknown;
  readonly reason: string | null;
  readonly requestId: string | null;
}

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'>;
