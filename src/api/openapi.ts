import { ACCOUNT_PATTERN } from '../domain/account.js';
import { EVENT_TYPES } from '../domain/events.js';
import { BANK_CODE_PATTERN } from '../domain/bank-code.js';
import { DEFAULT_AUTH_FAILURE_LIMITS } from './auth-failure-limiter.js';
import { SCOPES, type Scope } from './scopes.js';
import { ONE_WON_SCHEMAS } from './routes/one-won.js';

/** JSON Schemas of the request bodies: Fastify validates with them and the OpenAPI document shows them. */
export const SCHEMAS = {
  transferRequest: {
    type: 'object',
    additionalProperties: false,
    required: ['requestId', 'bankCode', 'account', 'amount'],
    properties: {
      requestId: { type: 'string', minLength: 1, maxLength: 128, description: "The caller's id: same id + same body = same transfer" },
      institution: { type: 'string', description: "Bank or VAN to send through (default: the gateway's routing rules, then the first configured)" },
      bankCode: { type: 'string', pattern: BANK_CODE_PATTERN, description: 'Bank of the receiving account (KFTC code)' },
      account: { type: 'string', pattern: ACCOUNT_PATTERN, description: 'Receiving account, digits only' },
      amount: { type: 'string', pattern: '^[0-9]{1,13}$', description: 'Won, as a decimal string' },
      // The real limits are the institution's: its memo and name fields, in bytes of its charset (Hecto:
      // 14 and 12 bytes of EUC-KR). The flow checks them by encoding a trial telegram; a 400 names the field.
      memo: { type: 'string', maxLength: 40, description: "적요 printed on the passbook: at most the institution's memo field, in bytes of its charset (Hecto: 14 bytes of EUC-KR)" },
      recipientName: { type: 'string', maxLength: 40, description: "Expected holder name: at most the institution's name field in bytes (Hecto: 12 bytes of EUC-KR); ignored by institutions whose transfer carries none" },
    },
  },
  collectionRequest: {
    type: 'object',
    additionalProperties: false,
    required: ['requestId', 'amount'],
    properties: {
      requestId: { type: 'string', minLength: 1, maxLength: 128, description: "The caller's id: same id + same body = same collection" },
      institution: { type: 'string', description: 'The institution the consent was registered through (default: the first configured)' },
      consentId: { type: 'string', pattern: '^[0-9a-f-]{36}$', description: 'The registered consent to collect under (or payerNumber)' },
      payerNumber: { type: 'string', minLength: 1, maxLength: 20, description: '납부자번호 the consent registered (or consentId)' },
      amount: { type: 'string', pattern: '^[0-9]{1,13}$', description: 'Won, as a decimal string' },
      memo: { type: 'string', maxLength: 40, description: "적요 on the payer's passbook, within the institution's memo bytes" },
    },
  },
  verificationRequest: {
    type: 'object',
    additionalProperties: false,
    required: ['bankCode', 'account'],
    properties: {
      institution: { type: 'string' },
      bankCode: { type: 'string', pattern: BANK_CODE_PATTERN },
      account: { type: 'string', pattern: ACCOUNT_PATTERN },
      name: { type: 'string', maxLength: 40, description: 'Name to compare with the holder' },
      idNo: { type: 'string', pattern: '^[0-9]{6,12}$', description: 'Birth date (YYMMDD) or business number' },
    },
  },
  idParams: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9a-f-]{36}$' } } },
  institutionQuery: { type: 'object', additionalProperties: false, properties: { institution: { type: 'string' } } },
} as const;

const requestIdHeader = { $ref: '#/components/headers/RequestId' };
/** An answer of ours: every one carries the request's id. */
const answer = (description: string, content?: Record<string, unknown>) => ({ description, headers: { 'X-Request-Id': requestIdHeader }, ...(content ? { content } : {}) });
const problemContent = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
const problem = answer('RFC 9457 problem', problemContent);
const transfer = answer('The transfer', { 'application/json': { schema: { $ref: '#/components/schemas/Transfer' } } });
const ref = (name: string) => ({ $ref: `#/components/responses/${name}` });

