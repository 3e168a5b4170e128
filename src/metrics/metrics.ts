import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { FirstSend } from '../flows/transfer-flow.js';
import { API_BUCKETS, JOB_LATENCY_BUCKETS, ROUND_TRIP_BUCKETS } from './buckets.js';
import { methodLabel, routeLabel, statusLabel } from './label-values.js';
import { SOURCE_NAMES, type BreakerState, type MetricSources, type SourceName } from './metric-sources.js';
import { SampledGauges } from './sampled-gauges.js';

/** How a request to a bank ended: answered, sent and not answered in time, or never sent. */
export type RoundTripOutcome = 'answered' | 'unknown' | 'not-sent';

export interface MetricsOptions {
  /**
   * Also export Node's process metrics (CPU, memory, event loop lag, GC) as `firmbank_process_…` and
   * `firmbank_nodejs_…` (default true). Each registry that has them keeps a GC observer and an event
   * loop monitor for the life of the process: tests that start many gateways may turn them off.
   */
  readonly processMetrics?: boolean;
  /** The clock ages are measured with (tests move it). */
  readonly now?: () => number;
}

/**
 * The gateway's Prometheus metrics, in a registry of their own (never prom-client's global one: two
 * gateways in one process must not share or clash). Two kinds of series:
 * - counters and histograms moved by the event methods below, as things happen;
 * - gauges read at each scrape from the {@link MetricSources} the gateway sets (links, breakers, switches,
 *   queues, the ledger). A source that fails does not fail the scrape: its series are left out and
 *   `firmbank_scrape_errors_total{source}` counts it (nothing is logged: a scrape every 15 s would flood
 *   the log while the database is down).
 *
 * Every label value is an institution id, a message name, a state, a route pattern or a queue name:
 * never an account number, a name or anything a request carried.
 */
export class Metrics {
  /** The registry behind {@link render}; tests and tools read it directly. */
  readonly registry = new Registry();
  private readonly gauges: SampledGauges;
  private sources: MetricSources = {};
  private rendering: Promise<string> | null = null;

