import { cliActor } from '../cli-actor.js';
import { OperatorAuth } from '../../admin/operator-auth.js';
import { operatorView } from '../../admin/operator-view.js';
import { loadConfig } from '../../config/config.js';
import { OPERATOR_NAME, ROLES, type Operator, type Role } from '../../domain/operator.js';
import { AuditStore } from '../../ledger/audit-store.js';
import { openDatabase } from '../../ledger/data-source.js';
import { OperatorStore } from '../../ledger/operator-store.js';
import { UsageError } from '../usage-error.js';

/** Usage of `firmbank operator`, for the CLI's usage text and its errors. */
export const OPERATOR_USAGE = `firmbank operator create NAME --role ${ROLES.join('|')} [--unmask] [--reason WHY]
                                                          a console operator; prints a one-time password once
  firmbank operator list                                  operators: name, role, unmask, status, last login
  firmbank operator reset-password NAME [--reason WHY]    a new one-time password; ends their sessions
  firmbank operator unlock NAME [--reason WHY]            lifts a lock-out after failed logins
                                                          (every change is audited as cli:<os user>)`;

export interface OperatorFlags {
  readonly role?: string;
  readonly unmask?: boolean;
  readonly reason?: string;
}

/** The reason audited when none is given. */
const DEFAULT_REASON = 'command line';


/**
 * `firmbank operator …`: the console's operators, over the configured database. Every change is appended
 * to the audit log as `cli:<os user>` with the `--reason` given (by default "command line"): the command
 * line is the way in before any admin exists, and it stays on the record like the console.
 */
export async function operatorCommand(
  sub: string | undefined,
  positionals: readonly string[],
  flags: OperatorFlags = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<string> {
  const reason = (flags.reason ?? DEFAULT_REASON).trim();
  if (reason.length < 3 || reason.length > 500) throw new UsageError(`operator: --reason must be 3 to 500 characters`);
  if (sub === 'create' || sub === 'reset-password' || sub === 'unlock') {
    if (positionals.length !== 1) throw new UsageError(`operator ${sub} NAME: one operator name`);
    if (!OPERATOR_NAME.test(positionals[0]!)) throw new UsageError(`operator ${sub}: a name is a lower-case letter, then 1 to 63 lower-case letters, digits, ".", "_" or "-"`);
  } else if (sub === 'list') {
    if (positionals.length > 0) throw new UsageError(`operator list: unexpected argument ${positionals[0]}`);
  } else {
    throw new UsageError(`operator: unknown subcommand ${sub ?? '(none)'} (create, list, reset-password, unlock)`);
  }
  if (sub !== 'create' && (flags.role !== undefined || flags.unmask)) throw new UsageError(`operator ${sub}: --role and --unmask are for operator create`);
  let role: Role | undefined;
  if (sub === 'create') {
    if (flags.role === undefined) throw new UsageError(`operator create: --role ${ROLES.join('|')} is required`);
    if (!ROLES.includes(flags.role as Role)) throw new UsageError(`operator create: --role ${flags.role} is not one of ${ROLES.join(', ')}`);
    role = flags.role as Role;
  }

  const ds = await openDatabase({ url: loadConfig(env).databaseUrl });
  try {
    const auth = new OperatorAuth(new OperatorStore(ds));
    const audit = new AuditStore(ds);
    const actor = cliActor(env);
    const name = positionals[0]!;
    const target = `operator:${name}`;
    switch (sub) {
      case 'create': {
        const { operator, oneTimePassword } = await auth.create(name, role!, flags.unmask === true);
        await audit.append({ actor, action: 'operator.create', target, before: null, after: operatorView(operator), reason, requestId: null });
        return [
          `operator ${operator.name} created (role ${operator.role}${operator.canUnmask ? ', may unmask' : ''})`,
          `one-time password: ${oneTimePassword}`,
          'it is shown only this once and must be changed at first login',
        ].join('\n');
      }
      case 'reset-password': {
        const before = await auth.byName(name);
        const password = await auth.resetPassword(name);
        const after = await auth.byName(name);
        await audit.append({ actor, action: 'operator.reset-password', target, before: operatorView(before), after: operatorView(after), reason, requestId: null });
        return [`operator ${name}: password reset, sessions ended`, `one-time password: ${password}`, 'it is shown only this once and must be changed at next login'].join('\n');
      }
      case 'unlock': {
        const { before, after } = await auth.update(name, { unlock: true });
        await audit.append({ actor, action: 'operator.update', target, before: operatorView(before), after: operatorView(after), reason, requestId: null });
        const was = before.lockedUntil !== null && before.lockedUntil > new Date();
        return was ? `operator ${name} unlocked` : `operator ${name} was not locked (failed logins cleared)`;
      }
      default:
        return listing(await auth.list());
    }
  } finally {
    await ds.destroy();
  }
}

/** One line per operator, aligned; never a password or its hash. */
function listing(operators: readonly Operator[]): string {
  if (operators.length === 0) return 'no operators yet (firmbank operator create NAME --role admin makes the first)';
  const now = new Date();
  const status = (o: Operator) => [o.disabled ? 'disabled' : o.lockedUntil && o.lockedUntil > now ? `locked until ${o.lockedUntil.toISOString()}` : 'active', ...(o.mustChangePassword ? ['must change password'] : [])].join(', ');
  const rows = [['NAME', 'ROLE', 'UNMASK', 'STATUS', 'CREATED', 'LAST_LOGIN'], ...operators.map((o) => [o.name, o.role, o.canUnmask ? 'yes' : 'no', status(o), o.createdAt.toISOString(), o.lastLoginAt?.toISOString() ?? '-'])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}
