import { Gauge, type Registry } from 'prom-client';
import { TRANSFER_STATES } from '../domain/transfer-state.js';
import {
  LINK_STATES,
  type BreakerSample,
  type BreakerState,
  type LedgerSnapshot,
  type LinkSample,
  type MetricSources,
  type QueueSample,
  type SourceName,
  type SwitchSample,
} from './metric-sources.js';

/** `firmbank_breaker_state`: one number, so that a graph shows the breaker's moves and `== 2` means open. */
export const BREAKER_LEVEL: Readonly<Record<BreakerState, number>> = { closed: 0, 'half-open': 1, open: 2 };

const SWITCH_STATES = ['on', 'hold', 'off'] as const;
const QUEUE_STATUSES = ['waiting', 'active', 'delayed', 'failed'] as const;

/**
 * The gauges read from {@link MetricSources} at each scrape. Each source's gauges are emptied before its
 * figures are written, so a series whose subject is gone (a break resolved, a queue removed) disappears;
 * a source that fails leaves its gauges empty for that scrape rather than showing stale figures.
 */
export class SampledGauges {
  private readonly linkState: Gauge<'institution' | 'link' | 'state'>;
  private readonly linkUp: Gauge<'institution' | 'link'>;
  private readonly linkConnections: Gauge<'institution'>;
  private readonly linkInFlight: Gauge<'institution' | 'link'>;
  private readonly breakerState: Gauge<'institution'>;
  private readonly switchState: Gauge<'scope' | 'flow' | 'state'>;
  private readonly queueJobs: Gauge<'queue' | 'status'>;
  private readonly transfers: Gauge<'institution' | 'state'>;
  private readonly unknownOpen: Gauge<'institution'>;
  private readonly unknownNeedOperator: Gauge<'institution'>;
  private readonly unknownOldestAge: Gauge<'institution'>;
  private readonly seqUsed: Gauge<'institution' | 'bank_code' | 'company_id'>;
  private readonly seqMax: Gauge<'institution' | 'bank_code' | 'company_id'>;
  private readonly seqRemaining: Gauge<'institution' | 'bank_code' | 'company_id'>;
  private readonly reconBreaksOpen: Gauge<'institution' | 'category'>;
  private readonly noticeGapsOpen: Gauge<'institution'>;