  private readonly roundTrips: Histogram<'institution' | 'message' | 'outcome'>;
  private readonly telegrams: Counter<'institution' | 'direction' | 'message'>;
  private readonly answers: Counter<'institution' | 'message' | 'response_class'>;
  private readonly transitions: Counter<'institution' | 'from' | 'to'>;
  private readonly inquiries: Counter<'institution' | 'result'>;
  private readonly firstSends: Counter<'institution' | 'how'>;
  private readonly jobLatencies: Histogram<'queue' | 'kind'>;
  private readonly apiRequests: Histogram<'method' | 'route' | 'status'>;
  private readonly breakerTransitions: Counter<'institution' | 'from' | 'to'>;
  private readonly scrapeErrors: Counter<'source'>;

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    this.roundTrips = new Histogram({
      name: 'firmbank_link_round_trip_seconds',
      help: 'Time from sending a request to a bank to its answer (or to giving up), by message and outcome',
      labelNames: ['institution', 'message', 'outcome'],
      buckets: ROUND_TRIP_BUCKETS,
      registers,
    });
    this.telegrams = new Counter({ name: 'firmbank_telegrams_total', help: 'Telegrams sent (out) and received (in), by message', labelNames: ['institution', 'direction', 'message'], registers });
    this.answers = new Counter({ name: 'firmbank_answers_total', help: "Banks' answers by message and response class", labelNames: ['institution', 'message', 'response_class'], registers });
    this.transitions = new Counter({ name: 'firmbank_transfer_transitions_total', help: 'Transfer state changes, by from and to state', labelNames: ['institution', 'from', 'to'], registers });
    this.inquiries = new Counter({ name: 'firmbank_inquiries_total', help: 'Result inquiries for unknown transfers, by whether the bank answered', labelNames: ['institution', 'result'], registers });
    this.firstSends = new Counter({ name: 'firmbank_transfer_first_sends_total', help: 'How new transfers first went out: direct (from the accepting process), queued, or direct-then-queued', labelNames: ['institution', 'how'], registers });
    this.jobLatencies = new Histogram({
      name: 'firmbank_job_latency_seconds',
      help: 'Time from a job being ready to run (enqueued, or its delay over) to a worker starting it',
      labelNames: ['queue', 'kind'],
      buckets: JOB_LATENCY_BUCKETS,
      registers,
    });
    this.apiRequests = new Histogram({
      name: 'firmbank_api_request_duration_seconds',
      help: 'HTTP API requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: API_BUCKETS,
      registers,
    });
    this.breakerTransitions = new Counter({ name: 'firmbank_breaker_transitions_total', help: 'Circuit breaker moves, by from and to state', labelNames: ['institution', 'from', 'to'], registers });
    this.scrapeErrors = new Counter({ name: 'firmbank_scrape_errors_total', help: 'Metric sources that failed while /metrics was read (their series were left out)', labelNames: ['source'], registers });
    // At 0 from the start, so that the first failure is an increase Prometheus can see.
    for (const source of SOURCE_NAMES) this.scrapeErrors.inc({ source }, 0);
    this.gauges = new SampledGauges(this.registry, options.now ?? Date.now);
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'firmbank_' });
  }

  /** Sets where the scrape-time gauges are read from; replaces any sources set before. */
  setSources(sources: MetricSources): void {
    this.sources = sources;
  }

  /**
   * One request to a bank, from sending to its end: `answered`, `unknown` (sent, no answer in time: the
   * bank may have acted) or `not-sent` (no ready link, or withdrawn before writing).
   */
  linkRoundTrip(institution: string, message: string, seconds: number, outcome: RoundTripOutcome): void {
    this.roundTrips.observe({ institution, message, outcome }, seconds);
  }

  /** One telegram written to (`out`) or read from (`in`) an institution's link, named by its spec message. */
  telegram(institution: string, direction: 'in' | 'out', message: string): void {
    this.telegrams.inc({ institution, direction, message });
  }

  /**
   * One answer from a bank, by the class its response code falls in (`success`, `rejected`,
   * `request-error`, `processing`, `unknown`, `no-such-transaction`, …: whatever src/codes says).
   */
  answer(institution: string, message: string, responseClass: string): void {
    this.answers.inc({ institution, message, response_class: responseClass });
  }

  /** One transfer moved from one state to another (as the ledger accepted it). */
  transferTransition(institution: string, from: string, to: string): void {
    this.transitions.inc({ institution, from, to });
  }

  /** One result inquiry for an unknown transfer, answered by the bank or not. */
  inquiry(institution: string, result: 'answered' | 'not-answered'): void {
    this.inquiries.inc({ institution, result });
  }

  /**
   * How a new transfer first went out. A growing share `queued` says the bank's rate (or the in-flight
   * cap) is the limit; `direct-then-queued` counts sends stopped before an outcome (no link, a lost database).
   */
  transferFirstSend(institution: string, how: FirstSend): void {
    this.firstSends.inc({ institution, how });
  }

  /**
   * How long a job waited between being ready to run and a worker starting it; `kind` is the job's kind
   * (`send`, `inquire`, …). For a delayed job, ready means its delay is over.
   */
  jobLatency(queue: string, kind: string, seconds: number): void {
    this.jobLatencies.observe({ queue, kind }, Math.max(0, seconds));
  }

  /**
   * One HTTP API request, answered. `route` is the pattern that matched (`/v1/transfers/:id`), or
   * null/undefined when none did (counted as `unmatched`); never the URL itself.
   */
  apiRequest(method: string, route: string | null | undefined, status: number, seconds: number): void {
    this.apiRequests.observe({ method: methodLabel(method), route: routeLabel(route), status: statusLabel(status) }, seconds);
  }

  /** An institution's circuit breaker moved (the breaker's current state is sampled as well). */
  breakerTransition(institution: string, from: BreakerState, to: BreakerState): void {
    this.breakerTransitions.inc({ institution, from, to });
  }

  /**
   * The exposition for `GET /metrics`: reads the sources, then writes every series. Scrapes that arrive
   * while one is being rendered share its result, so the sources are not read twice at once and one
   * scrape's reset gauges are never read half-filled by another.
   */
  async render(): Promise<{ contentType: string; body: string }> {
    this.rendering ??= this.renderNow().finally(() => {
      this.rendering = null;
    });
    return { contentType: this.registry.contentType, body: await this.rendering };
  }

  private async renderNow(): Promise<string> {
    await this.gauges.sample(this.sources, (source: SourceName) => this.scrapeErrors.inc({ source }));
    return this.registry.metrics();
  }
}
