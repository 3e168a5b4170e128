import type { FastifyRequest } from 'fastify';
import { FirmbankError } from '../errors/firmbank-error.js';
import type { AuditFn } from './audit-trail.js';

/** The `unmask` query parameter as the schemas accept it. */
export const UNMASK_PARAM = { type: 'string', enum: ['true', 'false'] } as const;

/**
 * Whether the request may see `target` in clear: only when it asked (`?unmask=true`) and its operator has
 * the permission (403 otherwise). Every unmasked view is audited before anything is shown.
 */
export async function unmaskFor(req: FastifyRequest, audit: AuditFn, target: string): Promise<boolean> {
  if ((req.query as { unmask?: string }).unmask !== 'true') return false;
  const operator = req.session!.operator;
  if (!operator.canUnmask) throw new FirmbankError('FB_ADMIN_FORBIDDEN', `${operator.name} may not see accounts and names unmasked`);
  await audit(req, { action: 'unmask.view', target });
  return true;
}
