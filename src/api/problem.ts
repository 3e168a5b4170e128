import type { FastifyReply } from 'fastify';

/** An RFC 9457 problem document; `code` is our stable error code, `field` the request field at fault. */
export interface Problem {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly field?: string;
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply
    .code(p.status)
    .type('application/problem+json')
    .send({ type: `https://firmbank.dev/problems/${p.code.toLowerCase().replace(/_/g, '-')}`, title: p.title, status: p.status, detail: p.detail, code: p.code, ...(p.field ? { field: p.field } : {}), instance: reply.request.url });
}

/** HTTP status and title for each of our error codes; anything unlisted from a user is a 400. */
export const STATUS_BY_CODE: Readonly<Record<string, [number, string]>> = {
  FB_VALIDATION: [400, 'Invalid request'],
  FB_LIMIT_EXCEEDED: [422, 'Over the service limit'],
  FB_IDEMPOTENCY_CONFLICT: [409, 'Request id already used with another body'],
  FB_BANK_CLOSED: [503, 'Bank closed'],
  FB_SEQ_EXHAUSTED: [503, 'No 전문번호 left today'],
  FB_UNAUTHORIZED: [401, 'Unauthorized'],
  FB_NOT_FOUND: [404, 'Not found'],
};
