import type { FastifyRequest } from 'fastify';
import type { AuditStore } from '../ledger/audit-store.js';

/** An audited action of the operator behind `req`: what, on what, before, after, why. */
export interface Audited {
  readonly action: string;
  readonly target?: string | null;
  readonly before?: unknown;
  readonly after?: unknown;
  readonly reason?: string | null;
}

/**
 * Appends what the request's operator did to the append-only audit log, named by the request id. Called
 * once the change is committed and before it is answered: an action the operator is told succeeded is in
 * the log (an append that fails answers 500, and the operator sees the change did not report back).
 */
export function auditOf(audit: AuditStore) {
  return (req: FastifyRequest, a: Audited, actor = req.session?.operator.name ?? 'anonymous') =>
    audit.append({ actor, action: a.action, target: a.target ?? null, before: a.before ?? null, after: a.after ?? null, reason: a.reason ?? null, requestId: req.id });
}

export type AuditFn = ReturnType<typeof auditOf>;

/** The JSON Schema of a reason, as every change asks for one. */
export const REASON = { type: 'string', minLength: 3, maxLength: 500 } as const;

/** A body that is only a reason. */
export const REASON_BODY = { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: REASON } } as const;
