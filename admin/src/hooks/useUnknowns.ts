import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';

export function useUnknowns() {
  return useQuery({
    queryKey: ['unknowns'],
    queryFn: ({ signal }) => api.get('/unknowns', { signal }),
    refetchInterval: 15_000,
  });
}
