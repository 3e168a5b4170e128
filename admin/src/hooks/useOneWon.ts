import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import type { OneWonState } from '../api/types';

export function useOneWon(state: OneWonState | undefined, after: string | undefined) {
  return useQuery({
    queryKey: ['one-won', state ?? null, after ?? null],
    queryFn: ({ signal }) => api.get('/one-won', { query: { state, after, limit: 50 }, signal }),
    placeholderData: keepPreviousData,
  });
}
