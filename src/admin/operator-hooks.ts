import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { roleAllows, type Role } from '../domain/operator.js';
import { problemFor, sendProblem } from '../api/problem.js';
import type { OperatorSession } from './operator-auth.js';
import { sessionTokenOf } from './session-cookie.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The role an operators' route needs (none: admin — a route that forgot to say is the safest kind). */
    role?: Role;
    /** Reachable without a session (log in). */
    anonymous?: boolean;
    /** Allowed while the operator must still change a one-time password. */
    duringPasswordChange?: boolean;
  }
  interface FastifyRequest {
    /** The operator's session on an operators' route, once the hooks let the request through. */
    session: OperatorSession | null;
    /** The session token from the cookie (to log out). */
    sessionToken: string | null;
  }
}

/** Route options of an operators' route that needs `role`. */
export function needs(role: Role, extra: { duringPasswordChange?: boolean } = {}) {
  return { operators: true, role, ...extra } as const;
}

/** Methods that change nothing: the only ones allowed without the CSRF token. */
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface SessionLookup {
  session(token: string): Promise<OperatorSession | null>;
}

/**
 * Who may use an operators' route, checked in order: a live session (401), on a change the session's
 * CSRF token in `X-CSRF-Token` (403: SameSite=Strict already keeps other sites' requests from carrying
 * the cookie; the token also stops a same-site page or a browser without SameSite), a one-time password
 * changed (403), then the route's role (403). Service API keys are never accepted here.
 */
export function operatorHooks(app: FastifyInstance, auth: SessionLookup): void {
  app.decorateRequest('session', null);
  app.decorateRequest('sessionToken', null);
  app.addHook('onRequest', async (req, reply) => {
    const config = req.routeOptions.config;
    if (!config.operators || config.anonymous) return;
    const token = sessionTokenOf(req.headers.cookie);
    const session = token ? await auth.session(token) : null;
    if (!session) return sendProblem(reply, problemFor('FB_ADMIN_UNAUTHENTICATED', 'log in first (the session is missing, ended or timed out)'));
    if (!SAFE.has(req.method) && !csrfMatches(req, session.csrfToken)) {
      return sendProblem(reply, problemFor('FB_ADMIN_CSRF', 'send the session\'s CSRF token in X-CSRF-Token with every change'));
    }
    if (session.operator.mustChangePassword && !config.duringPasswordChange) {
      return sendProblem(reply, problemFor('FB_ADMIN_PASSWORD_CHANGE', 'change the one-time password first (POST /admin/api/session/password)'));
    }
    const role = config.role ?? 'admin';
    if (!roleAllows(session.operator.role, role)) {
      return sendProblem(reply, problemFor('FB_ADMIN_FORBIDDEN', `this needs the role ${role}; ${session.operator.name} is ${session.operator.role}`));
    }
    req.session = session;
    req.sessionToken = token;
  });
}

function csrfMatches(req: FastifyRequest, expected: string): boolean {
  const sent = req.headers['x-csrf-token'];
  if (typeof sent !== 'string') return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
