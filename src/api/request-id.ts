import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The header a caller may name its request with; echoed on every answer. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Visible ASCII only (no spaces, no control characters), so it is safe in a log line and a header. */
const WELL_FORMED = /^[\x21-\x7e]{1,128}$/;

/**
 * The id of a request: the caller's `X-Request-Id` when it is well formed (1 to 128 visible ASCII
 * characters), else a new UUID. A malformed one is replaced, not refused: it only names the request.
 */
export function requestIdOf(req: Pick<IncomingMessage, 'headers'>): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && WELL_FORMED.test(given) ? given : randomUUID();
}
