import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type QueryOf } from '../api/client';

export type BreakFilters = QueryOf<'/reconciliation/breaks'>;

export function useReconRuns(institution: string) {
  return useQuery({
    queryKey: ['recon-runs', institution],
    queryFn: ({ signal }) => api.get('/reconciliation/runs', { query: { institution: institution || undefined, limit: 50 }, signal }),
  });
}

export function useReconBreaks(filters: BreakFilters) {
  return useQuery({
    queryKey: ['recon-breaks', filters],
    queryFn: ({ signal }) => api.get('/reconciliation/breaks', { query: filters, signal }),
    placeholderData: keepPreviousData,
  });
}

export function useResolveBreak() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, reason }: { id: number; reason: string }) => api.post('/reconciliation/breaks/{bid}/resolve', { path: { bid: id }, body: { reason } }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['recon-breaks'] });
      void qc.invalidateQueries({ queryKey: ['recon-runs'] });
    },
  });
}
