/**
 * What an API key may do. `transfers`: send money and read the service's own transfers;
 * `verifications`: account-holder inquiries; `parent-account`: the company's parent-account balance and
 * the bank's daily totals, which concern every service and so are not given by default; `metrics`: scrape
 * `GET /metrics` (a Prometheus server's key); `consents`: ARS withdrawal consents and payer registration;
 * `collections`: collecting from payers with a registered consent (both given only when asked for).
 * Operators do not use keys: the admin API takes their sessions (src/admin). A key stored with a scope no
 * longer listed (`admin`, before the console) simply lacks it.
 */
export const SCOPES = ['transfers', 'verifications', 'parent-account', 'collections', 'consents', 'metrics'] as const;

export type Scope = (typeof SCOPES)[number];

/** Scopes of a key made without naming any, and of the keys that existed before scopes did (migration 0003). */
export const DEFAULT_SCOPES: readonly Scope[] = ['transfers', 'verifications'];

export function isScope(s: string): s is Scope {
  return (SCOPES as readonly string[]).includes(s);
}

/**
 * The scopes stored in an `api_keys.scopes` column (comma-separated). A name this version does not know
 * grants nothing, rather than failing the key.
 */
export function scopesFromColumn(text: string): Scope[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(isScope);
}
