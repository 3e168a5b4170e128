import type { FastifyPluginAsync } from 'fastify';
import { ACCOUNT_PATTERN } from '../../domain/account.js';
import { BANK_CODE_PATTERN } from '../../domain/bank-code.js';
import type { OneWonConfirmation, OneWonStartInput, OneWonStatus } from '../../flows/one-won-flow.js';
import type { OneWonService } from '../one-won-service.js';

/** Request schemas of the one-won routes (Fastify validates with them; the OpenAPI document may show them). */
export const ONE_WON_SCHEMAS = {
  start: {
    type: 'object',
    additionalProperties: false,
    required: ['requestId', 'bankCode', 'account'],
    properties: {
      requestId: { type: 'string', minLength: 1, maxLength: 128, description: "The caller's id: same id + same body = same verification" },
      bankCode: { type: 'string', pattern: BANK_CODE_PATTERN, description: 'Bank of the account to verify (KFTC code)' },
      account: { type: 'string', pattern: ACCOUNT_PATTERN, description: 'The account to verify, digits only' },
      holderName: { type: 'string', minLength: 1, maxLength: 30, description: "The holder's name: checked with the bank (name inquiry) before the 1 won is sent" },
    },
  },
  confirm: {
    type: 'object',
    additionalProperties: false,
    required: ['code'],
    properties: { code: { type: 'string', minLength: 1, maxLength: 20, description: 'The code the account holder read in the memo of the 1 won' } },
  },
  params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9a-f-]{36}$' } } },
} as const;

/** A verification as its service sees it: never the code, the account masked. */
function statusView(s: OneWonStatus) {
  return {
    id: s.id,
    requestId: s.requestId,
    state: s.state,
    bankCode: s.bankCode,
    account: s.account,
    expiresAt: s.expiresAt,
    attemptsLeft: s.attemptsLeft,
    failure: s.failure,
    createdAt: s.createdAt,
  };
}

function confirmationView(c: OneWonConfirmation) {
  return { id: c.id, result: c.result, attemptsLeft: c.attemptsLeft, expiresAt: c.expiresAt, failure: c.failure };
}

/**
 * 1원 인증 under /v1/account-verifications/one-won (scope `verifications`):
 * - `POST` `{requestId, bankCode, account, holderName?}` → 201 `{id, state, expiresAt, …}` (200 when the
 *   request id was seen before); a limit refuses it with 429 naming the limit, with Retry-After.
 * - `POST /:id/confirm` `{code}` → 200 `{result: verified | mismatch | expired | locked | pending | failed,
 *   attemptsLeft, failure}`.
 * - `GET /:id` → where it stands.
 * Another service's verification is a 404, as an unknown one is.
 */
export function oneWonRoutes(service: OneWonService): FastifyPluginAsync {
  return async (app) => {
    const base = '/v1/account-verifications/one-won';

    app.post<{ Body: OneWonStartInput }>(base, { schema: { body: ONE_WON_SCHEMAS.start }, config: { scope: 'verifications' } }, async (req, reply) => {
      const { verification, created } = await service.start(req.caller, req.body);
      reply.header('location', `${base}/${verification.id}`);
      return reply.code(created ? 201 : 200).send(statusView(verification));
    });

    app.post<{ Params: { id: string }; Body: { code: string } }>(
      `${base}/:id/confirm`,
      { schema: { params: ONE_WON_SCHEMAS.params, body: ONE_WON_SCHEMAS.confirm }, config: { scope: 'verifications' } },
      async (req) => confirmationView(await service.confirm(req.caller, req.params.id, req.body.code)),
    );

    app.get<{ Params: { id: string } }>(`${base}/:id`, { schema: { params: ONE_WON_SCHEMAS.params }, config: { scope: 'verifications' } }, async (req) =>
      statusView(await service.status(req.caller, req.params.id)),
    );
  };
}