/**
 * One operation: what every route shares (the request id, the key, the answers of the authentication
 * hook and of the HTTP parser), plus its own. `scope` is what the key must allow (403 otherwise).
 */
function operation(summary: string, scope: Scope | null, responses: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    summary: scope ? `${summary} (scope: ${scope})` : summary,
    security: [{ apiKey: scope ? [scope] : [] }],
    ...extra,
    parameters: [{ $ref: '#/components/parameters/RequestId' }, ...((extra['parameters'] as unknown[] | undefined) ?? [])],
    responses: { ...responses, 400: ref('BadRequest'), 401: ref('Unauthorized'), ...(scope ? { 403: ref('Forbidden') } : {}), 414: ref('UriTooLong'), 429: ref('AuthRateLimited'), 431: ref('HeadersTooLarge') },
  };
}

/** The event types and their data: what the feed returns and webhooks POST. Ids and masked data only. */
const EVENT_SCHEMAS = {
  Event: {
    type: 'object',
    required: ['id', 'type', 'service', 'aggregate', 'createdAt', 'data'],
    properties: {
      id: { type: 'string', description: 'evt_…: the same event always has the same id (deduplicate on it)' },
      type: { enum: [...EVENT_TYPES] },
      service: { type: 'string' },
      aggregate: { type: 'string', description: 'transfer:<id> or break:<id>: events of one aggregate arrive in order' },
      createdAt: { type: 'string', format: 'date-time' },
      data: { oneOf: [{ $ref: '#/components/schemas/TransferEventData' }, { $ref: '#/components/schemas/BreakEventData' }] },
    },
  },
  TransferEventData: {
    description: 'transfer.succeeded, transfer.failed, transfer.reversed (a failure notice undid a success); collection.succeeded, collection.failed, collection.reversed',
    type: 'object',
    properties: {
      transferId: { type: 'string', description: "the transfer's or the collection's id" },
      kind: { enum: ['transfer', 'collection'] },
      requestId: { type: 'string' },
      state: { enum: ['succeeded', 'failed', 'reversed'] },
      amount: { type: 'string' },
      fee: { type: ['string', 'null'] },
      bankCode: { type: 'string' },
      accountSuffix: { type: 'string', description: "last 4 digits of the other party's account (the payee's; a collection's payer's)" },
      responseCode: { type: ['string', 'null'] },
    },
  },
  BreakEventData: {
    description: "reconciliation.break: the nightly reconciliation found a difference about the service's money",
    type: 'object',
    properties: { breakId: { type: 'integer' }, institution: { type: 'string' }, businessDate: { type: 'string' }, category: { type: 'string' }, transferId: { type: ['string', 'null'] }, detail: { type: 'string' } },
  },
} as const;

const idParam = [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }];

