import type { FastifyInstance } from 'fastify';
import type { AdminServices } from './admin-services.js';
import { auditOf } from './audit-trail.js';
import { consoleFiles } from './console-files.js';
import { operatorHooks } from './operator-hooks.js';
import { activityRoutes } from './routes/activity-routes.js';
import { apiKeyRoutes } from './routes/api-key-routes.js';
import { auditRoutes } from './routes/audit-routes.js';
import { dashboardRoutes } from './routes/dashboard-routes.js';
import { operatorRoutes } from './routes/operator-routes.js';
import { reconciliationRoutes } from './routes/reconciliation-routes.js';
import { sessionRoutes } from './routes/session-routes.js';
import { switchRoutes } from './routes/switch-routes.js';
import { transferRoutes } from './routes/transfer-routes.js';
import { webhookRoutes } from './routes/webhook-routes.js';

export interface AdminApiOptions {
  /** Mark the session cookie Secure (the console is served over TLS). */
  readonly secureCookie?: boolean;
  /** Where the built console is (default admin/dist). */
  readonly consoleDir?: string;
}

/**
 * The operators' side of the gateway on the API's server: the admin API (/admin/api/…, documented in
 * admin/openapi.yaml; sessions, not service keys) and the console app at /admin. The service API's hook
 * leaves these routes alone (`operators` / `public` in their config); {@link operatorHooks} guards them.
 */
export function registerAdmin(app: FastifyInstance, s: AdminServices, options: AdminApiOptions = {}): void {
  const audit = auditOf(s.audit);
  operatorHooks(app, s.auth);
  void app.register(sessionRoutes(s.auth, audit, options.secureCookie ?? false));
  void app.register(dashboardRoutes(s));
  void app.register(transferRoutes(s, audit));
  void app.register(activityRoutes(s, audit));
  void app.register(reconciliationRoutes(s, audit));
  void app.register(webhookRoutes(s, audit));
  void app.register(switchRoutes(s.switches, audit));
  void app.register(apiKeyRoutes(s, audit));
  void app.register(operatorRoutes(s.auth, audit));
  void app.register(auditRoutes(s.audit));
  void app.register(consoleFiles(options.consoleDir));
}
