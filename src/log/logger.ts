/**
 * Where the engine reports what happened. Details must already be masked: callers pass telegram fields
 * through {@link maskFields} before logging them.
 */
export interface Logger {
  info(event: string, details?: Record<string, unknown>): void;
  warn(event: string, details?: Record<string, unknown>): void;
  error(event: string, details?: Record<string, unknown>): void;
}

/** Discards everything (tests, library use without a logger). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** One JSON object per line on stderr: what ops tooling ingests. */
export function jsonLogger(component: string, stream: NodeJS.WritableStream = process.stderr): Logger {
  const write = (level: string, event: string, details?: Record<string, unknown>) =>
    stream.write(JSON.stringify({ time: new Date().toISOString(), level, component, event, ...details }) + '\n');
  return {
    info: (e, d) => write('info', e, d),
    warn: (e, d) => write('warn', e, d),
    error: (e, d) => write('error', e, d),
  };
}
