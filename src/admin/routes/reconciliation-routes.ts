import type { FastifyPluginAsync } from 'fastify';
import { FirmbankError } from '../../errors/firmbank-error.js';
import type { AdminServices } from '../admin-services.js';
import { REASON_BODY, type AuditFn } from '../audit-trail.js';
import { needs } from '../operator-hooks.js';
import { breakView, reconRunView } from '../views.js';
import { pageLimit } from './paging.js';

/** The nightly reconciliation's runs and breaks; an operator resolves a break with a reason. */
export function reconciliationRoutes(s: AdminServices, audit: AuditFn): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: { institution?: string; limit?: string } }>(
      '/admin/api/reconciliation/runs',
      { schema: { querystring: { type: 'object', additionalProperties: false, properties: { institution: { type: 'string', maxLength: 32 }, limit: { type: 'string', pattern: '^[0-9]{1,3}$' } } } }, config: needs('viewer') },
      async (req) => ({ items: (await s.queries.reconRuns({ ...(req.query.institution ? { institution: req.query.institution } : {}) }, pageLimit(req.query.limit))).map(reconRunView) }),
    );

    app.get<{ Querystring: { institution?: string; businessDate?: string; status?: 'open' | 'resolved' } }>(
      '/admin/api/reconciliation/breaks',
      {
        schema: {
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { institution: { type: 'string', maxLength: 32 }, businessDate: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' }, status: { type: 'string', enum: ['open', 'resolved'] } },
          },
        },
        config: needs('viewer'),
      },
      async (req) => ({ items: (await s.recon.breaks(req.query)).map(breakView) }),
    );

    app.get<{ Params: { rid: string }; Querystring: { kind?: 'csv' | 'html' } }>(
      '/admin/api/reconciliation/runs/:rid/report',
      {
        schema: {
          params: { type: 'object', required: ['rid'], properties: { rid: { type: 'string', pattern: '^[0-9]{1,12}$' } } },
          querystring: { type: 'object', additionalProperties: false, properties: { kind: { type: 'string', enum: ['csv', 'html'] } } },
        },
        config: needs('viewer'),
      },
      async (req, reply) => {
        const kind = req.query.kind ?? 'html';
        const report = await s.recon.report(Number(req.params.rid), kind);
        if (!report) throw new FirmbankError('FB_NOT_FOUND', `run #${req.params.rid} has no ${kind} report`);
        // A download, never a page of the console: the report's HTML is the batch's, not under the console's CSP.
        return reply
          .type(kind === 'csv' ? 'text/csv; charset=utf-8' : 'text/html; charset=utf-8')
          .header('content-disposition', `attachment; filename="${report.fileName}"`)
          .header('x-content-type-options', 'nosniff')
          .header('cache-control', 'no-store')
          .send(report.bytes);
      },
    );

    app.post<{ Params: { bid: string }; Body: { reason: string } }>(
      '/admin/api/reconciliation/breaks/:bid/resolve',
      { schema: { params: { type: 'object', required: ['bid'], properties: { bid: { type: 'string', pattern: '^[0-9]{1,12}$' } } }, body: REASON_BODY }, config: needs('operator') },
      async (req) => {
        const resolved = await s.recon.resolve(Number(req.params.bid), req.session!.operator.name, req.body.reason);
        await audit(req, { action: 'break.resolve', target: `break:${resolved.id}`, before: { status: 'open' }, after: { status: resolved.status, resolution: resolved.resolution }, reason: req.body.reason });
        return breakView(resolved);
      },
    );
  };
}
