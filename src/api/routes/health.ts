import type { FastifyPluginAsync } from 'fastify';
import { openApiDocument } from '../openapi.js';
import type { ReadinessService } from '../services.js';

/** Liveness, readiness (503 until the database answers and every institution has a ready link), OpenAPI. */
export function healthRoutes(readiness: ReadinessService): FastifyPluginAsync {
  return async (app) => {
    app.get('/health', async () => ({ status: 'ok' }));
    app.get('/ready', async (_req, reply) => {
      const r = await readiness.ready();
      return reply.code(r.ready ? 200 : 503).send(r);
    });
    app.get('/openapi.json', async () => openApiDocument());
  };
}
