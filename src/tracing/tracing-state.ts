/**
 * Whether {@link startTracing} installed a tracer provider in this process (and its handle has not been
 * shut down since). Kept apart from start-tracing.ts so that the Fastify plugin can ask without loading
 * the SDK.
 */
let started = false;

/** True between a `startTracing` with an exporter and that handle's `shutdown()`. */
export function tracingStarted(): boolean {
  return started;
}

/** For start-tracing.ts only. */
export function setTracingStarted(value: boolean): void {
  started = value;
}
