import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { logContextMixin } from './log-context.js';
import { redactDetails } from './redaction.js';
import { serializeErr } from './serializers.js';

/** The levels a line is written at, least severe first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A logger's threshold, from configuration: a level, or `silent` for nothing at all. */
export type LogLevelSetting = LogLevel | 'silent';

/** Every threshold configuration may name. */
export const LOG_LEVELS: readonly LogLevelSetting[] = ['debug', 'info', 'warn', 'error', 'silent'];

/** True when `s` names a threshold (configuration validates `LOG_LEVEL` with it). */
export function isLogLevel(s: string): s is LogLevelSetting {
  return (LOG_LEVELS as readonly string[]).includes(s);
}

/**
 * Where the engine reports what happened: one event name (`link.connected`) and flat details. Details
 * should already be masked (callers pass telegram fields through maskFields); {@link jsonLogger} masks the
 * known sensitive keys again, as a safety net, not as the first line.
 *
 * `debug` and `child` are optional so that the small recording loggers of the tests still implement the
 * interface: call them as `log.debug?.(…)` and `log.child?.({…}) ?? log`. A logger without `debug` drops
 * debug lines, which is what a logger above debug level does anyway.
 */
export interface Logger {
  debug?(event: string, details?: Record<string, unknown>): void;
  info(event: string, details?: Record<string, unknown>): void;
  warn(event: string, details?: Record<string, unknown>): void;
  error(event: string, details?: Record<string, unknown>): void;
  /** A logger whose lines all carry `bindings` too (ids, such as `{ institution: 'hecto' }`). */
  child?(bindings: Record<string, unknown>): Logger;
}

/** The logger {@link jsonLogger} makes: every method present, and its threshold known. */
export interface JsonLogger extends Required<Logger> {
  child(bindings: Record<string, unknown>): JsonLogger;
  /** The threshold it was made with. */
  readonly level: LogLevelSetting;
  /** Whether a line at `level` would be written: skip building costly details when not. */
  isLevelEnabled(level: LogLevel): boolean;
}

/** Discards everything (tests, library use without a logger). */
export const silentLogger: Required<Logger> = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};

export interface JsonLoggerOptions {
  /** The threshold (configuration's `LOG_LEVEL`); `info` when not given. */
  readonly level?: LogLevelSetting;
  /** Where lines go; stderr (written synchronously) when not given. */
  readonly stream?: NodeJS.WritableStream;
}

/**
 * One JSON object per line: what ops tooling ingests. Each line has `level` (a word), `time` (ISO 8601),
 * `component`, the fields of the current runWithLogContext (`requestId`, `transferId`; log-context.ts)
 * and the `traceId` and `spanId` of the active OpenTelemetry span when there are any, `event`, then the
 * details:
 *
 * ```
 * {"level":"warn","time":"2025-01-02T03:04:05.678Z","component":"gateway","requestId":"r-1","event":"transfer.unknown","transferId":"…","reason":"…"}
 * ```
 *
 * Masked keys (accounts, names, passwords, keys, one-won codes, id and phone numbers, `*Account`, …; see
 * MASKED_KEYS) are masked wherever they are, down to three objects deep, and free-text
 * `error`/`reason`/`detail` strings are scrubbed of account-like numbers and keys. An `err` detail is
 * written as `{type, message, code}` on the line, its stack only at debug level; an Error given as
 * `error` becomes its one-line message.
 *
 * The second argument is the stream (as before) or the options. Without a stream, lines go to stderr
 * synchronously: a line written just before the process exits is not lost.
 */
export function jsonLogger(component: string, streamOrOptions?: NodeJS.WritableStream | JsonLoggerOptions): JsonLogger {
  const options: JsonLoggerOptions = isStream(streamOrOptions) ? { stream: streamOrOptions } : (streamOrOptions ?? {});
  const level = options.level ?? 'info';
  const destination: DestinationStream = (options.stream as DestinationStream | undefined) ?? pino.destination({ dest: 2, sync: true });
  const root: PinoLogger = pino(
    {
      level,
      base: { component },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Masking is a formatter rather than pino's `redact`, which is far slower here (see redactDetails).
      formatters: { level: (label) => ({ level: label }), log: redactDetails },
      mixin: logContextMixin,
      // pino copies the message of the error under its errorKey into a `msg` field, stack-like line breaks
      // and all, and our lines have no `msg`: a key no detail uses turns that off. `err` keeps its
      // serializer below, which is applied by name.
      errorKey: '__noErrorKey',
      serializers: { err: (e: unknown) => serializeErr(e, root.isLevelEnabled('debug')) },
    },
    destination,
  );
  return wrap(root, level);
}

function wrap(p: PinoLogger, level: LogLevelSetting): JsonLogger {
  const at = (l: LogLevel) => (event: string, details?: Record<string, unknown>) => {
    // The merged object is built only for a line that is written.
    if (p.isLevelEnabled(l)) p[l](details ? { event, ...details } : { event });
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    // pino gives a child's bindings no formatter: they are masked here, once.
    child: (bindings) => wrap(p.child(redactDetails(bindings)), level),
    level,
    isLevelEnabled: (l) => p.isLevelEnabled(l),
  };
}

function isStream(x: NodeJS.WritableStream | JsonLoggerOptions | undefined): x is NodeJS.WritableStream {
  return typeof (x as { write?: unknown } | undefined)?.write === 'function';
}
