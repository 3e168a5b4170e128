import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../api/client';

export function useNotices(institution: string, after: string | undefined) {
  return useQuery({
    queryKey: ['notices', institution, after ?? null],
    queryFn: ({ signal }) => api.get('/notices', { query: { institution: institution || undefined, after, limit: 50 }, signal }),
    placeholderData: keepPreviousData,
  });
}

export function useNoticeGaps() {
  return useQuery({ queryKey: ['notice-gaps'], queryFn: ({ signal }) => api.get('/notice-gaps', { signal }) });
}
