import type { EventEmitter } from 'node:events';
import { errorDetails } from './error-details.js';
import type { Logger } from './logger.js';

export interface LogErrorsOptions {
  /** At most one line per this many milliseconds for the same kind of error; 30 s when not given. */
  readonly intervalMs?: number;
  /** The level of the lines; `error` when not given (`warn` for an emitter that recovers on its own). */
  readonly level?: 'warn' | 'error';
  /** The clock (tests). */
  readonly now?: () => number;
}

/**
 * Gives `emitter` an 'error' listener that logs one structured line per error as `event` with `context`
 * and {@link errorDetails}, and returns the function that takes it off again.
 *
 * Two reasons to attach one to every emitter that may emit 'error': without a listener Node throws the
 * error (an uncaught exception that ends the process), and libraries that catch that throw print it
 * themselves (BullMQ's `console.error(err)`, ioredis's "Unhandled error event" with the stack) as many
 * lines on stderr that no log tooling can read.
 *
 * Rate-limited, because a Redis outage makes every client emit an error at each reconnect attempt, many a
 * second: the first error of a kind (its code, else its message) is logged at once, then at most one line
 * per `intervalMs` while the kind stays the same, carrying `suppressed`, the number of errors not logged
 * since the line before. An error of another kind is logged at once.
 */
export function logErrorsOf(emitter: Pick<EventEmitter, 'on' | 'off'>, logger: Logger, event: string, context: Record<string, unknown> = {}, options: LogErrorsOptions = {}): () => void {
  const intervalMs = options.intervalMs ?? 30_000;
  const level = options.level ?? 'error';
  const now = options.now ?? Date.now;
  let lastKind: string | undefined;
  let lastAt = 0;
  let suppressed = 0;
  const listener = (e: unknown) => {
    const details = errorDetails(e);
    const kind = details.code ?? details.error;
    const t = now();
    if (kind === lastKind && t - lastAt < intervalMs) {
      suppressed++;
      return;
    }
    logger[level](event, { ...context, ...details, ...(suppressed > 0 ? { suppressed } : {}) });
    lastKind = kind;
    lastAt = t;
    suppressed = 0;
  };
  emitter.on('error', listener);
  return () => void emitter.off('error', listener);
}
