import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../api/client';

export function useAudit(actor: string, action: string, after: string | undefined) {
  return useQuery({
    queryKey: ['audit', actor, action, after ?? null],
    queryFn: ({ signal }) => api.get('/audit', { query: { actor: actor || undefined, action: action || undefined, after, limit: 50 }, signal }),
    placeholderData: keepPreviousData,
  });
}
