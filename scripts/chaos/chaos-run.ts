import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import { TelegramCodec } from '../../src/codec/telegram-codec.js';
import { projectRoot } from '../../src/paths.js';
import { FAULT_KINDS } from '../../src/sim/fault-plan.js';
import { DEFAULT_SIM_ACCOUNTS } from '../../src/sim/sim-ledger.js';
import { loadSpecFile } from '../../src/spec/load-spec.js';
import { BooksWatcher } from './books-watcher.js';
import { Callers, sleep } from './callers.js';
import { ChaosLoop } from './chaos-loop.js';
import { Children } from './children.js';
import { freshDatabase, type RunDatabase } from './database.js';
import { GatewayFleet } from './fleet.js';
import { LedgerReader } from './ledger-reader.js';
import type { ChaosOptions } from './options.js';
import { planTransfers } from './plan.js';
import { Random } from './prng.js';
import { gatherEvidence, type ChaosSummary } from './report.js';
import { createApiKey, freePort, gatewaySetup, PrivateRedis, redisAnswers, startSimulator, WEBHOOK_TIMEOUT_MS } from './services.js';
import { SimControl } from './sim-control.js';
import { judge, tally } from './verdict.js';
import { FeedReader } from './feed-reader.js';
import { CHAOS_SERVICE, registerWebhook, WEBHOOK_TYPES } from './webhook-endpoint.js';
import { tallyReceipts, WebhookReceiver } from './webhook-receiver.js';
import { WireTap } from './wire-tap.js';

/** Inquiries before a transfer is flagged: enough that only a fault armed again and again exhausts them. */
const INQUIRY_MAX_ATTEMPTS = 60;

/**
 * What a run holds that must be let go of, whatever happens: its processes, its database, the reader.
 * Made by the caller, so that Ctrl-C can clean up while the run is still under way.
 */
export class RunResources {
  readonly children: Children;
  database: RunDatabase | null = null;
  reader: LedgerReader | null = null;
  fleet: GatewayFleet | null = null;
  tap: WireTap | null = null;
  receiver: WebhookReceiver | null = null;
  private cleaned: Promise<void> | null = null;

  constructor(readonly dir: string) {
    this.children = new Children(dir);
  }

  /** Kills every process the run started (by its pid) and drops the database; once, however often called. */
  cleanup(): Promise<void> {
    this.cleaned ??= (async () => {
      this.fleet?.close();
      await this.children.stopAll();
      await this.tap?.close();
      await this.receiver?.close();
      await this.reader?.close().catch(() => {});
      await this.database?.drop();
    })();
    return this.cleaned;
  }
}

/**
 * One chaos run, start to verdict: a fresh database, a private Redis, the simulator and the gateways in
 * processes of their own; callers and the chaos loop at the same time; then the settle phase with the
 * faults cleared; then the verdict from the ledger and the bank's books. The caller cleans up `res`.
 *
 * `stop` aborts on the global deadline: the run then goes straight to its verdict, which fails.
 */
