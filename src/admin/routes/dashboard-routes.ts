import type { FastifyPluginAsync } from 'fastify';
import type { AdminServices } from '../admin-services.js';
import { needs } from '../operator-hooks.js';

/**
 * GET /admin/api/dashboard: per institution what the running gateway knows (links, breaker, switches,
 * queue) joined with what the database counts (unknowns, 전문번호, today), and the last hour by minute.
 */
export function dashboardRoutes(s: AdminServices): FastifyPluginAsync {
  return async (app) => {
    app.get('/admin/api/dashboard', { config: needs('viewer') }, async () => {
      const now = new Date();
      const [live, figures] = await Promise.all([s.live(), s.queries.dashboard(now)]);
      return {
        at: now.toISOString(),
        institutions: live.map((l) => {
          const f = figures.institutions.find((i) => i.institution === l.id);
          return {
            ...l,
            unknownOpen: f?.unknownOpen ?? 0,
            unknownNeedOperator: f?.unknownNeedOperator ?? 0,
            oldestUnknownAt: f?.oldestUnknownAt?.toISOString() ?? null,
            seqUsedToday: f?.seqUsedToday ?? 0,
            latency: f?.latency ?? { p50Ms: null, p99Ms: null, settled: 0 },
            today: {
              count: f?.today.count ?? 0,
              succeeded: f?.today.succeeded ?? 0,
              succeededAmount: f?.today.succeededAmount ?? '0',
              failed: f?.today.failed ?? 0,
              unknown: f?.today.unknown ?? 0,
            },
          };
        }),
        lastHour: figures.lastHour.map((p) => ({ ...p, minute: p.minute.toISOString() })),
      };
    });
  };
}
