import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';

export const DASHBOARD_REFRESH_MS = 5_000;

export function useDashboard() {
  return useQuery({
    queryKey: ['dashboard'],
    queryFn: ({ signal }) => api.get('/dashboard', { signal }),
    refetchInterval: DASHBOARD_REFRESH_MS,
    refetchIntervalInBackground: false,
  });
}
