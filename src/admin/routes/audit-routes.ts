import type { FastifyPluginAsync } from 'fastify';
import type { AuditStore } from '../../ledger/audit-store.js';
import { needs } from '../operator-hooks.js';
import { auditEntryView } from '../views.js';
import { pageLimit, PAGE_QUERY } from './paging.js';

/** The audit log, newest first: every operator may read it (it holds no unmasked data). */
export function auditRoutes(audit: AuditStore): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: { actor?: string; action?: string; after?: string; limit?: string } }>(
      '/admin/api/audit',
      { schema: { querystring: { type: 'object', additionalProperties: false, properties: { ...PAGE_QUERY, actor: { type: 'string', maxLength: 64 }, action: { type: 'string', maxLength: 64 } } } }, config: needs('viewer') },
      async (req) => {
        const { actor, action, after, limit } = req.query;
        const page = await audit.page({ ...(actor ? { actor } : {}), ...(action ? { action } : {}) }, { ...(after ? { after } : {}), limit: pageLimit(limit) });
        return { items: page.items.map(auditEntryView), next: page.next };
      },
    );
  };
}
