import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, apiUrl } from '../api/client';

export function useConsents(state: string, unmask: boolean, after: string | undefined) {
  return useQuery({
    queryKey: ['consents', state, unmask, after ?? null],
    queryFn: ({ signal }) => api.get('/consents', { query: { state: state || undefined, unmask: unmask || undefined, after, limit: 50 }, signal }),
    placeholderData: keepPreviousData,
  });
}

/** Where the consent's evidence downloads from (a plain link: the browser sends the session cookie). */
export function consentEvidenceUrl(id: string): string {
  return apiUrl('/consents/{cid}/evidence', { path: { cid: id } });
}
