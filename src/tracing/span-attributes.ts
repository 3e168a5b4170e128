import type { Attributes, Span } from '@opentelemetry/api';
import type { TransferState } from '../domain/transfer-state.js';

/**
 * What a span of ours may say. These facts, and nothing else of ours, reach a trace: an attribute set
 * under any other key is removed before export (see {@link ALLOWED_ATTRIBUTE_KEYS}). None of them is an
 * account number, a name, a password or a code a customer typed: keep it that way when adding one.
 */
export interface SpanFacts {
  /** The institution (our id for a contract with a bank or VAN). */
  readonly institution?: string;
  readonly transferId?: string;
  /** The telegram's message kind as the spec names it (e.g. `0200/100`), never its content. */
  readonly message?: string;
  /** The telegram's 전문번호. */
  readonly seqNo?: string;
  /** The telegram's send date, as sent (`YYYYMMDD`). */
  readonly sendDate?: string;
  /** A ledger move: the state left… */
  readonly stateFrom?: TransferState;
  /** …and the state entered. */
  readonly stateTo?: TransferState;
  /** The bank's response code (its meaning is in the response-code tables; the bank's text is not kept). */
  readonly responseCode?: string;
  /** How a step ended, in a word of ours: `succeeded`, `failed`, `unknown`, `timeout`… */
  readonly outcome?: string;
  /** The queue a job ran on. */
  readonly queue?: string;
  /** The job's kind: `send`, `inquire`. */
  readonly jobKind?: string;
  /** The job's attempt, from 1. */
  readonly attempt?: number;
  /** Which result inquiry this is for the transfer, from 1. */
  readonly inquiry?: number;
}

/** The attribute key of each fact: `firmbank.*`, in the dotted snake_case of OpenTelemetry's conventions. */
export const SPAN_ATTRIBUTES = {
  institution: 'firmbank.institution',
  transferId: 'firmbank.transfer.id',
  message: 'firmbank.telegram.message',
  seqNo: 'firmbank.telegram.seq_no',
  sendDate: 'firmbank.telegram.send_date',
  stateFrom: 'firmbank.transfer.state_from',
  stateTo: 'firmbank.transfer.state_to',
  responseCode: 'firmbank.response.code',
  outcome: 'firmbank.outcome',
  queue: 'firmbank.queue',
  jobKind: 'firmbank.job.kind',
  attempt: 'firmbank.job.attempt',
  inquiry: 'firmbank.inquiry.number',
} as const satisfies { readonly [K in keyof Required<SpanFacts>]: `firmbank.${string}` };

/**
 * What `@fastify/otel` 0.21 sets on its request, handler and hook spans (read from its source: it sets
 * no `server.*`, `url.query` or `url.full`, but `url.path` is Fastify's `request.url`, query included,
 * so the redaction cuts the query off). The names of functions and hooks are code, not data.
 */
export const HTTP_ATTRIBUTE_KEYS = [
  'http.request.method',
  'http.route',
  'http.response.status_code',
  'url.path',
  'fastify.root',
  'fastify.type',
  'hook.name',
  'hook.callback.name',
] as const;

/**
 * What `recordException` puts on an `exception` event, less `exception.message`: a message is written
 * from whatever input went wrong, and no pattern recognises a name or a password in it, so it is dropped
 * rather than masked. `exception.type` is the error's stable `code` (FirmbankError, Node's `ECONN…`) or
 * its class name; the stack trace keeps its frames only (see redact-span.ts).
 */
export const EXCEPTION_ATTRIBUTE_KEYS = ['exception.type', 'exception.stacktrace'] as const;

/** Every attribute key that may leave the process, on spans, events and links alike. */
export const ALLOWED_ATTRIBUTE_KEYS: ReadonlySet<string> = new Set<string>([
  ...Object.values(SPAN_ATTRIBUTES),
  ...HTTP_ATTRIBUTE_KEYS,
  ...EXCEPTION_ATTRIBUTE_KEYS,
]);

const FACTS = Object.keys(SPAN_ATTRIBUTES) as (keyof SpanFacts)[];

/** `facts` as span attributes. Facts left undefined are left out, and so is any property that is no fact. */
export function factAttributes(facts: SpanFacts): Attributes {
  const attributes: Attributes = {};
  for (const fact of FACTS) {
    const value = facts[fact];
    if (value !== undefined) attributes[SPAN_ATTRIBUTES[fact]] = value;
  }
  return attributes;
}

/** Adds facts learnt while a span runs (the bank's answer, the outcome) to `span`. */
export function setFacts(span: Span, facts: SpanFacts): void {
  if (span.isRecording()) span.setAttributes(factAttributes(facts));
}
