/** The query parameters of a paged list: the cursor of the previous page, and how many per page. */
export const PAGE_QUERY = {
  after: { type: 'string', maxLength: 200 },
  limit: { type: 'string', pattern: '^[0-9]{1,3}$' },
} as const;

/** The page size asked for, 1–200 (50 when not given). */
export function pageLimit(limit: string | undefined, max = 200): number {
  const n = limit === undefined ? 50 : Number(limit);
  return Math.min(Math.max(1, n), max);
}
