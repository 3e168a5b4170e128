/**
 * An error as a log line carries it: one line of text and the codes that classify it. A type, not an
 * interface, so that it can be passed as a logger's details as it is.
 */
export type ErrorDetails = {
  /** The message on one line, without a stack; `TypeError: …` for a subclass, the cause appended. */
  readonly error: string;
  /** `err.code` when it is text: ours (`FB_VALIDATION`) or Node's (`ECONNREFUSED`). */
  readonly code?: string;
  /** Node's system error number (`-111`), when there is one. */
  readonly errno?: number;
};

/** Longest message kept: a driver may quote a whole statement or response body. */
const MAX_MESSAGE = 1_000;

/**
 * What to log about an error, whatever was thrown: `log.error('x.failed', { id, ...errorDetails(e) })`.
 * One line, never a stack (a stack is for a debugger, and spreads one event over many lines that log
 * tooling cannot put back together); an AggregateError (Node's connect to every address of a name) gives
 * the messages of its errors; one level of `cause` is appended.
 */
export function errorDetails(e: unknown): ErrorDetails {
  const err = e as (Error & { code?: unknown; errno?: unknown; errors?: unknown }) | null | undefined;
  const code = typeof err?.code === 'string' ? err.code : firstInner(err, 'code');
  const errno = typeof err?.errno === 'number' ? err.errno : firstInner(err, 'errno');
  return {
    error: errorText(e),
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof errno === 'number' ? { errno } : {}),
  };
}

/** The one-line text of an error (see {@link errorDetails}). */
export function errorText(e: unknown): string {
  if (!(e instanceof Error)) return oneLine(describe(e));
  const cause = e.cause instanceof Error ? errorHeadline(e.cause) : typeof e.cause === 'string' ? e.cause : undefined;
  return oneLine(cause === undefined ? errorHeadline(e) : `${errorHeadline(e)} (cause: ${cause})`);
}

/** `message`, prefixed by the class when it says more than `Error`; an empty AggregateError's inner messages. */
function errorHeadline(e: Error): string {
  let message = e.message;
  const inner = (e as { errors?: unknown }).errors;
  if (message === '' && Array.isArray(inner)) message = [...new Set(inner.map((i) => (i instanceof Error ? i.message : String(i))))].join('; ');
  const name = e.name && e.name !== 'Error' ? e.name : '';
  return name ? (message ? `${name}: ${message}` : name) : message || 'Error';
}

/** A code or errno of an AggregateError's first error, which Node leaves off the aggregate at times. */
function firstInner(err: { errors?: unknown } | null | undefined, key: 'code' | 'errno'): unknown {
  const first: unknown = Array.isArray(err?.errors) ? err.errors[0] : undefined;
  return typeof first === 'object' && first !== null ? (first as Record<string, unknown>)[key] : undefined;
}

/** Something thrown that is not an Error: a string, an object with a message, anything else as JSON. */
function describe(e: unknown): string {
  if (typeof e === 'string') return e;
  if (typeof e === 'object' && e !== null) {
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string') return message;
    try {
      return JSON.stringify(e) ?? String(e);
    } catch {
      return String(e);
    }
  }
  return String(e);
}

/** Line breaks and their indentation as one space, control characters out, and at most MAX_MESSAGE characters. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/\s*[\r\n]+\s*/g, ' ').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '').trim();
  return flat.length > MAX_MESSAGE ? flat.slice(0, MAX_MESSAGE) + '…' : flat;
}
