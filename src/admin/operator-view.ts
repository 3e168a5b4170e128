import type { Operator } from '../domain/operator.js';

/** An operator as the admin API shows it (the Operator schema of admin/openapi.yaml). */
export function operatorView(o: Operator, now = new Date()) {
  return {
    id: o.id,
    name: o.name,
    role: o.role,
    canUnmask: o.canUnmask,
    disabled: o.disabled,
    locked: o.lockedUntil !== null && o.lockedUntil > now,
    mustChangePassword: o.mustChangePassword,
    createdAt: o.createdAt.toISOString(),
    lastLoginAt: o.lastLoginAt?.toISOString() ?? null,
  };
}
