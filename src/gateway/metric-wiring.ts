import type { DataSource } from 'typeorm';
import type { ResponseCodeTable } from '../codes/response-codes.js';
import type { InstitutionConfig } from '../config/config.js';
import { SWITCH_FLOWS } from '../domain/switches.js';
import type { InstitutionProfile } from '../institution/profile.js';
import { LedgerMetricsQueries } from '../ledger/metrics-queries.js';
import type { ExchangeRecord } from '../link/bank-link.js';
import { kst, type Clock } from '../link/clock.js';
import type { TrafficRecord } from '../link/exchange.js';
import type { MetricSources } from '../metrics/metric-sources.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Switchboard } from '../switches/switchboard.js';
import type { Wired } from './gateway.js';

/** What an institution's link tells the metrics: every telegram, every request's end and its answer's class. */
export function linkObserver(metrics: Metrics, inst: InstitutionConfig, profile: InstitutionProfile, codes: ResponseCodeTable) {
  const inquiry = profile.supports('resultInquiry') ? profile.message('resultInquiry') : null;
  return {
    traffic: (r: TrafficRecord) => metrics.telegram(inst.id, r.direction, r.message),
    exchange: (e: ExchangeRecord) => {
      metrics.linkRoundTrip(inst.id, e.message, e.ms / 1_000, e.status);
      if (e.message === inquiry) metrics.inquiry(inst.id, e.status === 'answered' ? 'answered' : 'not-answered');
      if (e.responseCode !== undefined) metrics.answer(inst.id, e.message, codes.lookup(inst.bankCode, e.responseCode).outcome);
    },
  };
}

/** What /metrics reads at each scrape: links, breakers and switches of this process, the shared queues and ledger. */
export function metricSources(g: { ds: DataSource; institutions: ReadonlyMap<string, Wired>; switches: Switchboard; clock: Clock }): MetricSources {
  const wired = () => [...g.institutions.values()];
  const ledger = new LedgerMetricsQueries(g.ds, {
    sequences: wired().map((w) => ({ institution: w.config.id, bankCode: w.profile.wireBank(w.config.bankCode), companyId: w.config.companyId, maxSeqNo: w.profile.spec.session!.maxSeqNo })),
  });
  return {
    links: () => wired().flatMap((w) => w.pool.links.map((l, i) => ({ institution: w.config.id, link: i, state: l.state, inFlight: l.inFlight }))),
    breakers: () => wired().map((w) => ({ institution: w.config.id, state: w.link.breaker.state })),
    queues: () => Promise.all(wired().map(async (w) => ({ queue: w.queue.name, ...(await w.queue.counts()) }))),
    ledger: () => ledger.snapshot(kst(g.clock()).date),
    switches: () => wired().flatMap((w) => SWITCH_FLOWS.map((flow) => ({ scope: w.config.id, flow, state: g.switches.state(w.config.id, flow).state }))),
  };
}
