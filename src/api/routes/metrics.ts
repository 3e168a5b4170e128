import type { FastifyPluginAsync } from 'fastify';
import type { MetricsService } from '../services.js';

/** GET /metrics: this process's Prometheus exposition, for a key with the `metrics` scope. */
export function metricsRoutes(metrics: MetricsService): FastifyPluginAsync {
  return async (app) => {
    app.get('/metrics', { config: { scope: 'metrics' } }, async (_req, reply) => {
      const { contentType, body } = await metrics.render();
      return reply.type(contentType).send(body);
    });
  };
}
