import { errorDetails } from './error-details.js';
import { scrubText } from './mask-value.js';

/**
 * An `err` as a log line carries it: type, message and codes on one line; the stack only when `withStack`
 * (a logger at debug level), as one JSON string whose line breaks are escaped. Message and stack are
 * scrubbed like free text (see scrubText): `err` is not a masked key, so nothing else looks at them.
 */
export function serializeErr(e: unknown, withStack: boolean): Record<string, unknown> {
  const details = errorDetails(e);
  return {
    type: e instanceof Error ? e.name : typeof e,
    message: scrubText(details.error),
    ...(details.code !== undefined ? { code: details.code } : {}),
    ...(details.errno !== undefined ? { errno: details.errno } : {}),
    ...(withStack && e instanceof Error && typeof e.stack === 'string' ? { stack: scrubText(e.stack) } : {}),
  };
}
