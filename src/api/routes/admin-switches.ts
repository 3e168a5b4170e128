import type { FastifyPluginAsync } from 'fastify';
import { checkSwitchName, SWITCH_FLOWS, SWITCH_STATES, switchKey, type SwitchName, type SwitchState } from '../../domain/switches.js';
import type { SwitchService } from '../services.js';

const nameParams = {
  type: 'object',
  required: ['scope', 'flow'],
  properties: {
    scope: { type: 'string', maxLength: 32, description: '`*` (every institution) or an institution id' },
    flow: { type: 'string', enum: ['*', ...SWITCH_FLOWS] },
  },
} as const;

const setBody = {
  type: 'object',
  additionalProperties: false,
  required: ['state', 'reason'],
  properties: {
    state: { enum: [...SWITCH_STATES] },
    reason: { type: 'string', minLength: 3, maxLength: 500, description: 'Why, for the audit trail' },
    expectedVersion: { type: 'integer', minimum: 0, description: 'The version the change is based on; another one now is a 409' },
  },
} as const;

const changesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { limit: { type: 'string', pattern: '^[0-9]{1,4}$' } },
} as const;

/**
 * The operators' switches: GET /admin/api/switches, PUT /admin/api/switches/:scope/:flow, GET
 * /admin/api/switches/changes. Scope `admin`; the key's service is who is recorded as having changed it.
 */
export function adminSwitchRoutes(switches: SwitchService): FastifyPluginAsync {
  return async (app) => {
    const config = { scope: 'admin' as const };

    app.get('/admin/api/switches', { config }, async () => {
      const { switches: set, effective } = await switches.list();
      return { switches: set.map((s) => ({ name: switchKey(s), ...s })), effective };
    });

    app.put<{ Params: { scope: string; flow: SwitchName['flow'] }; Body: { state: SwitchState; reason: string; expectedVersion?: number } }>(
      '/admin/api/switches/:scope/:flow',
      { schema: { params: nameParams, body: setBody }, config },
      async (req) => {
        const name = checkSwitchName({ scope: req.params.scope, flow: req.params.flow });
        const by = `api-key:${req.caller.service}/${req.caller.keyId}`;
        const set = await switches.set(name, req.body.state, by, req.body.reason, req.body.expectedVersion);
        return { name: switchKey(set), ...set };
      },
    );

    app.get<{ Querystring: { limit?: string } }>('/admin/api/switches/changes', { schema: { querystring: changesQuery }, config }, async (req) => ({
      changes: (await switches.changes(Math.min(Number(req.query.limit ?? '100') || 100, 1_000))).map((c) => ({ name: switchKey(c), ...c })),
    }));
  };
}
