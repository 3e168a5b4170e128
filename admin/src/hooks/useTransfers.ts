import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type QueryOf } from '../api/client';

export type TransferFilters = Omit<QueryOf<'/transfers'>, 'after' | 'limit'>;
export const TRANSFERS_PAGE_SIZE = 50;

export function useTransfers(filters: TransferFilters, after: string | undefined) {
  return useQuery({
    queryKey: ['transfers', filters, after ?? null],
    queryFn: ({ signal }) => api.get('/transfers', { query: { ...filters, after, limit: TRANSFERS_PAGE_SIZE }, signal }),
    placeholderData: keepPreviousData,
  });
}

export function useTransfer(id: string, unmask: boolean) {
  return useQuery({
    queryKey: ['transfer', id, unmask],
    queryFn: ({ signal }) => api.get('/transfers/{id}', { path: { id }, query: unmask ? { unmask: true } : undefined, signal }),
    placeholderData: keepPreviousData,
  });
}

/** Ask the bank now (an inquiry); the answer settles the transfer as any inquiry would. */
export function useInquire() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, reason }: { id: string; reason: string }) => api.post('/transfers/{id}/inquire', { path: { id }, body: { reason } }),
    onSuccess: (_, { id }) => {
      void qc.invalidateQueries({ queryKey: ['transfer', id] });
      void qc.invalidateQueries({ queryKey: ['unknowns'] });
    },
  });
}
