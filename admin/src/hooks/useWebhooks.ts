import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import type { DeliveryStatus } from '../api/types';

export function useWebhookEndpoints() {
  return useQuery({ queryKey: ['webhook-endpoints'], queryFn: ({ signal }) => api.get('/webhooks/endpoints', { signal }) });
}

export function useWebhookDeliveries(status: DeliveryStatus | undefined, service: string) {
  return useQuery({
    queryKey: ['webhook-deliveries', status ?? null, service],
    queryFn: ({ signal }) => api.get('/webhooks/deliveries', { query: { status, service: service || undefined }, signal }),
    placeholderData: keepPreviousData,
  });
}

export function useRedeliver() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, reason }: { id: number; reason: string }) => api.post('/webhooks/deliveries/{did}/redeliver', { path: { did: id }, body: { reason } }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['webhook-deliveries'] }),
  });
}
