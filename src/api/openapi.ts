/** JSON Schemas of the request bodies: Fastify validates with them and the OpenAPI document shows them. */
export const SCHEMAS = {
  transferRequest: {
    type: 'object',
    additionalProperties: false,
    required: ['requestId', 'bankCode', 'account', 'amount'],
    properties: {
      requestId: { type: 'string', minLength: 1, maxLength: 128, description: "The caller's id: same id + same body = same transfer" },
      institution: { type: 'string', description: 'Bank or VAN to send through (default: the first configured)' },
      bankCode: { type: 'string', pattern: '^[0-9]{3}$', description: 'Bank of the receiving account' },
      account: { type: 'string', pattern: '^[0-9]{6,15}$', description: 'Receiving account, digits only' },
      amount: { type: 'string', pattern: '^[0-9]{1,13}$', description: 'Won, as a decimal string' },
      memo: { type: 'string', maxLength: 14, description: '적요 printed on the passbook (at most 14 bytes in EUC-KR)' },
      recipientName: { type: 'string', maxLength: 12, description: 'Expected holder name (at most 12 bytes in EUC-KR)' },
    },
  },
  verificationRequest: {
    type: 'object',
    additionalProperties: false,
    required: ['bankCode', 'account'],
    properties: {
      institution: { type: 'string' },
      bankCode: { type: 'string', pattern: '^[0-9]{3}$' },
      account: { type: 'string', pattern: '^[0-9]{6,15}$' },
      name: { type: 'string', maxLength: 40, description: 'Name to compare with the holder' },
      idNo: { type: 'string', pattern: '^[0-9]{6,12}$', description: 'Birth date (YYMMDD) or business number' },
    },
  },
  idParams: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9a-f-]{36}$' } } },
  institutionQuery: { type: 'object', additionalProperties: false, properties: { institution: { type: 'string' } } },
} as const;

const problem = { description: 'RFC 9457 problem', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
const transfer = { description: 'The transfer', content: { 'application/json': { schema: { $ref: '#/components/schemas/Transfer' } } } };

/** The OpenAPI 3.1 document served at /openapi.json. */
export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: { title: 'firmbank gateway', version: '0.1.0', description: 'Transfers and account verification at Korean banks, for internal services.' },
    security: [{ apiKey: [] }],
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A service API key (fbk_…)' } },
      schemas: {
        TransferRequest: SCHEMAS.transferRequest,
        VerificationRequest: SCHEMAS.verificationRequest,
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
        Problem: { type: 'object', properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, code: { type: 'string' }, field: { type: 'string' } } },
      },
    },
    paths: {
      '/v1/transfers': {
        post: {
          summary: 'Send money. Prefer: wait=N waits up to N seconds for the final result.',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/TransferRequest' } } } },
          responses: { 201: transfer, 200: transfer, 202: transfer, 400: problem, 401: problem, 409: problem, 422: problem, 503: problem },
        },
      },
      '/v1/transfers/{id}/telegrams': { get: { summary: 'The telegrams of a transfer (decoded, masked)', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'telegrams' }, 404: problem } } },
      '/v1/transfers/{id}': { get: { summary: 'A transfer of the calling service', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: transfer, 404: problem } } },
      '/v1/account-verifications': {
        post: {
          summary: 'Holder name inquiry (6000/100) and comparison',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/VerificationRequest' } } } },
          responses: { 200: { description: 'verified, mismatch, found, not-found or unavailable' }, 400: problem },
        },
      },
      '/v1/balances': { get: { summary: 'Balance of the parent account (7000/200)', responses: { 200: { description: 'balance' } } } },
      '/v1/totals': { get: { summary: "Today's transfer totals as the bank counts them (7000/300)", responses: { 200: { description: 'totals' } } } },
      '/health': { get: { summary: 'Liveness', responses: { 200: { description: 'ok' } } } },
      '/ready': { get: { summary: 'Readiness: database and bank links', responses: { 200: { description: 'ready' }, 503: { description: 'not ready' } } } },
    },
  };
}
