import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type BodyOf } from '../api/client';
import { SESSION_KEY } from './useSession';

export function useOperators() {
  return useQuery({ queryKey: ['operators'], queryFn: ({ signal }) => api.get('/operators', { signal }) });
}

export function useCreateOperator() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: BodyOf<'/operators', 'post'>) => api.post('/operators', { body }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['operators'] }),
  });
}

export type OperatorChange = BodyOf<'/operators/{name}', 'patch'>;

export function useChangeOperator() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ name, ...body }: OperatorChange & { name: string }) => api.patch('/operators/{name}', { path: { name }, body }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['operators'] });
      void qc.invalidateQueries({ queryKey: SESSION_KEY });
    },
  });
}
