import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { AuthFailureLimiter, DEFAULT_AUTH_FAILURE_LIMITS } from '../../api/auth-failure-limiter.js';
import { problemFor, sendProblem } from '../../api/problem.js';
import { isFirmbankError } from '../../errors/firmbank-error.js';
import type { AuditFn } from '../audit-trail.js';
import type { OperatorAuth, OperatorSession } from '../operator-auth.js';
import { needs } from '../operator-hooks.js';
import { sessionCookie } from '../session-cookie.js';
import { operatorView } from '../operator-view.js';

const loginBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'password'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

const passwordBody = {
  type: 'object',
  additionalProperties: false,
  required: ['current', 'next'],
  properties: { current: { type: 'string', minLength: 1, maxLength: 200 }, next: { type: 'string', minLength: 12, maxLength: 200 } },
} as const;

export const sessionView = (s: OperatorSession) => ({ operator: operatorView(s.operator), csrfToken: s.csrfToken, expiresAt: s.expiresAt.toISOString() });

/**
 * Logging in and out: POST/GET/DELETE /admin/api/session, POST /admin/api/session/password. A failed
 * login counts against the account (lock-out, in OperatorAuth) and against the address (429 after too
 * many, whatever names it tries).
 */
export function sessionRoutes(auth: OperatorAuth, audit: AuditFn, secureCookie: boolean): FastifyPluginAsync {
  const limiter = new AuthFailureLimiter(DEFAULT_AUTH_FAILURE_LIMITS);
  const start = (reply: FastifyReply, token: string, s: OperatorSession) =>
    reply.header('set-cookie', sessionCookie(token, (s.expiresAt.getTime() - Date.now()) / 1_000, secureCookie)).header('cache-control', 'no-store');

  return async (app) => {
    app.post<{ Body: { name: string; password: string } }>('/admin/api/session', { schema: { body: loginBody }, config: { operators: true, anonymous: true } }, async (req, reply) => {
      const wait = limiter.retryAfterSeconds(req.ip);
      if (wait > 0) {
        reply.header('retry-after', String(wait));
        return sendProblem(reply, problemFor('FB_AUTH_RATE_LIMITED', `too many failed logins from this address; try again in ${wait} s`));
      }
      try {
        const { token, session } = await auth.login(req.body.name, req.body.password);
        await audit(req, { action: 'login', target: `operator:${session.operator.name}` }, session.operator.name);
        start(reply, token, session);
        return sessionView(session);
      } catch (e) {
        // Not audited: what was typed as a name may be a password typed in the wrong box. The account's
        // lock-out shows on the operator; the address is slowed down here.
        if (isFirmbankError(e) && (e.code === 'FB_ADMIN_BAD_LOGIN' || e.code === 'FB_ADMIN_LOCKED')) limiter.fail(req.ip);
        throw e;
      }
    });

    app.get('/admin/api/session', { config: needs('viewer', { duringPasswordChange: true }) }, async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return sessionView(req.session!);
    });

    app.delete('/admin/api/session', { config: needs('viewer', { duringPasswordChange: true }) }, async (req, reply) => {
      await auth.logout(req.sessionToken!);
      await audit(req, { action: 'logout', target: `operator:${req.session!.operator.name}` });
      return reply.header('set-cookie', sessionCookie(null, 0, secureCookie)).code(204).send();
    });

    app.post<{ Body: { current: string; next: string } }>(
      '/admin/api/session/password',
      { schema: { body: passwordBody }, config: needs('viewer', { duringPasswordChange: true }) },
      async (req) => {
        const operator = await auth.changePassword(req.session!.operator.id, req.body.current, req.body.next, req.sessionToken!);
        await audit(req, { action: 'password.change', target: `operator:${operator.name}` });
        return sessionView({ ...req.session!, operator });
      },
    );
  };
}
