import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, isApiError, setCsrfToken } from '../api/client';
import type { Operator, Role, Session } from '../api/types';

export const SESSION_KEY = ['session'] as const;

/** The current session, or null when there is none (401). */
export async function fetchSession(): Promise<Session | null> {
  try {
    const s = await api.get('/session');
    setCsrfToken(s.csrfToken);
    return s;
  } catch (e) {
    if (isApiError(e) && e.status === 401) return null;
    throw e;
  }
}

export function useSession() {
  return useQuery({ queryKey: SESSION_KEY, queryFn: fetchSession, staleTime: 60_000, retry: 1 });
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export function hasRole(operator: Pick<Operator, 'role'> | null | undefined, needed: Role): boolean {
  return !!operator && RANK[operator.role] >= RANK[needed];
}

/** The logged-in operator (only under RequireSession, where there is one). */
export function useOperator(): Operator {
  const { data } = useSession();
  if (!data) throw new Error('useOperator without a session');
  return data.operator;
}

export function useLogin() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; password: string }) => api.post('/session', { body }),
    onSuccess: (s) => {
      setCsrfToken(s.csrfToken);
      qc.clear();
      qc.setQueryData(SESSION_KEY, s);
    },
  });
}

export function useChangePassword() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { current: string; next: string }) => api.post('/session/password', { body }),
    onSuccess: (s) => {
      setCsrfToken(s.csrfToken);
      qc.setQueryData(SESSION_KEY, s);
    },
  });
}

export function useLogout() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      try {
        await api.delete('/session');
      } catch (e) {
        if (!(isApiError(e) && e.status === 401)) throw e;
      }
    },
    onSettled: () => {
      setCsrfToken(null);
      qc.clear();
      qc.setQueryData(SESSION_KEY, null);
    },
  });
}