  constructor(
    registry: Registry,
    private readonly now: () => number,
  ) {
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) => new Gauge<L>({ name, help, labelNames, registers: [registry] });
    this.linkState = gauge('firmbank_link_state', 'State of each connection to an institution: 1 for its current state, 0 for the others', ['institution', 'link', 'state']);
    this.linkUp = gauge('firmbank_link_up', 'Whether a connection is ready to carry requests (1) or not (0)', ['institution', 'link']);
    this.linkConnections = gauge('firmbank_link_connections', 'Connections this process keeps to an institution, ready or not', ['institution']);
    this.linkInFlight = gauge('firmbank_link_in_flight', 'Requests sent on a connection and not yet answered or given up', ['institution', 'link']);
    this.breakerState = gauge('firmbank_breaker_state', 'Circuit breaker of an institution: 0 closed, 1 half-open, 2 open', ['institution']);
    this.switchState = gauge('firmbank_switch_state', "Operator switch of a flow: 1 for its current state (on, hold, off), 0 for the others", ['scope', 'flow', 'state']);
    this.queueJobs = gauge('firmbank_queue_jobs', 'Jobs in a queue by status (shared by every gateway process)', ['queue', 'status']);
    this.transfers = gauge('firmbank_transfers', 'Transfers in the ledger by institution and state', ['institution', 'state']);
    this.unknownOpen = gauge('firmbank_unknown_outcomes_open', 'Transfers whose outcome is unknown (sent, not answered), per institution', ['institution']);
    this.unknownNeedOperator = gauge('firmbank_unknown_outcomes_need_operator', 'Unknown outcomes that inquiries gave up on: an operator must settle them', ['institution']);
    this.unknownOldestAge = gauge('firmbank_unknown_outcome_oldest_age_seconds', 'Seconds since the oldest open unknown outcome became unknown (0 when none)', ['institution']);
    const seq = ['institution', 'bank_code', 'company_id'] as const;
    this.seqUsed = gauge('firmbank_seq_used', '전문번호 taken today (Korean date) for a bank and company', seq);
    this.seqMax = gauge('firmbank_seq_max', 'Daily maximum of 전문번호 for a bank and company (the spec\'s maxSeqNo)', seq);
    this.seqRemaining = gauge('firmbank_seq_remaining', '전문번호 left today for a bank and company', seq);
    this.reconBreaksOpen = gauge('firmbank_recon_breaks_open', 'Reconciliation breaks still open, by institution and category', ['institution', 'category']);
    this.noticeGapsOpen = gauge('firmbank_notice_gaps_open', 'Notices never received even when asked for again (open notice-gap breaks)', ['institution']);
  }

  /** Reads every source at once; calls `failed` for each one that throws or rejects. */
  async sample(sources: MetricSources, failed: (source: SourceName) => void): Promise<void> {
    const read = async <T>(name: SourceName, fn: (() => T | Promise<T>) | undefined, write: (value: T) => void, clear: () => void) => {
      if (!fn) return clear();
      let value: T;
      try {
        value = await fn.call(sources);
      } catch {
        clear();
        return failed(name);
      }
      clear();
      write(value);
    };
    await Promise.all([
      read('links', sources.links, (v) => this.writeLinks(v), () => this.clear(this.linkState, this.linkUp, this.linkConnections, this.linkInFlight)),
      read('breakers', sources.breakers, (v) => this.writeBreakers(v), () => this.clear(this.breakerState)),
      read('switches', sources.switches, (v) => this.writeSwitches(v), () => this.clear(this.switchState)),
      read('queues', sources.queues, (v) => this.writeQueues(v), () => this.clear(this.queueJobs)),
      read('ledger', sources.ledger, (v) => this.writeLedger(v), () =>
        this.clear(this.transfers, this.unknownOpen, this.unknownNeedOperator, this.unknownOldestAge, this.seqUsed, this.seqMax, this.seqRemaining, this.reconBreaksOpen, this.noticeGapsOpen),
      ),
    ]);
  }

  private clear(...gauges: Gauge<string>[]): void {
    for (const g of gauges) g.reset();
  }

  private writeLinks(links: readonly LinkSample[]): void {
    const connections = new Map<string, number>();
    for (const l of links) {
      const labels = { institution: l.institution, link: String(l.link) };
      for (const state of new Set<string>([...LINK_STATES, l.state])) this.linkState.set({ ...labels, state }, state === l.state ? 1 : 0);
      this.linkUp.set(labels, l.state === 'ready' ? 1 : 0);
      this.linkInFlight.set(labels, l.inFlight);
      connections.set(l.institution, (connections.get(l.institution) ?? 0) + 1);
    }
    for (const [institution, n] of connections) this.linkConnections.set({ institution }, n);
  }

  private writeBreakers(breakers: readonly BreakerSample[]): void {
    for (const b of breakers) this.breakerState.set({ institution: b.institution }, BREAKER_LEVEL[b.state]);
  }

  private writeSwitches(switches: readonly SwitchSample[]): void {
    for (const s of switches) for (const state of SWITCH_STATES) this.switchState.set({ scope: s.scope, flow: s.flow, state }, state === s.state ? 1 : 0);
  }

  private writeQueues(queues: readonly QueueSample[]): void {
    for (const q of queues) for (const status of QUEUE_STATUSES) this.queueJobs.set({ queue: q.queue, status }, q[status]);
  }

  private writeLedger(l: LedgerSnapshot): void {
    // Every institution the ledger knows gets every series, at 0 when it has nothing: a panel then shows
    // a flat line rather than a gap, and an alert's series does not come and go.
    const institutions = new Set([...l.transfers.map((t) => t.institution), ...l.unknowns.map((u) => u.institution), ...l.reconBreaks.map((b) => b.institution)]);
    for (const institution of institutions) {
      for (const state of TRANSFER_STATES) this.transfers.set({ institution, state }, 0);
      this.unknownOpen.set({ institution }, 0);
      this.unknownNeedOperator.set({ institution }, 0);
      this.unknownOldestAge.set({ institution }, 0);
      this.noticeGapsOpen.set({ institution }, 0);
    }
    for (const t of l.transfers) this.transfers.set({ institution: t.institution, state: t.state }, t.count);
    const now = this.now();
    for (const u of l.unknowns) {
      this.unknownOpen.set({ institution: u.institution }, u.open);
      this.unknownNeedOperator.set({ institution: u.institution }, u.needOperator);
      this.unknownOldestAge.set({ institution: u.institution }, u.open > 0 ? Math.max(0, (now - u.oldestSince.getTime()) / 1000) : 0);
    }
    for (const s of l.sequences) {
      const labels = { institution: s.institution, bank_code: s.bankCode, company_id: s.companyId };
      this.seqUsed.set(labels, s.used);
      this.seqMax.set(labels, s.max);
      this.seqRemaining.set(labels, Math.max(0, s.max - s.used));
    }
    for (const b of l.reconBreaks) {
      this.reconBreaksOpen.set({ institution: b.institution, category: b.category }, b.open);
      if (b.category === 'notice-gap') this.noticeGapsOpen.set({ institution: b.institution }, b.open);
    }
  }
}
