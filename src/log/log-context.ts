import { AsyncLocalStorage } from 'node:async_hooks';
import { isSpanContextValid, trace } from '@opentelemetry/api';

/**
 * What every log line written during a unit of work carries: the HTTP request or queue job it serves.
 * Values must be ids, not personal data (they are redacted like any detail, but an id is what they are for).
 */
export interface LogContext {
  readonly requestId?: string;
  readonly transferId?: string;
  readonly jobId?: string;
  readonly [key: string]: string | number | undefined;
}

const storage = new AsyncLocalStorage<LogContext>();

/**
 * Runs `fn` with `context` added to every log line written inside it, across awaits, timers and callbacks
 * it starts, and nowhere else. Nested calls add to the outer context (the inner value wins for a key).
 * The HTTP API's request hook and the queue workers call it around each request and job.
 */
export function runWithLogContext<T>(context: LogContext, fn: () => T): T {
  const outer = storage.getStore();
  return storage.run(outer ? { ...outer, ...context } : context, fn);
}

/** The context of the current unit of work, if any. */
export function currentLogContext(): LogContext | undefined {
  return storage.getStore();
}

/**
 * pino's `mixin`: the current {@link LogContext}, and the trace and span ids of the active OpenTelemetry
 * span, so that a line can be found from a trace and a trace from a line. Without a tracer installed the
 * OpenTelemetry API is a no-op and adds nothing. Called for every line: it does two lookups and no more,
 * and returns a fresh object, which pino may change.
 */
export function logContextMixin(): Record<string, unknown> {
  const context = storage.getStore();
  const span = trace.getActiveSpan()?.spanContext();
  const fields: Record<string, unknown> = context ? { ...context } : {};
  if (span && isSpanContextValid(span)) {
    fields['traceId'] = span.traceId;
    fields['spanId'] = span.spanId;
  }
  return fields;
}
