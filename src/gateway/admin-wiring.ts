import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { DataSource } from 'typeorm';
import { runReportPath } from '../batch/run-report.js';
import type { AdminServices, LiveInstitution, SwitchService } from '../admin/admin-services.js';
import { OperatorAuth } from '../admin/operator-auth.js';
import { telegramDump } from '../admin/telegram-dump.js';
import { keyIdOf, type ApiKeys } from '../api/api-keys.js';
import type { Consent } from '../domain/consent.js';
import { SWITCH_FLOWS } from '../domain/switches.js';
import type { FolderEvidenceStore } from '../evidence/folder-evidence-store.js';
import { AdminQueries } from '../ledger/admin-queries.js';
import { AuditStore } from '../ledger/audit-store.js';
import type { Ledger } from '../ledger/ledger.js';
import { OperatorStore } from '../ledger/operator-store.js';
import { ReconStore } from '../ledger/recon-store.js';
import type { SettlementStore } from '../ledger/settlement-store.js';
import type { WebhookStore } from '../ledger/webhook-store.js';
import type { ConsentStore } from '../ledger/consent-store.js';
import type { Wired } from './gateway.js';

export interface AdminWiring {
  readonly ds: DataSource;
  readonly ledger: Ledger;
  readonly apiKeys: ApiKeys;
  readonly institutions: ReadonlyMap<string, Wired>;
  readonly switches: SwitchService;
  readonly consents: ConsentStore;
  readonly evidence: FolderEvidenceStore;
  readonly webhooks: () => WebhookStore;
  readonly settlements: SettlementStore;
  readonly dataDir: string;
  readonly sessions: { readonly idleMinutes?: number; readonly absoluteMinutes?: number };
}

/** A one-won verification's 1 won: the only transfers whose memo is sealed (it holds the code). */
const SEALED_MEMO = 'sealed:';

/** The admin API's services over the gateway's stores, links and queues. */
export function adminServices(w: AdminWiring): AdminServices {
  const recon = new ReconStore(w.ds);
  const wired = (institution: string) => {
    const found = w.institutions.get(institution);
    if (!found) throw new Error(`transfer of an institution not configured here: ${institution}`);
    return found;
  };
  return {
    auth: new OperatorAuth(new OperatorStore(w.ds), { now: () => new Date() }, {
      ...(w.sessions.idleMinutes ? { idleMs: w.sessions.idleMinutes * 60_000 } : {}),
      ...(w.sessions.absoluteMinutes ? { absoluteMs: w.sessions.absoluteMinutes * 60_000 } : {}),
    }),
    audit: new AuditStore(w.ds),
    queries: new AdminQueries(w.ds),
    settlements: w.settlements,
    transfers: {
      get: (id) => w.ledger.get(id),
      events: (id) => w.ledger.events(id),
      telegrams: async (t, unmask) => {
        const codec = w.institutions.get(t.institution)?.codec;
        const rows = await w.ledger.telegrams(t.id);
        return codec ? rows.map((row) => telegramDump(codec, row, unmask)) : [];
      },
      // In the request: the operator waits for the bank's answer (a request timeout at most) and sees it.
      askNow: (t) => {
        const inst = wired(t.institution);
        return (t.kind === 'collection' ? inst.collectionSender : inst.transfers).askForOperator(t.id);
      },
      isOneWon: (t) => t.memo.startsWith(SEALED_MEMO),
    },
    live: async () => {
      const { effective } = await w.switches.list();
      return Promise.all([...w.institutions.values()].map((inst) => liveOf(inst, effective)));
    },
    profile: (institution) => w.institutions.get(institution)?.profile,
    switches: w.switches,
    apiKeys: {
      list: () => w.apiKeys.list(),
      create: async (service, maxAmount, scopes) => {
        const apiKey = await w.apiKeys.create(service, maxAmount, scopes);
        const key = (await w.apiKeys.list()).find((k) => k.keyId === keyIdOf(apiKey))!;
        return { key, apiKey };
      },
      revoke: (keyId) => w.apiKeys.revoke(keyId),
    },
    recon: {
      breaks: (filter) => recon.breaks(filter),
      resolve: (id, by, reason) => recon.resolveBreak(id, by, reason, new Date()),
      report: async (runId, kind) => {
        const run = await recon.run(runId);
        if (!run) return null;
        const path = runReportPath(w.dataDir, run, kind);
        try {
          return { bytes: await readFile(path), fileName: basename(path) };
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
          throw e;
        }
      },
    },
    webhooks: { redeliver: (id) => w.webhooks().redeliver(null, id, new Date()) },
    consents: {
      get: (id) => w.consents.get(id),
      recording: async (c: Consent) => {
        const location = c.evidence?.recordingLocation;
        if (!location) return null;
        const extension = /\.[a-z0-9]{1,5}$/.exec(location)?.[0] ?? '.bin';
        return { bytes: await w.evidence.get(location), fileName: `consent-${c.id}${extension}` };
      },
    },
  };
}

/** An institution as the dashboard shows it live: links, breaker, each flow's switch in effect, its queue. */
async function liveOf(w: Wired, effective: Awaited<ReturnType<SwitchService['list']>>['effective']): Promise<LiveInstitution> {
  const counts = await w.queue.counts();
  const mine = effective.filter((e) => e.institution === w.config.id);
  return {
    id: w.config.id,
    links: { up: w.pool.links.filter((l) => l.isReady).length, total: w.pool.links.length },
    breaker: w.link.breaker.state,
    switches: Object.fromEntries(SWITCH_FLOWS.map((flow) => [flow, mine.find((e) => e.flow === flow)?.state ?? 'on'])),
    queue: { waiting: counts.waiting, active: counts.active, delayed: counts.delayed },
  };
}
