import { errorDetails } from './error-details.js';
import type { Logger } from './logger.js';
import { scrubText } from './mask-value.js';

export interface ProcessFaultOptions {
  /** How the process ends after an uncaught error; `process.exit` when not given (tests pass their own). */
  readonly exit?: (code: number) => void;
}

/**
 * Makes the last words of a process structured: an uncaught exception or an unhandled rejection is logged
 * as one line (`process.uncaught-exception`, `process.unhandled-rejection`) and the process exits with
 * status 1, as Node would have done, instead of Node printing the stack as many lines on stderr. A process
 * warning (a leaked listener, a deprecation) becomes a `process.warning` line instead of Node's own text.
 *
 * The stack is kept here at every level, as one escaped string (`stack`): such an error is a bug, it is
 * logged once, and the stack is what fixes it. Returns the function that undoes it all (tests).
 *
 * The logger must write synchronously (jsonLogger does, to stderr), or the line may not be out before
 * the exit.
 */
export function logProcessFaults(logger: Logger, options: ProcessFaultOptions = {}): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const fault = (event: string) => (e: unknown) => {
    const stack = e instanceof Error && typeof e.stack === 'string' ? { stack: scrubText(e.stack) } : {};
    logger.error(event, { ...errorDetails(e), ...stack });
    exit(1);
  };
  const uncaught = fault('process.uncaught-exception');
  const unhandled = fault('process.unhandled-rejection');
  const warning = (w: Error & { code?: string }) => logger.warn('process.warning', errorDetails(w));
  // Node prints warnings through a 'warning' listener of its own: ours replaces it, and gives it back.
  const printers = process.listeners('warning');
  for (const p of printers) process.off('warning', p);
  process.on('uncaughtException', uncaught);
  process.on('unhandledRejection', unhandled);
  process.on('warning', warning);
  return () => {
    process.off('uncaughtException', uncaught);
    process.off('unhandledRejection', unhandled);
    process.off('warning', warning);
    for (const p of printers) process.on('warning', p);
  };
}
