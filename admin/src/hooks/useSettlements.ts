import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, type BodyOf } from '../api/client';

type Proposal = BodyOf<'/transfers/{id}/settlements', 'post'>;

function refreshAfterSettlement(qc: QueryClient) {
  void qc.invalidateQueries({ queryKey: ['transfer'] });
  void qc.invalidateQueries({ queryKey: ['transfers'] });
  void qc.invalidateQueries({ queryKey: ['unknowns'] });
  void qc.invalidateQueries({ queryKey: ['dashboard'] });
}

/** Propose a manual settlement of an unknown transfer; a second operator confirms it. */
export function useProposeSettlement() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ transferId, ...body }: Proposal & { transferId: string }) => api.post('/transfers/{id}/settlements', { path: { id: transferId }, body }),
    onSuccess: () => refreshAfterSettlement(qc),
  });
}

export function useConfirmSettlement() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ sid, reason }: { sid: number; reason: string }) => api.post('/settlements/{sid}/confirm', { path: { sid }, body: { reason } }),
    onSuccess: () => refreshAfterSettlement(qc),
  });
}

export function useRejectSettlement() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ sid, reason }: { sid: number; reason: string }) => api.post('/settlements/{sid}/reject', { path: { sid }, body: { reason } }),
    onSuccess: () => refreshAfterSettlement(qc),
  });
}
