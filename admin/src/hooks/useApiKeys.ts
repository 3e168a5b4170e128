import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type BodyOf } from '../api/client';

export function useApiKeys() {
  return useQuery({ queryKey: ['api-keys'], queryFn: ({ signal }) => api.get('/api-keys', { signal }) });
}

export function useCreateApiKey() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: BodyOf<'/api-keys', 'post'>) => api.post('/api-keys', { body }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['api-keys'] }),
  });
}

export function useRevokeApiKey() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ keyId, reason }: { keyId: string; reason: string }) => api.post('/api-keys/{keyId}/revoke', { path: { keyId }, body: { reason } }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['api-keys'] }),
  });
}
