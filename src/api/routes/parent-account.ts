import type { FastifyPluginAsync } from 'fastify';
import { SCHEMAS } from '../openapi.js';
import type { ParentAccountService } from '../services.js';

/** GET /v1/balances and /v1/totals: our own parent account, a permission of its own (`parent-account`). */
export function parentAccountRoutes(parentAccount: ParentAccountService): FastifyPluginAsync {
  return async (app) => {
    const options = { schema: { querystring: SCHEMAS.institutionQuery }, config: { scope: 'parent-account' as const } };
    app.get<{ Querystring: { institution?: string } }>('/v1/balances', options, async (req) => parentAccount.balance(req.query.institution));
    app.get<{ Querystring: { institution?: string } }>('/v1/totals', options, async (req) => parentAccount.totals(req.query.institution));
  };
}
