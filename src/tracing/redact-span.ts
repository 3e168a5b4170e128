import type { Attributes, AttributeValue, Link } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { ALLOWED_ATTRIBUTE_KEYS } from './span-attributes.js';

/** Six digits or more: account numbers (6–15 digits), resident and card numbers. */
const DIGIT_RUN = /\d{6,}/g;
/** Transfer ids are UUIDs, whose hex groups are sometimes all digits: they stay readable in a path. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A V8 stack frame: `    at fn (file:///…/x.js:12:5)` or `    at file:///…/x.js:12:5`. */
const STACK_FRAME = /^\s+at .*:\d+:\d+\)?$/;

/** `text` with every run of 6+ digits starred out, whole: no last-4 hint, nothing to join up. */
export function maskDigitRuns(text: string): string {
  return text.replace(DIGIT_RUN, (run) => '*'.repeat(run.length));
}

/**
 * A request path as it may be exported: without its query or fragment (where callers put names and
 * numbers), each segment decoded and its digit runs starred, save UUIDs. A segment that is not valid
 * percent-encoding is starred whole, as its digits cannot be found without decoding it.
 */
function redactPath(url: string): string {
  const path = url.split(/[?#]/, 1)[0] ?? '';
  return path
    .split('/')
    .map((segment) => {
      if (UUID.test(segment)) return segment;
      try {
        return maskDigitRuns(decodeURIComponent(segment));
      } catch {
        return '*';
      }
    })
    .join('/');
}

/**
 * The frames of a stack trace, digits starred, without its first lines: they repeat the error's message
 * (which may hold any input), and a message may run over several lines, so only lines shaped like frames
 * are kept rather than the first line dropped.
 */
function stackFrames(stack: string): string {
  return stack
    .split('\n')
    .filter((line) => STACK_FRAME.test(line))
    .map(maskDigitRuns)
    .join('\n');
}

function redactValue(key: string, value: AttributeValue): AttributeValue {
  if (typeof value !== 'string') return value;
  switch (key) {
    case 'url.path':
      return redactPath(value);
    case 'exception.stacktrace':
      return stackFrames(value);
    case 'exception.type':
      return maskDigitRuns(value);
    default:
      return value;
  }
}

/** The allow-listed attributes of `attributes` (values redacted where they may carry input), and how many others were removed. */
export function redactAttributes(attributes: Attributes | undefined): { attributes: Attributes; removed: number } {
  const kept: Attributes = {};
  let removed = 0;
  for (const [key, value] of Object.entries(attributes ?? {})) {
    if (value === undefined) continue;
    if (ALLOWED_ATTRIBUTE_KEYS.has(key)) kept[key] = redactValue(key, value);
    else removed++;
  }
  return { attributes: kept, removed };
}

function redactEvent(event: TimedEvent): TimedEvent {
  const { attributes, removed } = redactAttributes(event.attributes);
  return { time: event.time, name: maskDigitRuns(event.name), attributes, droppedAttributesCount: (event.droppedAttributesCount ?? 0) + removed };
}

function redactLink(link: Link): Link {
  const { attributes, removed } = redactAttributes(link.attributes);
  return { context: link.context, attributes, droppedAttributesCount: (link.droppedAttributesCount ?? 0) + removed };
}

/**
 * A copy of a finished span that is safe to export: only allow-listed attributes (on the span, its events
 * and its links), no `exception.message`, no status message (`@fastify/otel` puts the error's message
 * there), the query cut off `url.path`, and digit runs starred in names. Removed attributes are added to
 * the dropped counts, so a backend shows that something was set and removed.
 */
export function redactSpan(span: ReadableSpan): ReadableSpan {
  const { attributes, removed } = redactAttributes(span.attributes);
  return {
    name: maskDigitRuns(span.name),
    kind: span.kind,
    spanContext: () => span.spanContext(),
    parentSpanContext: span.parentSpanContext,
    startTime: span.startTime,
    endTime: span.endTime,
    duration: span.duration,
    ended: span.ended,
    status: { code: span.status.code },
    attributes,
    events: span.events.map(redactEvent),
    links: span.links.map(redactLink),
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount + removed,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}
