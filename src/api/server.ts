import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { isFirmbankError } from '../errors/firmbank-error.js';
import type { Logger } from '../log/logger.js';
import { logRequest } from './access-log.js';
import type { ApiCaller, ApiKeys } from './api-keys.js';
import { AuthFailureLimiter, DEFAULT_AUTH_FAILURE_LIMITS, type AuthFailureLimits } from './auth-failure-limiter.js';
import { clientErrorHandler } from './client-error.js';
import { problemFor, sendProblem } from './problem.js';
import { REQUEST_ID_HEADER, requestIdOf } from './request-id.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { collectionRoutes } from './routes/collections.js';
import { consentRoutes } from './routes/consents.js';
import { oneWonRoutes } from './routes/one-won.js';
import { metricsRoutes } from './routes/metrics.js';
import { fastifyTracingPlugin } from '../tracing/fastify-tracing.js';
import { parentAccountRoutes } from './routes/parent-account.js';
import { transferRoutes } from './routes/transfers.js';
import { verificationRoutes } from './routes/verifications.js';
import type { ApiServices } from './services.js';
import type { Scope } from './scopes.js';
import { errorDetails } from '../log/error-details.js';
import { runWithLogContext } from '../log/log-context.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook before any route handler runs (null in hooks of refused requests). */
    caller: ApiCaller;
  }
  interface FastifyContextConfig {
    /** What the caller's key must allow for this route; none: any valid key. */
    scope?: Scope;
    /** An operators' route (the admin API, src/admin): operators' sessions, checked by its own hooks, never service keys. */
    operators?: boolean;
  }
}

/** Limits of the API that tests (and a deployment, through the gateway) may change. */
export interface ApiOptions {
  /** Failed authentications per client address before it gets 429. */
  readonly authFailures?: AuthFailureLimits;
  /** Longest URL (path and query) answered; longer is 414. */
  readonly maxUrlLength?: number;
  /** Told of every answered request (metrics): its method, route pattern (null when none matched), status, seconds. */
  readonly observe?: (method: string, route: string | null, status: number, seconds: number) => void;
}

/** A path parameter longer than this is 414 (ids are 36 characters). */
const MAX_PARAM_LENGTH = 100;
const DEFAULT_MAX_URL_LENGTH = 2048;

/**
 * The HTTP API for internal services (Fastify). Every route, health included, needs a service's API key
 * (`Authorization: Bearer fbk_…`) whose scopes allow the route; an address that keeps failing to
 * authenticate is refused for a while (429). Errors, those of Node's HTTP parser included, are RFC 9457
 * problem documents naming the field at fault; bad input is always a 4xx, never a stack trace. Every
 * request is one `api.request` line in `logger`, named by its `X-Request-Id` (the caller's or a new one,
 * echoed on the answer).
 */
