import type { ReactNode } from 'react';
import type { Role } from '../api/types';
import { Forbidden } from '../components/Forbidden';
import { hasRole, useOperator } from '../hooks/useSession';

/** A screen that needs a role: the 403 page for anyone below it. */
export function RequireRole({ role, children }: { role: Role; children: ReactNode }) {
  const operator = useOperator();
  if (!hasRole(operator, role)) return <Forbidden role={role} />;
  return <>{children}</>;
}
