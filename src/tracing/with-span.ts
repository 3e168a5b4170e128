import { INVALID_SPAN_CONTEXT, SpanStatusCode, isSpanContextValid, trace, type Exception, type Link, type Span, type SpanContext, type SpanKind } from '@opentelemetry/api';
import { factAttributes, type SpanFacts } from './span-attributes.js';
import { tracingStarted } from './tracing-state.js';

/** The tracer of our own spans (a span's `otel.scope.name`). */
export const TRACER_NAME = 'firmbank';

export interface WithSpanOptions {
  /** Spans of other traces this one follows from, e.g. `spanLinks(storedContext(job.data.trace))`. */
  readonly links?: Link[];
  /**
   * Start a trace of its own rather than a child of the active span: a result inquiry run long after its
   * transfer gets its own trace, linked to the transfer's (one trace is one request/job, not one day).
   */
  readonly newTrace?: boolean;
  /** `SpanKind.CLIENT` for a request to a bank, `PRODUCER`/`CONSUMER` around queue jobs; default internal. */
  readonly kind?: SpanKind;
}

/**
 * Runs `fn` inside a new span named `name`, a child of the active span (if any), which is active in `fn`
 * and across its awaits. `facts` become its attributes; add facts learnt on the way with
 * `setFacts(span, …)`. A throw (or rejection) is recorded on the span, which is marked as failed, and
 * rethrown; the span ends when `fn` settles either way. With tracing off it costs a no-op span.
 *
 * Name spans with constants (`transfer.send`, `link.request`): names are not redacted beyond digit runs.
 *
 * @example
 *   await withSpan('transfer.send', { transferId, institution }, async (span) => {
 *     const answer = await link.request(telegram);
 *     setFacts(span, { responseCode: answer.code });
 *   });
 */
export function withSpan<T>(name: string, facts: SpanFacts, fn: (span: Span) => Promise<T> | T, options: WithSpanOptions = {}): Promise<T> {
  // Tracing off (the default): no span, no context switch — the link's hot path pays nothing for it.
  if (!tracingStarted()) return untraced(fn);
  const spanOptions = { links: options.links, root: options.newTrace, kind: options.kind };
  return trace.getTracer(TRACER_NAME).startActiveSpan(name, spanOptions, async (span) => {
    // Set after the start, and only on spans that are kept: unsampled and no-op spans skip the work.
    if (span.isRecording()) span.setAttributes(factAttributes(facts));
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(asException(error));
      // No status message: it would be the error's message, which the redaction drops anyway.
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

const NO_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

async function untraced<T>(fn: (span: Span) => Promise<T> | T): Promise<T> {
  return fn(NO_SPAN);
}

/** What recordException can read from a thrown value: an Error as is, anything else by its type only. */
function asException(error: unknown): Exception {
  return error instanceof Error ? error : { name: `thrown ${typeof error}` };
}

/**
 * Links to the spans of `contexts`, skipping the undefined and invalid ones (a job queued with tracing
 * off carries none): pass the result as `links` to {@link withSpan}.
 */
export function spanLinks(...contexts: (SpanContext | undefined)[]): Link[] {
  return contexts.filter((c): c is SpanContext => c !== undefined && isSpanContextValid(c)).map((c) => ({ context: c }));
}
