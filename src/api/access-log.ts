import type { Logger } from '../log/logger.js';

/**
 * One line of the access log. Only what names the request and its outcome: the route pattern, never
 * the raw URL (ids and query strings stay out), no body, no headers but the request id.
 */
export interface AccessRecord {
  /** null when the request never parsed as HTTP. */
  readonly method: string | null;
  /** The matched route pattern (`/v1/transfers/:id`), or null (no route, bad URL, unparsed). */
  readonly route: string | null;
  readonly status: number;
  readonly latencyMs: number | null;
  readonly requestId: string;
  readonly ip: string | undefined;
  /** The authenticated caller, when there is one. */
  readonly service?: string | undefined;
  readonly keyId?: string | undefined;
  /** The operator, on the admin API. */
  readonly operator?: string | undefined;
}

/** Writes `r` as the `api.request` event, latency rounded to 0.1 ms. */
export function logRequest(logger: Logger, r: AccessRecord): void {
  logger.info('api.request', { ...r, latencyMs: r.latencyMs === null || Number.isNaN(r.latencyMs) ? null : Math.round(r.latencyMs * 10) / 10 });
}
