import type { FastifyPluginAsync } from 'fastify';
import { FirmbankError } from '../../errors/firmbank-error.js';
import type { AdminServices } from '../admin-services.js';
import { REASON_BODY, type AuditFn } from '../audit-trail.js';
import { needs } from '../operator-hooks.js';
import { webhookDeliveryView, webhookEndpointView } from '../views.js';

/** Every service's webhook endpoints and deliveries; an operator sends a delivery again with a reason. */
export function webhookRoutes(s: AdminServices, audit: AuditFn): FastifyPluginAsync {
  return async (app) => {
    app.get('/admin/api/webhooks/endpoints', { config: needs('viewer') }, async () => ({ items: (await s.queries.webhookEndpoints()).map(webhookEndpointView) }));

    app.get<{ Querystring: { status?: 'pending' | 'delivered' | 'dead'; service?: string } }>(
      '/admin/api/webhooks/deliveries',
      { schema: { querystring: { type: 'object', additionalProperties: false, properties: { status: { type: 'string', enum: ['pending', 'delivered', 'dead'] }, service: { type: 'string', maxLength: 64 } } } }, config: needs('viewer') },
      async (req) => ({ items: (await s.queries.webhookDeliveries(req.query, 200)).map(webhookDeliveryView) }),
    );

    app.post<{ Params: { did: string }; Body: { reason: string } }>(
      '/admin/api/webhooks/deliveries/:did/redeliver',
      { schema: { params: { type: 'object', required: ['did'], properties: { did: { type: 'string', pattern: '^[0-9]{1,12}$' } } }, body: REASON_BODY }, config: needs('operator') },
      async (req, reply) => {
        const id = Number(req.params.did);
        if (!(await s.webhooks.redeliver(id))) throw new FirmbankError('FB_NOT_FOUND', `no delivery #${id} to send again`);
        await audit(req, { action: 'webhook.redeliver', target: `delivery:${id}`, reason: req.body.reason });
        return reply.code(202).send({ queued: true });
      },
    );
  };
}
