import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { RedactingExporter } from './redacting-exporter.js';
import { setTracingStarted, tracingStarted } from './tracing-state.js';

/** Where spans go. Tracing is off unless the configuration says otherwise. */
export interface TracingSettings {
  /**
   * `none` (the default): nothing is installed, `@opentelemetry/api` stays a no-op and spans cost nothing.
   * `otlp`: OTLP/HTTP (JSON) to `endpoint`, in batches. `memory`: kept in {@link TracingHandle.memory}, span by span (tests).
   */
  readonly exporter: 'none' | 'otlp' | 'memory';
  /**
   * The collector's traces URL for `otlp`; default {@link DEFAULT_OTLP_ENDPOINT}. Headers (a collector's
   * token), timeout and compression come from the exporter's standard `OTEL_EXPORTER_OTLP_*` variables.
   */
  readonly endpoint?: string;
  /** `service.name` of the spans; default `firmbank`. */
  readonly serviceName?: string;
  /**
   * Share of new traces kept, 0 to 1; default 1. A span with a parent follows its parent's decision, so a
   * transfer's trace is kept or dropped whole (the API call decides, the queue job and the link follow).
   */
  readonly sampleRatio?: number;
}

/** What {@link startTracing} installed. */
export interface TracingHandle {
  /**
   * Exports what is still buffered, then uninstalls the provider, context manager and propagator, after
   * which tracing may be started again. Safe to call twice.
   */
  shutdown(): Promise<void>;
  /** The spans exported so far, redacted, for `exporter: 'memory'` (cleared by `shutdown()`). */
  readonly memory?: InMemorySpanExporter;
}

export const DEFAULT_OTLP_ENDPOINT = 'http://127.0.0.1:4318/v1/traces';
const DEFAULT_SERVICE_NAME = 'firmbank';

/**
 * Installs tracing for this process, as `settings` say: a tracer provider whose spans all pass the
 * redaction (see redact-span.ts) on their way to the exporter, the AsyncLocalStorage context manager
 * (so that the active span follows `await`), and the W3C trace-context propagator (`traceparent`, for the
 * API's callers and the job data; not `baggage`, which would carry whatever a caller sends into Redis).
 * Call it once, before the API is built (see {@link fastifyTracingPlugin}), and `shutdown()` on the way out.
 *
 * Built from `BasicTracerProvider` rather than `NodeSDK`: the SDK reads `OTEL_*` variables for what we
 * decide in our configuration (with none set it starts OTLP metric and log exporters next to ours), loads
 * ~300 ms of metrics, logs and gRPC code we do not use, and its `shutdown()` leaves its globals registered,
 * so a second start in one process (the tests) would silently keep the first provider.
 *
 * Only one tracing may run at a time: starting again before the previous handle's `shutdown()` has
 * resolved is refused, as the API's globals take one provider. `none` installs nothing, so it may be
 * started any number of times, and does not stop a later start.
 *
 * @throws RangeError for settings out of range (an endpoint that is not an http(s) URL, a ratio outside 0–1).
 * @throws Error when tracing is already started, or another library registered an OpenTelemetry global.
 */
export function startTracing(settings: TracingSettings = { exporter: 'none' }): TracingHandle {
  if (settings.exporter === 'none') return { shutdown: async () => {} };
  if (tracingStarted()) throw new Error('startTracing: tracing is already started; await shutdown() of its handle first');

  const ratio = settings.sampleRatio ?? 1;
  if (!(ratio >= 0 && ratio <= 1)) throw new RangeError(`startTracing: sampleRatio must be between 0 and 1, got ${ratio}`);

  let memory: InMemorySpanExporter | undefined;
  let processor: SpanProcessor;
  if (settings.exporter === 'memory') {
    memory = new InMemorySpanExporter();
    processor = new SimpleSpanProcessor(new RedactingExporter(memory));
  } else {
    const url = settings.endpoint ?? DEFAULT_OTLP_ENDPOINT;
    // The URL itself is not shown: it may hold a collector's credentials.
    if (!/^https?:$/.test(protocolOf(url))) throw new RangeError(`startTracing: endpoint must be an http(s) URL, got ${protocolOf(url) || 'no URL'}`);
    processor = new BatchSpanProcessor(new RedactingExporter(new OTLPTraceExporter({ url })));
  }

  const provider = new BasicTracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ 'service.name': settings.serviceName ?? DEFAULT_SERVICE_NAME })),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }),
    spanProcessors: [processor],
  });
  // Each setter refuses (false) when the global is taken; what we did register is taken back then.
  const ours = {
    context: context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()),
    propagation: propagation.setGlobalPropagator(new W3CTraceContextPropagator()),
    trace: trace.setGlobalTracerProvider(provider),
  };
  if (!(ours.context && ours.propagation && ours.trace)) {
    uninstallGlobals(ours);
    throw new Error('startTracing: an OpenTelemetry global (tracer provider, context manager or propagator) was already registered by someone else');
  }
  setTracingStarted(true);

  let stopping: Promise<void> | undefined;
  return {
    memory,
    shutdown() {
      stopping ??= (async () => {
        try {
          await provider.shutdown(); // flushes the processor, then shuts the exporter down
        } finally {
          uninstallGlobals(ours);
          setTracingStarted(false);
        }
      })();
      return stopping;
    },
  };
}

/**
 * Unregisters what startTracing registered (`ours`), so that the API is a no-op again and accepts a new
 * provider: it keeps the first registration of each global and refuses others until that is disabled.
 */
function uninstallGlobals(ours: { context: boolean; propagation: boolean; trace: boolean }): void {
  if (ours.trace) trace.disable();
  if (ours.propagation) propagation.disable();
  if (ours.context) context.disable();
}

function protocolOf(url: string): string {
  try {
    return new URL(url).protocol;
  } catch {
    return '';
  }
}
