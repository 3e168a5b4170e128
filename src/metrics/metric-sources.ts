/**
 * What the gauges of /metrics are read from, at every scrape. The gateway supplies each function; one it
 * leaves out simply gives no series. Label values are ids, names of messages, states and queues: never an
 * account number, a name or anything a request carried.
 */
export interface MetricSources {
  /** Every connection of every institution, as this process holds them. */
  links?(): readonly LinkSample[] | Promise<readonly LinkSample[]>;
  /** The circuit breaker of each institution. */
  breakers?(): readonly BreakerSample[] | Promise<readonly BreakerSample[]>;
  /** The operator's on / hold / off switches. */
  switches?(): readonly SwitchSample[] | Promise<readonly SwitchSample[]>;
  /** Job counts of each queue (BullMQ's getJobCounts), shared by every gateway process. */
  queues?(): readonly QueueSample[] | Promise<readonly QueueSample[]>;
  /** What the ledger holds (see src/ledger/metrics-queries.ts, which caches it for a few seconds). */
  ledger?(): LedgerSnapshot | Promise<LedgerSnapshot>;
}

/** The names of the sources, as `firmbank_scrape_errors_total{source}` counts their failures. */
export type SourceName = keyof MetricSources;

export const SOURCE_NAMES: readonly SourceName[] = ['links', 'breakers', 'switches', 'queues', 'ledger'];

/** Link states as src/link/bank-link.ts knows them; another state still gets its own series. */
export const LINK_STATES = ['idle', 'connecting', 'opening', 'ready', 'waiting', 'closing', 'closed'] as const;

export interface LinkSample {
  readonly institution: string;
  /** The connection's index in its pool (0, 1, …). */
  readonly link: number;
  /** One of {@link LINK_STATES}; `ready` is the only one that carries requests. */
  readonly state: string;
  /** Requests sent on this connection and not yet answered or given up. */
  readonly inFlight: number;
}

export type BreakerState = 'closed' | 'half-open' | 'open';

export interface BreakerSample {
  readonly institution: string;
  readonly state: BreakerState;
}

export type SwitchState = 'on' | 'hold' | 'off';

export interface SwitchSample {
  /** What the switch covers: an institution id, a service, or `all`. */
  readonly scope: string;
  /** The flow it stops or holds (e.g. `transfer`, `verification`). */
  readonly flow: string;
  readonly state: SwitchState;
}

export interface QueueSample {
  readonly queue: string;
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
  readonly failed: number;
}

/** The ledger's figures at one moment: counts only, grouped by institution and state or category. */
export interface LedgerSnapshot {
  /** Transfers per institution and state (every state an institution has rows in). */
  readonly transfers: readonly { readonly institution: string; readonly state: string; readonly count: number }[];
  /** Transfers in `unknown`, per institution that has any. */
  readonly unknowns: readonly UnknownOutcomes[];
  /** 전문번호 of today per (bank, company) the gateway numbers for. */
  readonly sequences: readonly SequenceUse[];
  /** Reconciliation breaks still open, per institution and category (`notice-gap` among them). */
  readonly reconBreaks: readonly { readonly institution: string; readonly category: string; readonly open: number }[];
}

export interface UnknownOutcomes {
  readonly institution: string;
  readonly open: number;
  /** Those an operator must settle (inquiries gave up). */
  readonly needOperator: number;
  /**
   * When the oldest of them became unknown. A time, not an age: the snapshot is cached, and the age is
   * worked out at each scrape so that it keeps growing between two reads of the ledger.
   */
  readonly oldestSince: Date;
}

export interface SequenceUse {
  readonly institution: string;
  readonly bankCode: string;
  readonly companyId: string;
  /** Numbers taken today (handed out or reserved by a process: never given again either way). */
  readonly used: number;
  /** The spec's daily maximum (`session.maxSeqNo`). */
  readonly max: number;
}