export function buildApi(services: ApiServices, keys: ApiKeys, logger: Logger, maxWaitMs: number, options: ApiOptions = {}): FastifyInstance {
  const limiter = new AuthFailureLimiter(options.authFailures ?? DEFAULT_AUTH_FAILURE_LIMITS);
  const maxUrlLength = options.maxUrlLength ?? DEFAULT_MAX_URL_LENGTH;

  /** What the router refuses before any hook runs: a bad percent-encoding, an overlong path parameter. */
  const frameworkErrors = (error: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const p =
      error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? problemFor('FB_URI_TOO_LONG', `a path segment is longer than ${MAX_PARAM_LENGTH} characters`)
        : error.code === 'FST_ERR_BAD_URL'
          ? problemFor('FB_BAD_URL', 'the URL path is not valid percent-encoded UTF-8')
          : problemFor('FB_BAD_REQUEST', 'the request cannot be routed');
    reply.header(REQUEST_ID_HEADER, req.id);
    sendProblem(reply, p, null); // the URL is what is wrong: not echoed
    logRequest(logger, { method: req.method, route: null, status: p.status, latencyMs: reply.elapsedTime, requestId: req.id, ip: req.ip });
  };

  const app = Fastify({
    logger: false,
    bodyLimit: 64 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    genReqId: requestIdOf,
    frameworkErrors,
    clientErrorHandler: clientErrorHandler(logger),
  });
  app.decorateRequest('caller', null as unknown as ApiCaller);
  // First, so that a request's span encloses every hook (a no-op unless tracing was started).
  void app.register(fastifyTracingPlugin());
  // Every line logged while a request is handled names it.
  app.addHook('onRequest', (req, _reply, done) => runWithLogContext({ requestId: req.id }, done));

  // In order: name the request, refuse what is malformed, then who is calling, then what they may do.
  app.addHook('onRequest', async (req, reply) => {
    reply.header(REQUEST_ID_HEADER, req.id);
    if (req.url.length > maxUrlLength) return sendProblem(reply, problemFor('FB_URI_TOO_LONG', `the URL is ${req.url.length} characters long; at most ${maxUrlLength} are read`), null);
    // The ARS provider's callback carries no API key: its route checks the body's signature instead. The
    // console's files need none, and the admin API takes operators' sessions instead.
    if (req.routeOptions.config.public || req.routeOptions.config.operators) return;
    const wait = limiter.retryAfterSeconds(req.ip);
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      return sendProblem(reply, problemFor('FB_AUTH_RATE_LIMITED', `too many failed authentications from this address; try again in ${wait} s`));
    }
    const key = /^Bearer (\S+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    const caller = key ? await keys.identify(key) : null;
    if (!caller) {
      limiter.fail(req.ip);
      return sendProblem(reply, problemFor('FB_UNAUTHORIZED', 'send a valid service API key as Authorization: Bearer <key>'));
    }
    req.caller = caller;
    const scope = req.routeOptions.config.scope;
    if (scope && !caller.scopes.includes(scope)) {
      return sendProblem(reply, problemFor('FB_FORBIDDEN', `this API key lacks the scope "${scope}" (it has: ${caller.scopes.join(', ') || 'none'})`));
    }
  });

  app.addHook('onResponse', async (req, reply) => {
    options.observe?.(req.method, req.routeOptions.url ?? null, reply.statusCode, reply.elapsedTime / 1_000);
    logRequest(logger, {
      method: req.method,
      route: req.routeOptions.url ?? null,
      status: reply.statusCode,
      latencyMs: reply.elapsedTime,
      requestId: req.id,
      ip: req.ip,
      service: req.caller?.service,
      keyId: req.caller?.keyId,
      operator: req.session?.operator.name,
    });
  });

  app.setErrorHandler((error, req, reply) => {
    const v = (error as { validation?: { instancePath: string; params: Record<string, unknown>; message?: string }[] }).validation;
    if (v && v.length > 0) {
      const first = v[0]!;
      const field = (first.params['missingProperty'] as string | undefined) ?? (first.params['additionalProperty'] as string | undefined) ?? (first.instancePath.replace(/^\//, '').replace(/\//g, '.') || 'body');
      return sendProblem(reply, problemFor('FB_VALIDATION', `${field}: ${first.message ?? 'invalid'}`, field));
    }
    if (isFirmbankError(error)) {
      // A refusal that passes (a breaker open) says when to come back.
      const retryInMs = (error as { retryInMs?: number }).retryInMs;
      if (retryInMs !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(retryInMs / 1_000))));
      return sendProblem(reply, problemFor(error.code, error.message, (error as { field?: string }).field));
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) return sendProblem(reply, { status, code: 'FB_BAD_REQUEST', title: 'Bad request', detail: (error as Error).message });
    logger.error('api.internal-error', { method: req.method, route: req.routeOptions.url ?? null, requestId: req.id, ...errorDetails(error), err: error });
    return sendProblem(reply, { status: 500, code: 'FB_INTERNAL', title: 'Internal error', detail: 'an internal error occurred; it has been logged' });
  });

  app.setNotFoundHandler((req, reply) => sendProblem(reply, problemFor('FB_NOT_FOUND', `no route ${req.method} ${req.url}`)));

  // One plugin per flow: each route says the scope its key needs; the hooks above apply to all of them.
  void app.register(transferRoutes(services.transfers, maxWaitMs));
  void app.register(collectionRoutes(services.collections, maxWaitMs));
  void app.register(consentRoutes(services.consents, logger));
  void app.register(oneWonRoutes(services.oneWon));
  void app.register(verificationRoutes(services.verifications));
  void app.register(parentAccountRoutes(services.parentAccount));
  void app.register(eventRoutes(services.events, services.webhooks));
  void app.register(healthRoutes(services.readiness));
  void app.register(metricsRoutes(services.metrics));
  return app;
}
