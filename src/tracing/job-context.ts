import { ROOT_CONTEXT, context, propagation, trace, type SpanContext } from '@opentelemetry/api';

/**
 * A trace's context as job data can carry it: the W3C `traceparent` (and `tracestate`) headers, as
 * strings. Empty when there is nothing to carry (no active span, tracing off).
 */
export type TraceCarrier = Record<string, string>;

/** The active trace context, to put in a job's data when queuing it (`{ transferId, trace: injectContext() }`). */
export function injectContext(): TraceCarrier {
  const carrier: TraceCarrier = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/**
 * Runs `fn` with the trace context of `carrier` active, so that its spans continue the trace of whoever
 * queued the job: a worker calls it around the job's work. A missing or malformed carrier (a job queued
 * before tracing, or by a process with tracing off) runs `fn` outside any trace.
 */
export function withContext<T>(carrier: TraceCarrier | undefined, fn: () => T): T {
  return context.with(extracted(carrier), fn);
}

/**
 * The span context kept in `carrier`, to link to rather than continue: for a result inquiry queued long
 * after its transfer, `withSpan(…, { links: spanLinks(storedContext(carrier)), newTrace: true })`.
 * Undefined when the carrier holds none.
 */
export function storedContext(carrier: TraceCarrier | undefined): SpanContext | undefined {
  return trace.getSpanContext(extracted(carrier));
}

function extracted(carrier: TraceCarrier | undefined) {
  // Job data comes back from Redis as whatever JSON was stored: only an object is read.
  return typeof carrier === 'object' && carrier !== null ? propagation.extract(ROOT_CONTEXT, carrier) : ROOT_CONTEXT;
}
