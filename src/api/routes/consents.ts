import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { maskText } from '../../codec/mask.js';
import { ARS_CONSENT_TYPE, isFinalConsent, type Consent } from '../../domain/consent.js';
import { FirmbankError, isFirmbankError } from '../../errors/firmbank-error.js';
import type { ConsentInput } from '../../flows/consent-input.js';
import { errorDetails } from '../../log/error-details.js';
import type { Logger } from '../../log/logger.js';
import type { ConsentService } from '../consent-service.js';
import { SCHEMAS } from '../openapi.js';
import { problemFor, sendProblem, type Problem } from '../problem.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A route any caller may reach without an API key (it authenticates otherwise: the ARS callback's signature). */
    public?: boolean;
  }
}

const consentBody = {
  type: 'object',
  additionalProperties: false,
  required: ['requestId', 'payerNumber', 'bankCode', 'account', 'holderIdNo', 'phone'],
  properties: {
    requestId: { type: 'string', minLength: 1, maxLength: 128, description: "The caller's id: same id + same body = same consent" },
    institution: { type: 'string', description: 'Bank or VAN to register the payer at (default: the first configured)' },
    payerNumber: { type: 'string', minLength: 1, maxLength: 20, description: '납부자번호: the service’s number for the payer, under which collections are made' },
    bankCode: { type: 'string', pattern: '^[0-9]{3}$', description: "The payer's bank (KFTC code): the institution's contracted bank" },
    account: { type: 'string', pattern: '^[0-9]{6,15}$', description: "The payer's account, digits only" },
    holderIdNo: { type: 'string', pattern: '^([0-9]{6}|[0-9]{10})$', description: '실명번호: birth date YYMMDD or business number (never shown again)' },
    phone: { type: 'string', minLength: 9, maxLength: 13, description: 'The phone the ARS calls, e.g. 010-1234-5678 (shown masked from here on)' },
  },
} as const;

const evidenceQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to'],
  properties: {
    from: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'First day (KST), YYYY-MM-DD' },
    to: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'Last day (KST), YYYY-MM-DD, included' },
  },
} as const;

/** A consent as callers see it: the account and phone masked, never the id number. */
export function consentView(c: Consent) {
  return {
    id: c.id,
    requestId: c.requestId,
    institution: c.institution,
    state: c.state,
    payerNumber: c.payerNumber,
    bankCode: c.bankCode,
    account: maskText('account', c.account),
    phone: c.phoneMasked,
    consentType: ARS_CONSENT_TYPE,
    arsOutcome: c.arsOutcome,
    evidence: c.evidence ? { callId: c.evidence.callId, recordingId: c.evidence.recordingId, recordingSha256: c.evidence.recordingSha256, confirmedAt: c.evidence.confirmedAt } : null,
    bankAnswer: c.bankAnswer,
    applicationDate: c.applicationDate,
    registeredAt: c.registeredAt,
    withdrawRequestedAt: c.withdrawRequestedAt,
    endedAt: c.endedAt,
    retainUntil: c.retainUntil,
    needsOperator: c.needsOperator,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

/**
 * The problem for an error this plugin answers itself: a request that failed its schema (naming the
 * field), one of our errors (its status from STATUS_BY_CODE), or one of
 * Fastify's 4xx. Undefined for anything else (a bug): the server's handler logs it and answers 500.
 */
function problemOf(error: FastifyError): Problem | undefined {
  const v = error.validation;
  const { statusCode, message } = error;
  if (v && v.length > 0) {
    const first = v[0]!;
    const params = first.params as Record<string, unknown>;
    const field = (params['missingProperty'] as string | undefined) ?? (params['additionalProperty'] as string | undefined) ?? (first.instancePath.replace(/^\//, '').replace(/\//g, '.') || 'body');
    return problemFor('FB_VALIDATION', `${field}: ${first.message ?? 'invalid'}`, field);
  }
  if (!isFirmbankError(error)) {
    // Fastify's own refusals of the request (a body that is not JSON, a media type it cannot read).
    return statusCode && statusCode >= 400 && statusCode < 500 ? { status: statusCode, code: 'FB_BAD_REQUEST', title: 'Bad request', detail: message } : undefined;
  }
  const field = (error as { field?: string }).field;
  return problemFor(error.code, error.message, field);
}

/**
 * POST/GET/DELETE /v1/consents (ARS 출금동의 and the payer's registration at the bank), the evidence export
 * GET /v1/consents/evidence, and the ARS provider's callback POST /v1/ars/callback — the one route without
 * an API key (`config.public`): it is trusted by its signature alone, and answers 204 or 401. A service sees
 * and withdraws only its own consents (scope `consents`).
 */
export function consentRoutes(consents: ConsentService, logger: Logger): FastifyPluginAsync {
  return async (app) => {
    app.setErrorHandler((error: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
      const p = problemOf(error);
      if (!p) throw error; // the server's handler: logged, 500
      if (p.status >= 500) logger.error('consent.api-error', { method: req.method, route: req.routeOptions.url ?? null, code: p.code, ...errorDetails(error) });
      if (p.status === 503) reply.header('retry-after', '30');
      return sendProblem(reply, p);
    });

    const scoped = { scope: 'consents' as const };

    /** The caller's own consent; another service's does not exist, as far as this caller can tell. */
    const own = async (req: FastifyRequest<{ Params: { id: string } }>): Promise<Consent> => {
      const c = await consents.get(req.caller.service, req.params.id);
      if (!c) throw new FirmbankError('FB_NOT_FOUND', `no consent ${req.params.id}`);
      return c;
    };

    app.post<{ Body: ConsentInput & { institution?: string } }>('/v1/consents', { schema: { body: consentBody }, config: scoped }, async (req, reply) => {
      const { institution, ...input } = req.body;
      const { consent, created } = await consents.start(institution, req.caller.service, input);
      reply.header('location', `/v1/consents/${consent.id}`);
      return reply.code(created ? 202 : 200).send(consentView(consent));
    });

    app.get<{ Querystring: { from: string; to: string } }>('/v1/consents/evidence', { schema: { querystring: evidenceQuery }, config: scoped }, async (req) =>
      consents.evidence(req.caller.service, req.query.from, req.query.to),
    );

    app.get<{ Params: { id: string } }>('/v1/consents/:id', { schema: { params: SCHEMAS.idParams }, config: scoped }, async (req) => consentView(await own(req)));

    app.delete<{ Params: { id: string } }>('/v1/consents/:id', { schema: { params: SCHEMAS.idParams }, config: scoped }, async (req, reply) => {
      const c = await consents.withdraw(req.caller.service, req.params.id);
      // 200 once it is withdrawn; 202 while the cancellation (or the registration it waits for) is on its way.
      return reply.code(isFinalConsent(c.state) ? 200 : 202).send(consentView(c));
    });

    // The callback reads its body as bytes: the signature is over the raw body, not over parsed JSON.
    await app.register(async (raw) => {
      raw.removeAllContentTypeParsers();
      raw.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
      raw.post<{ Body: Buffer }>('/v1/ars/callback', { config: { public: true } }, async (req, reply) => {
        await consents.arsCallback(req.headers, Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
        return reply.code(204).send();
      });
    });
  };
}
