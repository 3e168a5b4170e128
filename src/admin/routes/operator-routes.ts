import type { FastifyPluginAsync } from 'fastify';
import { OPERATOR_NAME, ROLES, type Role } from '../../domain/operator.js';
import { FirmbankError } from '../../errors/firmbank-error.js';
import { REASON, type AuditFn } from '../audit-trail.js';
import type { OperatorAuth } from '../operator-auth.js';
import { needs } from '../operator-hooks.js';
import { operatorView } from '../operator-view.js';

const createBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'role', 'reason'],
  properties: { name: { type: 'string', pattern: OPERATOR_NAME.source }, role: { type: 'string', enum: [...ROLES] }, canUnmask: { type: 'boolean' }, reason: REASON },
} as const;

const patchBody = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { role: { type: 'string', enum: [...ROLES] }, canUnmask: { type: 'boolean' }, disabled: { type: 'boolean' }, unlock: { type: 'boolean' }, reason: REASON },
} as const;

interface Patch {
  role?: Role;
  canUnmask?: boolean;
  disabled?: boolean;
  unlock?: boolean;
  reason: string;
}

/** Operators (admin): list, create with a one-time password shown once, change role, permission, status. */
export function operatorRoutes(auth: OperatorAuth, audit: AuditFn): FastifyPluginAsync {
  return async (app) => {
    app.get('/admin/api/operators', { config: needs('admin') }, async () => ({ items: (await auth.list()).map((o) => operatorView(o)) }));

    app.post<{ Body: { name: string; role: Role; canUnmask?: boolean; reason: string } }>('/admin/api/operators', { schema: { body: createBody }, config: needs('admin') }, async (req, reply) => {
      const { operator, oneTimePassword } = await auth.create(req.body.name, req.body.role, req.body.canUnmask ?? false);
      await audit(req, { action: 'operator.create', target: `operator:${operator.name}`, after: operatorView(operator), reason: req.body.reason });
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({ operator: operatorView(operator), oneTimePassword });
    });

    app.patch<{ Params: { name: string }; Body: Patch }>(
      '/admin/api/operators/:name',
      { schema: { params: { type: 'object', required: ['name'], properties: { name: { type: 'string', maxLength: 64 } } }, body: patchBody }, config: needs('admin') },
      async (req) => {
        const { reason, ...patch } = req.body;
        // An admin cannot lock themself out of the console by accident; another admin can.
        if (req.params.name === req.session!.operator.name && (patch.disabled || (patch.role && patch.role !== 'admin'))) {
          throw new FirmbankError('FB_ADMIN_CONFLICT', 'an admin cannot disable or demote themself; ask another admin');
        }
        const { before, after } = await auth.update(req.params.name, patch);
        await audit(req, { action: 'operator.update', target: `operator:${after.name}`, before: operatorView(before), after: operatorView(after), reason });
        return operatorView(after);
      },
    );
  };
}
