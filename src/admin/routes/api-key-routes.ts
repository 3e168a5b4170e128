import type { FastifyPluginAsync } from 'fastify';
import { Decimal } from 'decimal.js';
import type { ApiKeyListing } from '../../api/api-keys.js';
import { SCOPES, type Scope } from '../../api/scopes.js';
import { FirmbankError } from '../../errors/firmbank-error.js';
import type { AdminServices } from '../admin-services.js';
import { REASON, REASON_BODY, type AuditFn } from '../audit-trail.js';
import { needs } from '../operator-hooks.js';

const createBody = {
  type: 'object',
  additionalProperties: false,
  required: ['service', 'scopes', 'maxAmount', 'reason'],
  properties: {
    service: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,63}$' },
    scopes: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: [...SCOPES] } },
    maxAmount: { type: 'string', pattern: '^[0-9]{1,13}$' },
    reason: REASON,
  },
} as const;

export const apiKeyView = (k: ApiKeyListing) => ({
  keyId: k.keyId,
  service: k.service,
  scopes: [...k.scopes],
  maxAmount: k.maxAmount.toFixed(0),
  createdAt: k.createdAt.toISOString(),
  revokedAt: k.revokedAt?.toISOString() ?? null,
});

/** The services' API keys (admin): listed without the key, created with the key shown once, revoked. */
export function apiKeyRoutes(s: AdminServices, audit: AuditFn): FastifyPluginAsync {
  return async (app) => {
    app.get('/admin/api/api-keys', { config: needs('admin') }, async () => ({ items: (await s.apiKeys.list()).map(apiKeyView) }));

    app.post<{ Body: { service: string; scopes: Scope[]; maxAmount: string; reason: string } }>('/admin/api/api-keys', { schema: { body: createBody }, config: needs('admin') }, async (req, reply) => {
      const { key, apiKey } = await s.apiKeys.create(req.body.service, new Decimal(req.body.maxAmount), req.body.scopes);
      await audit(req, { action: 'apikey.create', target: `apikey:${key.keyId}`, after: apiKeyView(key), reason: req.body.reason });
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({ key: apiKeyView(key), apiKey });
    });

    app.post<{ Params: { keyId: string }; Body: { reason: string } }>(
      '/admin/api/api-keys/:keyId/revoke',
      { schema: { params: { type: 'object', required: ['keyId'], properties: { keyId: { type: 'string', maxLength: 64 } } }, body: REASON_BODY }, config: needs('admin') },
      async (req) => {
        const r = await s.apiKeys.revoke(req.params.keyId);
        if (!r) throw new FirmbankError('FB_NOT_FOUND', `no API key ${req.params.keyId}`);
        if (!r.alreadyRevoked) await audit(req, { action: 'apikey.revoke', target: `apikey:${r.key.keyId}`, before: { revokedAt: null }, after: { revokedAt: r.key.revokedAt?.toISOString() ?? null }, reason: req.body.reason });
        return apiKeyView(r.key);
      },
    );
  };
}
