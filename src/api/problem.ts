import type { FastifyReply } from 'fastify';

/** An RFC 9457 problem document; `code` is our stable error code, `field` the request field at fault. */
export interface Problem {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly field?: string;
}

/** The JSON body of a problem; `instance` (the request's URL) only when it is worth echoing. */
export function problemDocument(p: Problem, instance?: string): Record<string, unknown> {
  return {
    type: `https://firmbank.dev/problems/${p.code.toLowerCase().replace(/_/g, '-')}`,
    title: p.title,
    status: p.status,
    detail: p.detail,
    code: p.code,
    ...(p.field ? { field: p.field } : {}),
    ...(instance !== undefined ? { instance } : {}),
  };
}

/**
 * Answers with `p` as `application/problem+json`, naming the request's URL as its instance; `null` leaves
 * the instance out (when the URL itself is what is wrong).
 */
export function sendProblem(reply: FastifyReply, p: Problem, instance: string | null = reply.request.url): FastifyReply {
  return reply.code(p.status).type('application/problem+json').send(problemDocument(p, instance ?? undefined));
}

/** HTTP status and title for each of our error codes; anything unlisted from a user is a 400. */
export const STATUS_BY_CODE: Readonly<Record<string, [number, string]>> = {
  FB_BAD_REQUEST: [400, 'Bad request'],
  FB_VALIDATION: [400, 'Invalid request'],
  FB_BAD_URL: [400, 'Bad URL'],
  FB_LIMIT_EXCEEDED: [422, 'Over the service limit'],
  FB_IDEMPOTENCY_CONFLICT: [409, 'Request id already used with another body'],
  FB_BANK_CLOSED: [503, 'Bank closed'],
  FB_SEQ_EXHAUSTED: [503, 'No 전문번호 left today'],
  FB_UNAUTHORIZED: [401, 'Unauthorized'],
  FB_FORBIDDEN: [403, 'Forbidden'],
  FB_NOT_FOUND: [404, 'Not found'],
  FB_REQUEST_TIMEOUT: [408, 'Request timeout'],
  FB_URI_TOO_LONG: [414, 'URI too long'],
  FB_AUTH_RATE_LIMITED: [429, 'Too many failed authentications'],
  FB_HEADERS_TOO_LARGE: [431, 'Request headers too large'],
  FB_WEBHOOK_URL: [400, 'Webhook URL refused'],
  FB_SWITCH_OFF: [503, 'Switched off'],
  FB_BREAKER_OPEN: [503, 'Bank link not taking requests'],
  FB_SWITCH_INVALID: [400, 'No such switch'],
  FB_SWITCH_CONFLICT: [409, 'Switch changed meanwhile'],
  FB_CONSENT_NOT_LIVE: [409, 'Consent does not allow a collection'],
  FB_CONSENT_STATE: [409, 'Consent not in a state for this'],
  FB_PAYER_NUMBER_TAKEN: [409, 'Payer number has a live consent'],
  FB_ARS_CALLBACK: [401, 'ARS callback not trusted'],
  FB_ARS_UNAVAILABLE: [503, 'ARS provider unavailable'],
  FB_ARS_PROVIDER: [502, 'ARS provider refused'],
  FB_EVIDENCE_CONFLICT: [500, 'Evidence conflict'],
  FB_EVIDENCE_KEY: [500, 'Evidence store refused the key'],
  FB_EVIDENCE_MISSING: [500, 'Evidence missing'],
  FB_SECRET_BOX: [500, 'Sealed value does not open'],
  FB_ONE_WON_LIMIT: [429, 'One-won verification limit reached'],
  FB_ONE_WON_UNAVAILABLE: [503, 'One-won verification unavailable'],
  FB_ONE_WON_SETTINGS: [500, 'One-won settings do not fit'],
  FB_ADMIN_UNAUTHENTICATED: [401, 'Not logged in'],
  FB_ADMIN_BAD_LOGIN: [401, 'Wrong name or password'],
  FB_ADMIN_FORBIDDEN: [403, 'Not allowed for this operator'],
  FB_ADMIN_CSRF: [403, 'CSRF token missing or wrong'],
  FB_ADMIN_PASSWORD_CHANGE: [403, 'Change the one-time password first'],
  FB_ADMIN_CONFLICT: [409, 'Changed meanwhile, or not in a state for this'],
  FB_ADMIN_FOUR_EYES: [409, 'A second operator must confirm'],
  FB_ADMIN_LOCKED: [423, 'Locked out after failed logins'],
  FB_RECON_BREAK: [409, 'Break not open'],
};

/** The problem for one of our codes, with the status and title {@link STATUS_BY_CODE} gives it. */
export function problemFor(code: string, detail: string, field?: string): Problem {
  const [status, title] = STATUS_BY_CODE[code] ?? [400, 'Request refused'];
  return { status, code, title, detail, ...(field ? { field } : {}) };
}
