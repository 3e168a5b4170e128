import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { redactSpan } from './redact-span.js';

/**
 * Wraps the exporter that sends spans out of the process, so that every span passes {@link redactSpan}
 * on its way. It sits in front of the exporter rather than in a span processor: whatever the processors
 * and however a span was built (by us, by `@fastify/otel`, by a library), nothing reaches the wire, or
 * the tests' memory exporter, unredacted.
 */
export class RedactingExporter implements SpanExporter {
  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], resultCallback: Parameters<SpanExporter['export']>[1]): void {
    this.inner.export(spans.map(redactSpan), resultCallback);
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
