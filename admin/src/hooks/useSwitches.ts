import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import type { SwitchState } from '../api/types';

export function useSwitches() {
  return useQuery({ queryKey: ['switches'], queryFn: ({ signal }) => api.get('/switches', { signal }), refetchInterval: 15_000 });
}

/** The switchboard's own log of every set (console and command line), newest first. */
export function useSwitchChanges() {
  return useQuery({ queryKey: ['switch-changes'], queryFn: ({ signal }) => api.get('/switches/changes', { query: { limit: 50 }, signal }) });
}

export interface SetSwitch {
  readonly scope: string;
  readonly flow: string;
  readonly state: SwitchState;
  readonly reason: string;
  /** The version the change is based on (a conditional set: 409 if it moved meanwhile). */
  readonly expectedVersion?: number;
}

export function useSetSwitch() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ scope, flow, ...body }: SetSwitch) => api.put('/switches/{scope}/{flow}', { path: { scope, flow }, body }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['switches'] });
      void qc.invalidateQueries({ queryKey: ['switch-changes'] });
      void qc.invalidateQueries({ queryKey: ['dashboard'] });
    },
  });
}
