import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { maskText } from '../codec/mask.js';
import { FirmbankError, isFirmbankError } from '../errors/firmbank-error.js';
import { ValidationError } from '../flows/validation-error.js';
import type { TransferRow } from '../ledger/entities.js';
import { isFinal } from '../ledger/transfer-state.js';
import type { Logger } from '../log/logger.js';
import type { ServiceIdentity } from '../flows/transfer-flow.js';
import type { TransferInput } from '../flows/transfer-input.js';
import type { VerificationInput } from '../flows/verification-flow.js';
import type { ApiKeys } from './api-keys.js';
import { openApiDocument, SCHEMAS } from './openapi.js';
import { sendProblem, STATUS_BY_CODE } from './problem.js';

/** What the API needs from the gateway, per institution. */
export interface ApiBackend {
  readonly institutions: readonly string[];
  submit(institution: string, caller: ServiceIdentity, input: TransferInput): Promise<{ transfer: TransferRow; created: boolean }>;
  get(id: string): Promise<TransferRow | null>;
  /** Resolves with the transfer when this process changes it, or with null after `ms`. */
  waitForChange(id: string, ms: number): Promise<TransferRow | null>;
  verify(institution: string, input: VerificationInput): Promise<unknown>;
  balance(institution: string): Promise<unknown>;
  /** Today's transfer totals as the bank counts them (7000/300). */
  totals(institution: string): Promise<unknown>;
  /** The telegrams of a transfer: raw bytes (hex) and the decoded view, masked. */
  telegrams(transfer: TransferRow): Promise<unknown[]>;
  ready(): Promise<{ ready: boolean; detail: Record<string, unknown> }>;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: ServiceIdentity;
  }
}

/** A transfer as callers see it: amounts as decimal strings, the account masked. */
export function transferView(t: TransferRow) {
  return {
    id: t.id,
    requestId: t.requestId,
    institution: t.institution,
    state: t.state,
    bankCode: t.depositBankCode,
    account: maskText('account', t.depositAccount),
    amount: t.amount.toFixed(0),
    fee: t.fee?.toFixed(0) ?? null,
    memo: t.memo,
    responseCode: t.responseCode,
    responseMessage: t.responseMessage,
    needsOperator: t.needsOperator,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}

/** `Prefer: wait=N` (RFC 7240): how long the caller is willing to wait for the final result, in ms. */
function preferWaitMs(req: FastifyRequest, max: number): number {
  const m = /(?:^|[,;\s])wait=(\d+)/.exec(String(req.headers['prefer'] ?? ''));
  return m ? Math.min(Number(m[1]) * 1000, max) : 0;
}

/**
 * The HTTP API for internal services (Fastify). Every route, health included, needs a service's API key
 * (`Authorization: Bearer fbk_…`); errors are RFC 9457 problem documents naming the field at fault; bad
 * input is always a 4xx, never a stack trace.
 */
export function buildApi(backend: ApiBackend, keys: ApiKeys, logger: Logger, maxWaitMs: number): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024, ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } } });

  app.addHook('onRequest', async (req, reply) => {
    const key = /^Bearer (\S+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    const caller = key ? await keys.identify(key) : null;
    if (!caller) return sendProblem(reply, { status: 401, code: 'FB_UNAUTHORIZED', title: 'Unauthorized', detail: 'send a service API key as Authorization: Bearer <key>' });
    req.caller = caller;
  });

  app.setErrorHandler((error, req, reply) => {
    const v = (error as { validation?: { instancePath: string; params: Record<string, unknown>; message?: string }[] }).validation;
    if (v && v.length > 0) {
      const first = v[0]!;
      const field = (first.params['missingProperty'] as string | undefined) ?? (first.params['additionalProperty'] as string | undefined) ?? (first.instancePath.replace(/^\//, '').replace(/\//g, '.') || 'body');
      return sendProblem(reply, { status: 400, code: 'FB_VALIDATION', title: 'Invalid request', detail: `${field}: ${first.message ?? 'invalid'}`, field });
    }
    if (isFirmbankError(error)) {
      const [status, title] = STATUS_BY_CODE[error.code] ?? [400, 'Request refused'];
      const field = (error as { field?: string }).field;
      return sendProblem(reply, { status, code: error.code, title, detail: error.message, ...(field ? { field } : {}) });
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) return sendProblem(reply, { status, code: 'FB_BAD_REQUEST', title: 'Bad request', detail: (error as Error).message });
    logger.error('api.internal-error', { url: req.url, error: String((error as Error).stack ?? error) });
    return sendProblem(reply, { status: 500, code: 'FB_INTERNAL', title: 'Internal error', detail: 'an internal error occurred; it has been logged' });
  });

  app.setNotFoundHandler((req, reply) => sendProblem(reply, { status: 404, code: 'FB_NOT_FOUND', title: 'Not found', detail: `no route ${req.method} ${req.url}` }));

  const institutionOf = (given: string | undefined) => {
    const id = given ?? backend.institutions[0]!;
    if (!backend.institutions.includes(id)) throw new ValidationError('institution', `unknown institution "${id}" (known: ${backend.institutions.join(', ')})`);
    return id;
  };

  /** The caller's own transfer; another service's does not exist, as far as this caller can tell. */
  const ownTransfer = async (req: FastifyRequest<{ Params: { id: string } }>): Promise<TransferRow> => {
    const t = await backend.get(req.params.id);
    if (!t || t.service !== req.caller.service) throw new FirmbankError('FB_NOT_FOUND', `no transfer ${req.params.id}`);
    return t;
  };

  app.post<{ Body: TransferInput & { institution?: string } }>('/v1/transfers', { schema: { body: SCHEMAS.transferRequest } }, async (req, reply) => {
    const { institution, ...input } = req.body;
    const { transfer, created } = await backend.submit(institutionOf(institution), req.caller, input);
    let t = transfer;
    const deadline = Date.now() + preferWaitMs(req, maxWaitMs);
    while (!isFinal(t.state) && Date.now() < deadline) {
      // Changes made here arrive with the event; another process's show up when we look again.
      t = (await backend.waitForChange(t.id, Math.min(250, deadline - Date.now()))) ?? (await backend.get(t.id)) ?? t;
    }
    reply.header('location', `/v1/transfers/${t.id}`);
    return reply.code(isFinal(t.state) ? (created ? 201 : 200) : 202).send(transferView(t));
  });

  app.get<{ Params: { id: string } }>('/v1/transfers/:id', { schema: { params: SCHEMAS.idParams } }, async (req) => transferView(await ownTransfer(req)));

  app.get<{ Params: { id: string } }>('/v1/transfers/:id/telegrams', { schema: { params: SCHEMAS.idParams } }, async (req) => backend.telegrams(await ownTransfer(req)));

  app.post<{ Body: VerificationInput & { institution?: string } }>('/v1/account-verifications', { schema: { body: SCHEMAS.verificationRequest } }, async (req) => {
    const { institution, ...input } = req.body;
    return backend.verify(institutionOf(institution), input);
  });

  app.get<{ Querystring: { institution?: string } }>('/v1/balances', { schema: { querystring: SCHEMAS.institutionQuery } }, async (req) => backend.balance(institutionOf(req.query.institution)));

  app.get<{ Querystring: { institution?: string } }>('/v1/totals', { schema: { querystring: SCHEMAS.institutionQuery } }, async (req) => backend.totals(institutionOf(req.query.institution)));

  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_req, reply) => {
    const r = await backend.ready();
    return reply.code(r.ready ? 200 : 503).send(r);
  });
  app.get('/openapi.json', async () => openApiDocument());
  return app;
}
