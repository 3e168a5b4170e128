/**
 * Label values from what the HTTP layer hands over, kept to a small known set: a series is made per
 * distinct value, so a client sending made-up methods or a router bug passing raw URLs must not be able
 * to make thousands of them (or put an account number from a path into a label).
 */

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The request method, or `OTHER`. */
export function methodLabel(method: string): string {
  const m = method.toUpperCase();
  return METHODS.has(m) ? m : 'OTHER';
}

/**
 * The route pattern (`/v1/transfers/:id`), or `unmatched` when no route matched. Only a pattern is a
 * route: anything else is taken for a raw URL and shown as `unmatched` rather than stored.
 */
export function routeLabel(route: string | null | undefined): string {
  return route && route.startsWith('/') && !/[?#]/.test(route) && !/\/\d{4,}/.test(route) ? route : 'unmatched';
}

/** The HTTP status as three digits, or `other`. */
export function statusLabel(status: number): string {
  return Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : 'other';
}
