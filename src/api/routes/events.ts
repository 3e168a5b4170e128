import type { FastifyPluginAsync } from 'fastify';
import { EVENT_TYPES, eventDocument, type EventType } from '../../domain/events.js';
import { FirmbankError } from '../../errors/firmbank-error.js';
import type { EventService, WebhookService } from '../services.js';

const MAX_PAGE = 1_000;

const feedQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    after: { type: 'string', pattern: '^[0-9]{1,15}$', description: 'The `next` of the previous page; absent or 0 from the beginning' },
    limit: { type: 'string', pattern: '^[0-9]{1,4}$', description: `Events per page, 1–${MAX_PAGE} (default 100)` },
  },
} as const;

const webhookBody = {
  type: 'object',
  additionalProperties: false,
  required: ['url', 'types'],
  properties: {
    url: { type: 'string', minLength: 1, maxLength: 2048, description: 'https:// (or http://) URL; private, loopback and link-local addresses are refused' },
    types: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...EVENT_TYPES] } },
  },
} as const;

const numericId = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9]{1,12}$' } } } as const;

/**
 * GET /v1/events (the change feed) and /v1/webhooks (endpoints, deliveries, redelivery): a service sees
 * and manages only its own. Scope `transfers`: the events are about its transfers and its money.
 */
export function eventRoutes(events: EventService, webhooks: WebhookService): FastifyPluginAsync {
  return async (app) => {
    const scope = { scope: 'transfers' as const };

    app.get<{ Querystring: { after?: string; limit?: string } }>('/v1/events', { schema: { querystring: feedQuery }, config: scope }, async (req) => {
      const limit = req.query.limit === undefined ? 100 : Number(req.query.limit);
      if (limit < 1 || limit > MAX_PAGE) throw new FirmbankError('FB_VALIDATION', `limit: must be 1 to ${MAX_PAGE}`);
      const page = await events.feed(req.caller.service, Number(req.query.after ?? '0'), limit);
      return { events: page.events.map(eventDocument), next: String(page.next) };
    });

    app.post<{ Body: { url: string; types: EventType[] } }>('/v1/webhooks', { schema: { body: webhookBody }, config: scope }, async (req, reply) => {
      const { endpoint, secret } = await webhooks.create(req.caller.service, req.body.url, req.body.types);
      // The secret is shown this once; only its sealed form is kept.
      return reply.code(201).send({ ...endpoint, secret });
    });

    app.get('/v1/webhooks', { config: scope }, async (req) => ({ endpoints: await webhooks.list(req.caller.service) }));

    app.post<{ Params: { id: string } }>('/v1/webhooks/:id/rotate', { schema: { params: numericId }, config: scope }, async (req) => {
      const rotated = await webhooks.rotate(req.caller.service, Number(req.params.id));
      if (!rotated) throw new FirmbankError('FB_NOT_FOUND', `no webhook endpoint ${req.params.id}`);
      return { ...rotated.endpoint, secret: rotated.secret };
    });

    app.delete<{ Params: { id: string } }>('/v1/webhooks/:id', { schema: { params: numericId }, config: scope }, async (req, reply) => {
      if (!(await webhooks.disable(req.caller.service, Number(req.params.id)))) throw new FirmbankError('FB_NOT_FOUND', `no webhook endpoint ${req.params.id}`);
      return reply.code(204).send();
    });

    app.get<{ Querystring: { status?: 'pending' | 'delivered' | 'dead' } }>(
      '/v1/webhooks/deliveries',
      { schema: { querystring: { type: 'object', additionalProperties: false, properties: { status: { enum: ['pending', 'delivered', 'dead'] } } } }, config: scope },
      async (req) => ({ deliveries: await webhooks.deliveries(req.caller.service, req.query.status) }),
    );

    app.post<{ Params: { id: string } }>('/v1/webhooks/deliveries/:id/redeliver', { schema: { params: numericId }, config: scope }, async (req, reply) => {
      if (!(await webhooks.redeliver(req.caller.service, Number(req.params.id)))) throw new FirmbankError('FB_NOT_FOUND', `no dead delivery ${req.params.id}`);
      return reply.code(202).send({ id: Number(req.params.id), status: 'pending' });
    });
  };
}
