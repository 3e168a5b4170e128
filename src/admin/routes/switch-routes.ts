import type { FastifyPluginAsync } from 'fastify';
import type { SwitchService } from '../admin-services.js';
import { checkSwitchName, SWITCH_STATES, switchKey, type SwitchName, type SwitchSetting, type SwitchState } from '../../domain/switches.js';
import { REASON, type AuditFn } from '../audit-trail.js';
import { needs } from '../operator-hooks.js';
import { pageLimit } from './paging.js';

const nameParams = {
  type: 'object',
  required: ['scope', 'flow'],
  properties: { scope: { type: 'string', maxLength: 32 }, flow: { type: 'string', maxLength: 32 } },
} as const;

const setBody = {
  type: 'object',
  additionalProperties: false,
  required: ['state', 'reason'],
  properties: { state: { type: 'string', enum: [...SWITCH_STATES] }, reason: REASON, expectedVersion: { type: 'integer', minimum: 0 } },
} as const;

const view = (s: SwitchSetting) => ({ name: switchKey(s), scope: s.scope, flow: s.flow, state: s.state, version: s.version, by: s.changedBy, reason: s.reason, at: s.changedAt.toISOString() });

/**
 * The switches (on / hold / off per institution and flow): everyone sees them, an admin sets them with a
 * reason. The switchboard keeps its own change log too; the audit log names the operator.
 */
export function switchRoutes(switches: SwitchService, audit: AuditFn): FastifyPluginAsync {
  return async (app) => {
    app.get('/admin/api/switches', { config: needs('viewer') }, async () => {
      const { switches: set, effective } = await switches.list();
      return { switches: set.map(view), effective };
    });

    app.put<{ Params: { scope: string; flow: string }; Body: { state: SwitchState; reason: string; expectedVersion?: number } }>(
      '/admin/api/switches/:scope/:flow',
      { schema: { params: nameParams, body: setBody }, config: needs('admin') },
      async (req) => {
        const name = checkSwitchName({ scope: req.params.scope, flow: req.params.flow as SwitchName['flow'] });
        const before = (await switches.list()).switches.find((x) => switchKey(x) === switchKey(name));
        const set = await switches.set(name, req.body.state, `operator:${req.session!.operator.name}`, req.body.reason, req.body.expectedVersion);
        await audit(req, { action: 'switch.set', target: `switch:${switchKey(set)}`, before: before ? { state: before.state, version: before.version } : null, after: { state: set.state, version: set.version }, reason: req.body.reason });
        return view(set);
      },
    );

    // The switchboard's own log of every set (the CLI's too), with what each changed from.
    app.get<{ Querystring: { limit?: string } }>(
      '/admin/api/switches/changes',
      { schema: { querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'string', pattern: '^[0-9]{1,3}$' } } } }, config: needs('viewer') },
      async (req) => ({ items: (await switches.changes(pageLimit(req.query.limit))).map((c) => ({ ...c, name: switchKey(c), changedAt: c.changedAt.toISOString() })) }),
    );
  };
}
