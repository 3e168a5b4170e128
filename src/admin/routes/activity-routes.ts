import type { FastifyPluginAsync } from 'fastify';
import { FirmbankError } from '../../errors/firmbank-error.js';
import type { AdminServices } from '../admin-services.js';
import type { AuditFn } from '../audit-trail.js';
import { needs } from '../operator-hooks.js';
import { UNMASK_PARAM, unmaskFor } from '../unmask.js';
import { consentView, noticeViewWith, oneWonView } from '../views.js';
import { pageLimit, PAGE_QUERY } from './paging.js';

const query = (extra: Record<string, unknown>) => ({ type: 'object', additionalProperties: false, properties: { ...PAGE_QUERY, ...extra } }) as const;
const page = (q: { after?: string; limit?: string }) => ({ ...(q.after ? { after: q.after } : {}), limit: pageLimit(q.limit) });

/**
 * What came in and what was agreed to: deposit and failure notices and their gaps, payers' consents (their
 * recordings for operators, audited), one-won verifications.
 */
export function activityRoutes(s: AdminServices, audit: AuditFn): FastifyPluginAsync {
  // A notice's kind, amount and account are read through its institution's profile: the names are data.
  const noticeView = noticeViewWith(s.profile);
  return async (app) => {
    app.get<{ Querystring: { institution?: string; after?: string; limit?: string } }>(
      '/admin/api/notices',
      { schema: { querystring: query({ institution: { type: 'string', maxLength: 32 } }) }, config: needs('viewer') },
      async (req) => {
        const r = await s.queries.notices({ ...(req.query.institution ? { institution: req.query.institution } : {}) }, page(req.query));
        return { items: r.items.map(noticeView), next: r.next };
      },
    );

    app.get('/admin/api/notice-gaps', { config: needs('viewer') }, async () => ({ items: await s.queries.noticeGaps() }));

    app.get<{ Querystring: { state?: string; unmask?: string; after?: string; limit?: string } }>(
      '/admin/api/consents',
      { schema: { querystring: query({ state: { type: 'string', maxLength: 32 }, unmask: UNMASK_PARAM }) }, config: needs('viewer') },
      async (req) => {
        const unmasked = await unmaskFor(req, audit, 'consents');
        const r = await s.queries.consents({ ...(req.query.state ? { state: req.query.state } : {}) }, page(req.query));
        return { items: r.items.map((c) => consentView(c, unmasked)), next: r.next };
      },
    );

    app.get<{ Params: { cid: string } }>(
      '/admin/api/consents/:cid/evidence',
      { schema: { params: { type: 'object', required: ['cid'], properties: { cid: { type: 'string', maxLength: 36 } } } }, config: needs('operator') },
      async (req, reply) => {
        const c = await s.consents.get(req.params.cid);
        const recording = c && (await s.consents.recording(c));
        if (!c || !recording) throw new FirmbankError('FB_NOT_FOUND', `no recorded evidence for consent ${req.params.cid}`);
        await audit(req, { action: 'consent.evidence.download', target: `consent:${c.id}` });
        return reply
          .type('application/octet-stream')
          .header('content-disposition', `attachment; filename="${recording.fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"`)
          .header('cache-control', 'no-store')
          .send(recording.bytes);
      },
    );

    app.get<{ Querystring: { state?: string; after?: string; limit?: string } }>(
      '/admin/api/one-won',
      { schema: { querystring: query({ state: { type: 'string', enum: ['open', 'verified', 'locked', 'failed', 'expired'] } }) }, config: needs('viewer') },
      async (req) => {
        const r = await s.queries.oneWon({ ...(req.query.state ? { state: req.query.state } : {}) }, page(req.query));
        return { items: r.items.map(oneWonView), next: r.next };
      },
    );
  };
}
