import { isSpanContextValid, trace } from '@opentelemetry/api';

/**
 * The id of the active trace (32 hex digits), to put on log lines so that a log line leads to its trace;
 * undefined outside any span and whenever tracing is off.
 */
export function currentTraceId(): string | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext !== undefined && isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
}
