import { FastifyOtelInstrumentation } from '@fastify/otel';
import type { FastifyPluginCallback } from 'fastify';
import { tracingStarted } from './tracing-state.js';

/**
 * Paths not traced: probes and scrapes, polled every few seconds, would bury the transfers' traces.
 * `/health` also covers whatever starts with it (`/healthz`, `/health/live`).
 */
export const UNTRACED_PATHS: readonly string[] = ['/health', '/ready', '/metrics'];

function untraced(url: string): boolean {
  // Called with a route's url (`/v1/transfers/:id`) and with a request's (query included).
  const path = url.split('?', 1)[0] ?? '';
  return UNTRACED_PATHS.some((p) => path === p || (p === '/health' && path.startsWith(p)));
}

/** Does nothing: the plugin when tracing is off, so that requests do not pay for no-op spans. */
const noTracing: FastifyPluginCallback = (_app, _opts, done) => done();

/**
 * The `@fastify/otel` plugin for our API: a `SERVER` span per request (named `<METHOD> <route>`), which
 * continues the caller's trace when the request has a `traceparent` header, and a child span around the
 * route handler, active while it runs, so that spans made in a handler (`withSpan`) are its children.
 * Hook spans are left out (`instrumentHooks: false`): a transfer's trace shows the request, the handler
 * and our work, not Fastify's plumbing. {@link UNTRACED_PATHS} get no span.
 *
 * Register it first, before any hook or route, so that it sees every route and its span encloses the
 * other hooks: `app.register(fastifyTracingPlugin())` (no await needed when routes are added through
 * plugins registered after it). Call it after {@link startTracing}: with tracing off (or not yet started)
 * it returns a plugin that does nothing, and `request.opentelemetry()` does not exist — use `withSpan`
 * and `currentTraceId` instead.
 *
 * Attributes it sets (method, route, path, status, hook names) are on the allow-list; the path loses its
 * query on export.
 */
export function fastifyTracingPlugin(): FastifyPluginCallback {
  if (!tracingStarted()) return noTracing;
  const instrumentation = new FastifyOtelInstrumentation({
    registerOnInitialization: false, // we register it ourselves, in buildApi, rather than on every Fastify instance made in the process
    instrumentHooks: false,
    ignorePaths: (route) => untraced(route.url),
    requestHook: (span, request) => {
      span.updateName(`${request.method} ${request.routeOptions.url ?? ''}`.trimEnd());
    },
  });
  return instrumentation.plugin();
}
