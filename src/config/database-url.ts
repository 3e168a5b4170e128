/** What a DATABASE_URL names: PostgreSQL, a SQLite file, or something we do not support. */
export type DatabaseUrlKind = 'postgres' | 'sqlite' | 'unsupported';

/**
 * `postgres://…` / `postgresql://…` is PostgreSQL; a value without a scheme is a SQLite file path
 * (`:memory:`, `C:\…` included); anything else with a scheme (`mysql://`, `sqlite:`, `file:` …) is
 * unsupported, so that it is refused instead of becoming a SQLite file named after the URL.
 */
export function databaseUrlKind(url: string): DatabaseUrlKind {
  if (/^postgres(ql)?:\/\//i.test(url)) return 'postgres';
  if (/^[a-z]:[\\/]/i.test(url)) return 'sqlite'; // a drive letter, not a scheme
  return /^[a-z][a-z0-9+.-]*:/i.test(url) ? 'unsupported' : 'sqlite';
}
