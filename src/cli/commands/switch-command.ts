import { AuditStore } from '../../ledger/audit-store.js';
import { cliActor } from '../cli-actor.js';
import { loadConfig } from '../../config/config.js';
import { effectiveSwitch, isSwitchState, parseSwitchName, SWITCH_FLOWS, SWITCH_STATES, switchKey } from '../../domain/switches.js';
import { openDatabase } from '../../ledger/data-source.js';
import { SwitchStore } from '../../ledger/switch-store.js';
import { silentLogger } from '../../log/logger.js';
import { SwitchBroadcast } from '../../queue/switch-broadcast.js';
import { UsageError } from '../usage-error.js';

export const SWITCH_USAGE = `firmbank switch list [--json]                        every switch set, and each flow's state per institution
  firmbank switch set SCOPE/FLOW on|hold|off --by WHO --reason WHY
                                                          e.g. hecto/transfers hold, */batch off, global on
  firmbank switch log [SCOPE/FLOW] [--limit N]            who changed which switch, when, from what, why`;

export interface SwitchFlags {
  readonly by?: string;
  readonly reason?: string;
  readonly limit?: string;
  readonly json: boolean;
}

/**
 * `firmbank switch …`: the operators' switches, over the configured database. A set is audited in the
 * same transaction and announced over Redis, so running gateways apply it within a second; if Redis is
 * unreachable they still find it when they next read the database (`switchPollMs`).
 */
export async function switchCommand(sub: string | undefined, args: readonly string[], flags: SwitchFlags): Promise<string> {
  const config = loadConfig();
  const ds = await openDatabase({ url: config.databaseUrl });
  const store = new SwitchStore(ds);
  try {
    switch (sub) {
      case 'list': {
        if (args.length > 0) throw new UsageError(`switch list: unexpected argument ${args[0]}`);
        const set = await store.list();
        const effective = config.institutions.flatMap((inst) => SWITCH_FLOWS.map((flow) => ({ institution: inst.id, flow, ...effectiveSwitch(set, inst.id, flow) })));
        if (flags.json) return JSON.stringify({ switches: set, effective: effective.map((e) => ({ ...e, decidedBy: e.decidedBy && switchKey(e.decidedBy) })) }, null, 2);
        const lines = set.map((s) => `${switchKey(s).padEnd(24)} ${s.state.padEnd(5)} v${s.version}  ${s.changedAt.toISOString()}  ${s.changedBy}: ${s.reason}`);
        const states = effective.map((e) => `${`${e.institution}/${e.flow}`.padEnd(24)} ${e.state}${e.decidedBy ? ` (by ${switchKey(e.decidedBy)})` : ''}`);
        return [`switches set (any other is on):`, ...(lines.length ? lines : ['  none']), '', 'in effect:', ...states].join('\n');
      }
      case 'set': {
        const [nameText, state, ...extra] = args;
        if (!nameText || !state || extra.length > 0) throw new UsageError('switch set: write firmbank switch set SCOPE/FLOW on|hold|off --by WHO --reason WHY');
        if (!isSwitchState(state)) throw new UsageError(`switch set: state ${JSON.stringify(state)} is not one of ${SWITCH_STATES.join(', ')}`);
        if (!flags.by) throw new UsageError('switch set: --by WHO is required (it is audited)');
        if (!flags.reason) throw new UsageError('switch set: --reason WHY is required (it is audited)');
        const name = parseSwitchName(nameText);
        const before = (await store.list()).find((x) => switchKey(x) === switchKey(name));
        const set = await store.set(name, state, flags.by, flags.reason);
        // The console's audit log shows it too, under the account that ran the command (--by is who asked).
        await new AuditStore(ds).append({
          actor: cliActor(),
          action: 'switch.set',
          target: `switch:${switchKey(set)}`,
          before: before ? { state: before.state, version: before.version } : null,
          after: { state: set.state, version: set.version, by: flags.by },
          reason: flags.reason,
          requestId: null,
        });
        // Its trouble is told below, in the command's own words.
        const broadcast = new SwitchBroadcast(config.redisUrl, config.queuePrefix, silentLogger);
        let announced = 'announced to running gateways';
        try {
          await broadcast.publish(set.version);
        } catch {
          announced = `not announced (Redis unreachable): running gateways apply it within ${config.switchPollMs ?? 5_000} ms from the database`;
        } finally {
          await broadcast.close();
        }
        return `${switchKey(set)} is ${set.state} (version ${set.version}); ${announced}`;
      }
      case 'log': {
        if (args.length > 1) throw new UsageError(`switch log: unexpected argument ${args[1]}`);
        const name = args[0] === undefined ? undefined : parseSwitchName(args[0]);
        const limit = flags.limit === undefined ? 50 : /^\d{1,4}$/.test(flags.limit) ? Number(flags.limit) : NaN;
        if (!(limit >= 1 && limit <= 1_000)) throw new UsageError(`switch log: --limit ${flags.limit}: expected 1 to 1000`);
        const changes = await store.changes({ ...(name ? { scope: name.scope, flow: name.flow } : {}), limit });
        if (flags.json) return JSON.stringify(changes, null, 2);
        return changes.map((c) => `${c.changedAt.toISOString()}  ${switchKey(c).padEnd(24)} ${c.from} → ${c.to}  by ${c.changedBy}: ${c.reason}`).join('\n') || 'no switch was ever changed';
      }
      default:
        throw new UsageError(`switch: unknown subcommand ${sub ?? '(none)'} (list, set, log)`);
    }
  } finally {
    await ds.destroy();
  }
}