export async function runChaos(options: ChaosOptions, res: RunResources, stop: AbortSignal, say: (line: string) => void): Promise<ChaosSummary> {
  const root = projectRoot();
  const started = Date.now();
  const { children, dir: runDir } = res;
  const seed = new Random(options.seed);
  const plan = planTransfers(seed.fork(1), options.transfers, options.seed);

  const database = (res.database = await freshDatabase(options.database, runDir));
  say(`database ${database.shown}; run directory ${runDir}`);
  const redis = new PrivateRedis(children, await freePort(), runDir);
  const token = randomBytes(16).toString('hex');
  // Redis, the simulator and the API key do not need each other: started together (each node process
  // takes seconds to start on a busy machine).
  const [, sim, key] = await Promise.all([redis.start(), startSimulator(children, root, token), createApiKey(children, root, database.url)]);
  const control = new SimControl(sim.control, token);
  const codec = new TelegramCodec(loadSpecFile(join(root, 'specs/hecto.yaml')));
  const tap = options.tap ? (res.tap = new WireTap(codec, sim.port)) : null;
  const receiver = (res.receiver = new WebhookReceiver(seed.fork(4), WEBHOOK_TIMEOUT_MS));
  const hookUrl = await receiver.listen();
  const setup = gatewaySetup(runDir, tap ? await tap.listen() : sim.port, database.url, redis.url, `chaos-${options.seed}`, INQUIRY_MAX_ATTEMPTS);
  const fleet = (res.fleet = new GatewayFleet(children, root, setup, options.gateways, () => redisAnswers(redis.port)));
  await fleet.startAll();
  const reader = (res.reader = await LedgerReader.open(database.url));
  say(`redis on port ${redis.port}, simulator on port ${sim.port}, gateways at ${fleet.bases().join(' ')}`);
  // The callers' service hears of its transfers by webhook (registered before the first one, so every
  // event of the run is for it) and by following the change feed through the whole run.
  const hook = await registerWebhook(fleet, key, hookUrl, seed.fork(5), stop);
  say(`webhook endpoint ${hook.id} at ${hookUrl}`);
  const feed = new FeedReader(fleet, key, seed.fork(6));
  const following = new AbortController();
  const feedRun = feed.run(AbortSignal.any([stop, following.signal]));
  receiver.failing = true;

  // The chaos and the callers at the same time; the chaos stops once every transfer was answered.
  const chaos = new ChaosLoop(seed.fork(2), control, fleet, redis, FAULT_KINDS);
  const callers = new Callers(fleet, key, seed.fork(3));
  const chaosStart = Date.now();
  const chaosStop = new AbortController();
  const chaosRun = chaos.run(AbortSignal.any([stop, chaosStop.signal]));
  const watcher = new BooksWatcher(control);
  const watching = new AbortController();
  const watcherRun = watcher.run(AbortSignal.any([stop, watching.signal]));
  // A chaos that cannot go on (the simulator's control API gone …) stops the callers too; the error
  // comes out of `await chaosRun` below.
  const broken = new AbortController();
  chaosRun.catch(() => broken.abort());
  const progress = setInterval(() => say(`… ${callers.record.answered.size}/${options.transfers} transfers acknowledged`), 15_000);
  try {
    const callerSignal = AbortSignal.any([stop, broken.signal]);
    setMaxListeners(0, callerSignal); // every call in flight listens to it
    await callers.run(plan, options.concurrency, options.rate, callerSignal);
  } finally {
    clearInterval(progress);
    chaosStop.abort();
    await chaosRun;
  }
  const chaosEnd = Date.now();

  // Settle: a healthy bank, every process up; wait until nothing is left open but what is flagged.
  say('settle: faults cleared, waiting for every transfer to be final');
  await control.must('/clear');
  receiver.failing = false;
  if (!redis.child) await redis.start();
  await fleet.ensureAll();
  const settleBy = Math.min(Date.now() + options.settleS * 1000, started + options.deadlineS * 1000);
  let open = Infinity;
  while (!stop.aborted && Date.now() < settleBy) {
    const u = await reader.unsettled();
    open = u.open - u.flagged;
    if (open === 0) break;
    await sleep(500, stop);
  }
  const settleEnd = Date.now();
  watching.abort();
  await watcherRun;
  await watcher.look();

  // Then until every event has its delivery and none is pending: retries of deliveries the receiver failed
  // come on the gateways' backoff (10 s doubling), and a gateway killed mid-attempt holds its claim for a
  // while. Dead letters are judged, not waited for (they come after 24 hours).
  say('waiting for every webhook delivery to be delivered');
  let backlog = await reader.deliveryBacklog(CHAOS_SERVICE, WEBHOOK_TYPES);
  for (let i = 1; !stop.aborted && (backlog.deliveries < backlog.events || backlog.pending > 0); i++) {
    await sleep(500, stop);
    backlog = await reader.deliveryBacklog(CHAOS_SERVICE, WEBHOOK_TYPES);
    if (i % 30 === 0) say(`… ${backlog.pending} deliveries pending, ${backlog.events - backlog.deliveries} events not fanned out yet`);
  }
  const webhooksEnd = Date.now();
  following.abort();
  await feedRun;
  // The last pages: read whatever the run's deadline, or the feed's verdict would only repeat it.
  await feed.drain(AbortSignal.timeout(30_000), 20);

  const [books, ours, sent, outbox] = [await control.books(), await reader.transfers(), await reader.sent(), await reader.outbox()];
  const [events, deliveries] = [await reader.serviceEvents(CHAOS_SERVICE), await reader.webhookDeliveries()];
  const verdict = judge({
    ours,
    sent,
    numbered: new Set([...codec.spec.messages.values()].filter((m) => m.from === 'company').map((m) => m.name)),
    bank: books.transfers,
    balances: books.accounts,
    openingBalances: DEFAULT_SIM_ACCOUNTS,
    rewrites: watcher.rewrites,
    ...(tap ? { wire: tap.transfers } : {}),
    api: callers.record,
    unacknowledgedNotices: chaos.counts.unacknowledgedNotices,
    inquiryMaxAttempts: INQUIRY_MAX_ATTEMPTS,
    outbox,
    events: { service: CHAOS_SERVICE, events, webhooks: { types: WEBHOOK_TYPES, receipts: receiver.receipts, secret: hook.secret, path: new URL(hookUrl).pathname, deliveries }, feed: { pages: feed.pages } },
    ...(stop.aborted ? { stoppedEarly: String(stop.reason) } : {}),
  });
  const evidence = verdict.ok ? [] : await gatherEvidence(verdict, reader, codec);
  const a = callers.record;
  const c = chaos.counts;
  const summary: ChaosSummary = {
    seed: options.seed,
    transfers: options.transfers,
    database: options.database,
    gateways: options.gateways,
    concurrency: options.concurrency,
    rate: options.rate,
    elapsedS: (Date.now() - started) / 1000,
    setupS: (chaosStart - started) / 1000,
    chaosS: (chaosEnd - chaosStart) / 1000,
    settleS: (settleEnd - chaosEnd) / 1000,
    webhooksS: (webhooksEnd - settleEnd) / 1000,
    stopped: stop.aborted ? String(stop.reason ?? 'stopped') : open > 0 ? `settle phase ended with ${open} transfers open` : null,
    api: { calls: a.calls, retries: a.retries, serverErrors: a.serverErrors, repeats: a.repeats, races: a.races, conflicts: a.conflicts.length },
    faults: c.faults,
    actions: { latency: c.latency, refusals: c.refusals, drops: c.drops, clears: c.clears },
    kills: { gateway: c.gatewayKills, redis: c.redisKills },
    crashes: [...fleet.crashes],
    notices: { ...c.notices },
    events: {
      events: events.length,
      deliveries: tally(deliveries, (d) => d.status),
      attempts: deliveries.reduce((n, d) => n + d.attempts, 0),
      receiver: tallyReceipts(receiver.receipts),
      feed: { pages: feed.pages.length, withEvents: feed.pages.filter((p) => p.events.length > 0).length, failedReads: feed.failedReads },
    },
    verdict,
    evidence,
    runDir: null,
  };
  return summary;
}