/** The OpenAPI 3.1 document served at /openapi.json. */
export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: { title: 'firmbank gateway', version: '0.1.0', description: 'Transfers and account verification at Korean banks, for internal services.' },
    security: [{ apiKey: [] }],
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: `A service API key (fbk_…). Each key has scopes (${SCOPES.join(', ')}); an operation names the one it needs. After ${DEFAULT_AUTH_FAILURE_LIMITS.maxFailures} failed authentications in ${DEFAULT_AUTH_FAILURE_LIMITS.windowMs / 1000} s an address gets 429 for every request until the window ends.`,
        },
      },
      parameters: {
        RequestId: {
          name: 'X-Request-Id',
          in: 'header',
          required: false,
          description: 'Names the request in logs; echoed on the answer. 1 to 128 visible ASCII characters; anything else is replaced by a new UUID.',
          schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,128}$' },
        },
      },
      headers: {
        RequestId: { description: "The request's id: the caller's X-Request-Id, or one made for it", schema: { type: 'string' } },
        RetryAfter: { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 1 } },
      },
      responses: {
        BadRequest: answer('Malformed request: bad URL encoding (FB_BAD_URL), invalid body (FB_VALIDATION), not HTTP (FB_BAD_REQUEST)', problemContent),
        Unauthorized: answer('No valid API key (FB_UNAUTHORIZED): missing, unknown or revoked', problemContent),
        Forbidden: answer("The key lacks the operation's scope (FB_FORBIDDEN)", problemContent),
        UriTooLong: answer('URL or a path segment too long (FB_URI_TOO_LONG)', problemContent),
        AuthRateLimited: { ...answer('Too many failed authentications from this address (FB_AUTH_RATE_LIMITED)', problemContent), headers: { 'X-Request-Id': requestIdHeader, 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } },
        HeadersTooLarge: answer('Request line and headers too large (FB_HEADERS_TOO_LARGE)', problemContent),
      },
      schemas: {
        TransferRequest: SCHEMAS.transferRequest,
        VerificationRequest: SCHEMAS.verificationRequest,
        CollectionRequest: SCHEMAS.collectionRequest,
        Transfer: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            requestId: { type: 'string' },
            state: { enum: ['requested', 'sending', 'succeeded', 'failed', 'unknown', 'reversed'] },
            amount: { type: 'string' },
            fee: { type: ['string', 'null'] },
            account: { type: 'string', description: 'masked' },
            responseCode: { type: ['string', 'null'] },
            needsOperator: { type: 'boolean' },
          },
        },
        ...EVENT_SCHEMAS,
        Problem: {
          type: 'object',
          properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, code: { type: 'string' }, field: { type: 'string' }, instance: { type: 'string' } },
        },
      },
    },
    paths: {
      '/v1/transfers': {
        post: operation(
          'Send money. Prefer: wait=N waits up to N seconds for the final result.',
          'transfers',
          { 201: transfer, 200: transfer, 202: transfer, 409: problem, 422: problem, 503: problem },
          { requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/TransferRequest' } } } } },
        ),
      },
      '/v1/transfers/{id}/telegrams': { get: operation('The telegrams of a transfer (decoded, masked)', 'transfers', { 200: answer('telegrams'), 404: problem }, { parameters: idParam }) },
      '/v1/transfers/{id}': { get: operation('A transfer of the calling service', 'transfers', { 200: transfer, 404: problem }, { parameters: idParam }) },
      '/v1/account-verifications': {
        post: operation(
          'Holder name inquiry (6000/100) and comparison',
          'verifications',
          { 200: answer('verified, mismatch, found, not-found or unavailable') },
          { requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/VerificationRequest' } } } } },
        ),
      },
      '/v1/balances': { get: operation('Balance of the parent account (7000/200)', 'parent-account', { 200: answer('balance') }) },
      '/v1/totals': { get: operation("Today's transfer totals as the bank counts them (7000/300)", 'parent-account', { 200: answer('totals') }) },
      '/v1/events': {
        get: operation(
          "The change feed: the service's events in commit order after `after`, `next` to ask with next. Never skips an event committed late; the same event may be read again only by asking with an older cursor.",
          'transfers',
          { 200: answer('a page of events', { 'application/json': { schema: { type: 'object', properties: { events: { type: 'array', items: { $ref: '#/components/schemas/Event' } }, next: { type: 'string' } } } } }) },
          { parameters: [{ name: 'after', in: 'query', schema: { type: 'string' } }, { name: 'limit', in: 'query', schema: { type: 'string' } }] },
        ),
      },
      '/v1/webhooks': {
        post: operation(
          'Register a webhook endpoint; its signing secret is in this answer only. Each event is POSTed as an Event with Firmbank-Signature: t=<unix>,v1=<HMAC-SHA256(secret, "<t>.<body>")> and Firmbank-Event-Id (idempotency key); retried with backoff for 24 hours, in order per aggregate, then dead-lettered.',
          'transfers',
          { 201: answer('the endpoint and its secret'), 409: problem },
          { requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['url', 'types'], properties: { url: { type: 'string' }, types: { type: 'array', items: { enum: [...EVENT_TYPES] } } } } } } } },
        ),
        get: operation("The service's endpoints (never a secret)", 'transfers', { 200: answer('endpoints') }),
      },
      '/v1/webhooks/{id}': { delete: operation('Disable an endpoint: it receives nothing new', 'transfers', { 204: answer('disabled'), 404: problem }, { parameters: idParam }) },
      '/v1/webhooks/{id}/rotate': {
        post: operation('A new secret, shown once; the old one keeps signing beside it for 24 hours', 'transfers', { 200: answer('the endpoint and its new secret'), 404: problem }, { parameters: idParam }),
      },
      '/v1/webhooks/deliveries': { get: operation("Deliveries to the service's endpoints (status=pending|delivered|dead)", 'transfers', { 200: answer('deliveries') }) },
      '/v1/webhooks/deliveries/{id}/redeliver': { post: operation('Put a dead delivery back on its way', 'transfers', { 202: answer('pending again'), 404: problem }, { parameters: idParam }) },
      '/v1/collections': {
        post: operation(
          "Collect from a payer with a registered consent (집금, 2000/200). Prefer: wait=N as for transfers; 409 FB_CONSENT_NOT_LIVE when the consent does not allow it.",
          'collections',
          { 201: answer('the collection'), 200: answer('the same request again'), 202: answer('not final yet'), 409: problem, 422: problem, 503: problem },
          { requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/CollectionRequest' } } } } },
        ),
      },
      '/v1/collections/{id}': { get: operation('A collection of the calling service', 'collections', { 200: answer('the collection'), 404: problem }, { parameters: idParam }) },
      '/v1/consents': {
        post: operation(
          'Start an ARS withdrawal consent (ARS 출금동의): the payer is called; on confirmation the recording is kept as evidence and the payer registered at the bank (2000/550). Body: requestId, payerNumber, bankCode, account, holderIdNo (YYMMDD or business number), phone, institution?',
          'consents',
          { 201: answer('the consent, calling'), 200: answer('the same request again'), 409: problem, 503: problem },
          { requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['requestId', 'payerNumber', 'bankCode', 'account', 'holderIdNo', 'phone'] } } } } },
        ),
      },
      '/v1/consents/{id}': {
        get: operation('A consent of the calling service (phone and account masked)', 'consents', { 200: answer('the consent'), 404: problem }, { parameters: idParam }),
        delete: operation('Withdraw a consent: 2000/550 cancel; no collection is sent after it', 'consents', { 202: answer('withdrawing'), 200: answer('withdrawn'), 404: problem, 409: problem }, { parameters: idParam }),
      },
      '/v1/consents/evidence': {
        get: operation(
          "Evidence export for a date range (from, to: YYYY-MM-DD, KST): firmbank's own documented layout, since FB0110's is not public",
          'consents',
          { 200: answer('the export') },
          { parameters: [{ name: 'from', in: 'query', required: true, schema: { type: 'string' } }, { name: 'to', in: 'query', required: true, schema: { type: 'string' } }] },
        ),
      },
      '/v1/account-verifications/one-won': {
        post: operation(
          '1원 인증: 1 won with a code in its memo (after an optional name check); 429 FB_ONE_WON_LIMIT names the limit reached',
          'verifications',
          { 201: answer('the verification'), 200: answer('the same request again'), 409: problem, 429: problem, 503: problem },
          { requestBody: { required: true, content: { 'application/json': { schema: ONE_WON_SCHEMAS.start } } } },
        ),
      },
      '/v1/account-verifications/one-won/{id}': { get: operation('Where a one-won verification stands', 'verifications', { 200: answer('the verification'), 404: problem }, { parameters: idParam }) },
      '/v1/account-verifications/one-won/{id}/confirm': {
        post: operation(
          'Check the code the holder read: verified | mismatch (attempts left) | expired | locked | pending | failed',
          'verifications',
          { 200: answer('the result'), 404: problem },
          { parameters: idParam, ...{ requestBody: { required: true, content: { 'application/json': { schema: ONE_WON_SCHEMAS.confirm } } } } },
        ),
      },
      '/health': { get: operation('Liveness (any valid key)', null, { 200: answer('ok') }) },
      '/ready': { get: operation('Readiness: database and bank links, with each link breaker in detail.breakers (any valid key)', null, { 200: answer('ready'), 503: answer('not ready') }) },
      '/metrics': { get: operation("This process's Prometheus metrics (text exposition 0.0.4)", 'metrics', { 200: answer('metrics', { 'text/plain': { schema: { type: 'string' } } }) }) },
      '/openapi.json': { get: operation('This document (any valid key)', null, { 200: answer('OpenAPI 3.1 document') }) },
    },
  };
}
