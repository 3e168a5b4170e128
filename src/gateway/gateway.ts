import { createHmac, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { consentServiceOf } from '../api/consent-service.js';
import { HttpArsProvider } from '../ars/http-ars-provider.js';
import { defaultEvidenceDir, FolderEvidenceStore } from '../evidence/folder-evidence-store.js';
import type { ArsProvider } from '../flows/ars-port.js';
import { CollectionFlow } from '../flows/collection-flow.js';
import { ConsentFlow } from '../flows/consent-flow.js';
import { consentSettings } from '../flows/consent-settings.js';
import { OneWonFlow } from '../flows/one-won-flow.js';
import { ONE_WON_DEFAULTS, type OneWonSettings } from '../flows/one-won-settings.js';
import { transferCheckOf } from '../flows/one-won-transfer-check.js';
import { UnsupportedOperationError } from '../institution/unsupported-operation-error.js';
import { ConsentStore } from '../ledger/consent-store.js';
import { OneWonStore } from '../ledger/one-won-store.js';
import type { NoticeHandler } from '../link/notice-reply.js';
import { ConsentQueue } from '../queue/consent-queue.js';
import { ArsSimulator } from '../sim/ars-simulator.js';
import { keepableTelegram } from './one-won-redaction.js';
import type { FastifyInstance } from 'fastify';
import type { DataSource } from 'typeorm';
import { ApiKeys } from '../api/api-keys.js';
import { buildApi } from '../api/server.js';
import type { ApiServices } from '../api/services.js';
import { telegramView } from '../api/telegram-view.js';
import { TelegramCodec } from '../codec/telegram-codec.js';
import { ConfigError } from '../config/config-error.js';
import { webhookSettings, type GatewayConfig, type InstitutionConfig } from '../config/config.js';
import type { Transfer } from '../domain/transfer.js';
import { closeDay, handOverBankDay, reconcileNight, type NightOfInstitution } from '../batch/night.js';
import type { LiveInstitution } from '../batch/day-prep.js';
import { NoticeFlow } from '../flows/notice-flow.js';
import { NoticeGapFlow } from '../flows/notice-gap-flow.js';
import { ParentAccountFlow } from '../flows/parent-account-flow.js';
import { Router } from '../flows/router.js';
import { TransferFlow } from '../flows/transfer-flow.js';
import { VerificationFlow } from '../flows/verification-flow.js';
import { loadInstitution } from '../institution/load-profile.js';
import type { InstitutionProfile } from '../institution/profile.js';
import { UnreachableBankError } from '../institution/unreachable-bank-error.js';
import { openDatabase } from '../ledger/data-source.js';
import { DbSequenceSource } from '../ledger/db-sequence-source.js';
import { Ledger } from '../ledger/ledger.js';
import { TrafficKeeper } from '../ledger/traffic-keeper.js';
import { EventStore } from '../ledger/event-store.js';
import { WebhookStore } from '../ledger/webhook-store.js';
import { WebhookQueue } from '../queue/webhook-queue.js';
import { WebhookDispatcher } from '../webhooks/dispatcher.js';
import { checkEndpointUrl } from '../webhooks/endpoint-url.js';
import { generateEndpointSecret, SecretBox } from '../webhooks/secret-box.js';
import { ROTATION_OVERLAP_MS } from '../webhooks/signature.js';
import { secretKeyFromDataDir } from './secret-key-file.js';
import { systemClock, type Clock } from '../link/clock.js';
import { LinkPool } from '../link/link-pool.js';
import { EVERY, SWITCH_FLOWS, switchKey } from '../domain/switches.js';
import { linkObserver, metricSources } from './metric-wiring.js';
import { NotNowError } from '../flows/not-now-error.js';
import { SwitchedOffError } from '../flows/switched-off-error.js';
import type { SwitchReader } from '../flows/ports.js';
import { SwitchStore } from '../ledger/switch-store.js';
import { SwitchBroadcast } from '../queue/switch-broadcast.js';
import { Switchboard } from '../switches/switchboard.js';
import { Metrics } from '../metrics/metrics.js';
import { CircuitBreaker } from '../link/circuit-breaker.js';
import { GuardedLink, type ProbeSettings } from '../link/guarded-link.js';
import { jsonLogger, type Logger } from '../log/logger.js';
import { ensureRedis, type RedisHandle } from '../queue/redis.js';
import { BatchQueue, koreanDate } from '../queue/batch-queue.js';
import { redisConnection, TransferQueue } from '../queue/transfer-queue.js';
import { BankSimulator } from '../sim/bank-simulator.js';
import { errorDetails } from '../log/error-details.js';
import { registerAdmin } from '../admin/admin-api.js';
import type { SwitchService } from '../admin/admin-services.js';
import { adminServices } from './admin-wiring.js';
import { SettlementStore } from '../ledger/settlement-store.js';

/** One institution, wired: its profile, link, queue and the flows over them. */
export interface Wired {
  readonly config: InstitutionConfig;
  readonly profile: InstitutionProfile;
  readonly codec: TelegramCodec;
  readonly pool: LinkPool;
  /** The pool behind the institution's circuit breaker: what the flows send through. */
  readonly link: GuardedLink;
  readonly queue: TransferQueue;
  readonly transfers: TransferFlow;
  /** Collections (2000/200): their own queue, sent by a transfer flow of kind `collection`. */
  readonly collectionQueue: TransferQueue;
  readonly collectionSender: TransferFlow;
  readonly collections: CollectionFlow;
  /** ARS consents and payer registration, where the institution binds 2000/550. */
  readonly consentQueue: ConsentQueue;
  readonly consents?: ConsentFlow;
  readonly notices: NoticeFlow;
  readonly gaps: NoticeGapFlow;
  readonly verifications: VerificationFlow;
  readonly parentAccount: ParentAccountFlow;
  readonly simulator?: BankSimulator;
}

export interface GatewayOptions {
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Worker concurrency per institution in this process. */
  readonly concurrency?: number;
  /** Do not start the HTTP API (tests that drive the flows directly). */
  readonly noApi?: boolean;
  /** Export Node's process metrics too (default true; tests that start many gateways turn them off). */
  readonly processMetrics?: boolean;
}

/**
 * The composition root: database, Redis, and per institution (each described by its profile) a link pool,
 * a queue, the flows over them and, for the embedded default, a simulator; then the HTTP API over the
 * flows. Several gateways can share one PostgreSQL and one Redis: BullMQ gives each job to one of them,
 * the ledger's conditional state changes keep two from acting on one transfer, and 전문번호 blocks come
 * from the database.
 */
export class Gateway {
  readonly ledger: Ledger;
  readonly apiKeys: ApiKeys;
  private readonly settled = new EventEmitter();
  private readonly traffic: TrafficKeeper;
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweeps = 0;
  private router!: Router;
  private batch: BatchQueue | null = null;
  readonly events: EventStore;
  /** Operators' manual settlements of unknown outcomes (four eyes). */
  readonly settlements: SettlementStore;
  readonly metrics: Metrics;
  /** The operators' switches, as this process last read them (kept current by broadcast and polling). */
  readonly switches: Switchboard;
  private readonly switchStore: SwitchStore;
  /** Seals secrets at rest: webhook secrets, a payer's id and phone numbers, one-won memos. */
  private box!: SecretBox;
  private consentStore!: ConsentStore;
  private ars!: ArsProvider;
  private oneWon!: OneWonFlow;
  private webhooks: { store: WebhookStore; queue: WebhookQueue; timer: NodeJS.Timeout } | null = null;
  private arsSimulator: ArsSimulator | null = null;
  /** In-process simulators, as soon as they listen (a failed start closes them too). */
  private readonly simulators: BankSimulator[] = [];
  api: FastifyInstance | null = null;

  private constructor(
    readonly config: GatewayConfig,
    readonly ds: DataSource,
    private readonly redis: RedisHandle,
    readonly institutions: Map<string, Wired>,
    private readonly log: Logger,
    options: GatewayOptions,
  ) {
    this.metrics = new Metrics({ processMetrics: options.processMetrics ?? true });
    this.switchStore = new SwitchStore(ds);
    this.switches = new Switchboard(this.switchStore, new SwitchBroadcast(config.redisUrl, config.queuePrefix, log), log, { pollMs: config.switchPollMs ?? 5_000 });
    this.ledger = new Ledger(ds);
    this.ledger.onMove((t, from, to) => this.metrics.transferTransition(t.institution, from, to));
    this.apiKeys = new ApiKeys(ds);
    this.events = new EventStore(ds);
    this.settlements = new SettlementStore(ds, this.ledger);
    this.traffic = new TrafficKeeper(this.ledger, log);
    this.settled.setMaxListeners(0);
  }

  /** Starts everything; resolves once links are connecting, workers run and the API listens. */
  static async start(config: GatewayConfig, options: GatewayOptions = {}): Promise<Gateway> {
    const log = options.logger ?? jsonLogger('gateway', { level: config.logLevel ?? 'info' });
    const clock = options.clock ?? systemClock;
    // Profiles first: a bad one stops the start before anything runs.
    const loaded = config.institutions.map((inst, i) => loadChecked(inst, i));
    const names = config.settingNames;
    const redis = await ensureRedis(config.redisUrl, config.startRedis, config.dataDir, names?.redisUrl);
    let ds: DataSource;
    try {
      ds = await openDatabase({ url: config.databaseUrl, ...(names ? { setting: names.databaseUrl } : {}) });
    } catch (e) {
      await redis.stop();
      throw e;
    }
    const gw = new Gateway(config, ds, redis, new Map(), log, options);
    try {
      await gw.wire(loaded, options, log, clock);
    } catch (e) {
      // Whatever started goes again (links, workers, simulators, a private Redis): a failed start leaves nothing behind.
      await gw.stop().catch(() => {});
      throw e;
    }
    return gw;
  }

  /** Links, queues, flows and simulators per institution, the first sweep, then the API. */
  private async wire(loaded: readonly ReturnType<typeof loadChecked>[], options: GatewayOptions, log: Logger, clock: Clock): Promise<void> {
    const { config, institutions, ds } = this;
    // Switches first: no flow may act before it knows whether it is held or off.
    await this.switches.start();
    const switches = this.switchReader();
    this.box = new SecretBox(config.secretKey ?? secretKeyFromDataDir(config.dataDir, log));
    this.consentStore = new ConsentStore(ds, this.box);
    this.ars = await this.arsProvider(log);
    const evidence = new FolderEvidenceStore(config.consents?.evidenceDir ?? defaultEvidenceDir(config.dataDir));
    // The embedded ARS simulator answers in milliseconds and gets no callback URL: poll it often.
    const consentConfig = consentSettings({ ...(this.arsSimulator ? { pollMs: 500 } : {}), ...config.consents });
    const oneWonSettings = { ...config.oneWon, secret: config.oneWonSecret ?? derivedSecret(config.secretKey ?? secretKeyFromDataDir(config.dataDir, log), 'firmbank one-won codes') };
    const memoPrefix = config.oneWon?.memoPrefix ?? ONE_WON_DEFAULTS.memoPrefix;
    const sequence = new DbSequenceSource(ds);
    const notify = (t: Transfer) => void this.settled.emit(t.id, t);

    for (const { inst, profile, codes, hours } of loaded) {
      const codec = new TelegramCodec(profile.spec);
      let simulator: BankSimulator | undefined;
      let port = inst.port;
      if (inst.simulator) {
        simulator = new BankSimulator({ codec, profile, logger: log, companies: [inst.companyId] });
        this.simulators.push(simulator);
        port = await simulator.listen(inst.port);
      }
      const notices = new NoticeFlow(inst, profile, codec, this.ledger, log, notify, switches);
      const keepable = keepableTelegram(codec, profile, memoPrefix);
      // 2000/650 (a payer cancelled at the bank) goes to the consents, every other notice to the notice flow.
      let consents: ConsentFlow | undefined;
      const onNotice: NoticeHandler = (n, raw) => {
        if (profile.operationOf(n.message)?.operation !== 'payerCancelNotice') return notices.handle(n, raw);
        if (!consents) throw new Error('consents not wired yet'); // refused: not acknowledged, the bank sends it again
        return consents.payerCancelled(n, raw);
      };
      const breaker = new CircuitBreaker(inst.breaker ?? DEFAULT_BREAKER);
      breaker.onChange((from, to, reason) => {
        log.warn('link.breaker', { institution: inst.id, from, to, reason });
        this.metrics.breakerTransition(inst.id, from, to);
      });
      const observe = linkObserver(this.metrics, inst, profile, codes);
      const pool = new LinkPool(
        {
          codec,
          host: inst.host,
          port,
          companyId: inst.companyId,
          bankCode: profile.wireBank(inst.bankCode),
          ...(inst.systemId ? { systemId: inst.systemId } : {}),
          sequence,
          requestTimeoutMs: inst.requestTimeoutMs,
          clock,
          logger: log,
          onNotice,
          // Kept unless already kept before it was sent; the link waits for it before acting on an answer.
          onExchange: observe.exchange,
          onTraffic: (r) => (observe.traffic(r), r.kept ? undefined : this.traffic.keep({ transferId: null, institution: inst.id, direction: r.direction, message: r.message, seqNo: r.seqNo, sendDate: r.sendDate, raw: keepable(r.raw), at: r.at })),
          onUnmatched: () => {}, // logged by the link; the telegram itself is kept by onTraffic
          onConnectFailure: (reason) => breaker.failed(reason),
        },
        inst.connections,
      ).start();
      const link = new GuardedLink(pool, breaker, probeOf(profile, inst), log).start();
      const queue = new TransferQueue(inst.id, inst.bankCode, redisConnection(this.redis.url), config.queuePrefix, log);
      const password = inst.accountPasswordEnv ? process.env[inst.accountPasswordEnv] : undefined;
      const transfers = new TransferFlow({
        institution: inst,
        profile,
        codec,
        ledger: this.ledger,
        link,
        queue,
        codes,
        hours,
        clock,
        logger: log,
        settled: notify,
        switches,
        memoSeal: this.box,
        keepable,
        ...(password ? { accountPassword: password } : {}),
        // A new transfer goes out from here at once when the bank's rate allows, else through the queue.
        sendNow: { permit: () => queue.permitNow(), maxInFlight: options.concurrency ?? 200, counted: (how) => this.metrics.transferFirstSend(inst.id, how) },
      });
      queue.start({ send: (id) => transfers.send(id), inquire: (id) => transfers.inquire(id) }, options.concurrency ?? 200, inst.ratePerSecond, (kind, ms) =>
        this.metrics.jobLatency(queue.name, kind, ms / 1_000),
      );
      // Collections: their own queue and rate, sent like transfers (claim, unknown → inquiry, never resent).
      const collectionQueue = new TransferQueue(inst.id, inst.bankCode, redisConnection(this.redis.url), config.queuePrefix, log, 'collections');
      const collectionSender = new TransferFlow({ institution: inst, profile, codec, ledger: this.ledger, link, queue: collectionQueue, codes, hours, clock, logger: log, settled: notify, switches, keepable, kind: 'collection', consents: { isRegistered: (id) => this.consentStore.isRegistered(id) } });
      const collections = new CollectionFlow({ institution: inst, profile, codec, ledger: this.ledger, queue: collectionQueue, consents: this.consentStore, switches });
      if (profile.supports('collection')) {
        collectionQueue.start({ send: (id) => collectionSender.send(id), inquire: (id) => collectionSender.inquire(id) }, options.concurrency ?? 200, inst.collectionsPerSecond ?? inst.ratePerSecond, (kind, ms) =>
          this.metrics.jobLatency(collectionQueue.name, kind, ms / 1_000),
        );
      }
      const consentQueue = new ConsentQueue(inst.id, redisConnection(this.redis.url), config.queuePrefix, log);
      if (profile.supports('payerRegistration')) {
        const flow = new ConsentFlow({ institution: inst, profile, codec, link, codes, store: this.consentStore, jobs: consentQueue, ars: this.ars, evidence, collections: this.ledger, settings: consentConfig, clock, logger: log });
        consents = flow;
        consentQueue.start({ call: (id) => flow.placeCall(id), poll: (id) => flow.poll(id), register: (id) => flow.register(id), cancel: (id) => flow.cancel(id) }, options.concurrency ?? 50);
      }
      const verifications = new VerificationFlow(inst, profile, link, codes);
      const parentAccount = new ParentAccountFlow(inst, profile, link, codes);
      const gaps = new NoticeGapFlow(profile, codec, link, notices);
      institutions.set(inst.id, {
        config: inst, profile, codec, pool, link, queue, transfers, collectionQueue, collectionSender, collections, consentQueue, notices, gaps, verifications, parentAccount,
        ...(consents ? { consents } : {}),
        ...(simulator ? { simulator } : {}),
      });
    }
    this.router = new Router([...institutions.keys()], config.routing ?? []);
    this.oneWon = this.oneWonFlow(oneWonSettings, log, clock);

    // The nightly batch: one schedule per institution after its cut-off, one to close the services' day.
    const batch = new BatchQueue(redisConnection(this.redis.url), config.queuePrefix, log);
    this.batch = batch;
    for (const inst of institutions.values()) await batch.scheduleReconcile(inst.config.id, inst.config.reconcileAt ?? '23:50');
    await batch.scheduleClose(config.dayCloseAt ?? '00:30');
    batch.start({
      reconcile: (id, date) => (this.batchMayRun(id, date) ? this.reconcileNight(id, date) : Promise.resolve()),
      close: (date) => (this.batchMayRun(EVERY, date) ? closeDay(ds, date) : Promise.resolve()),
    });
    // A switch back on: what waited is sent (each process runs this; the tag makes one job per transfer).
    this.switches.onChange(() => this.released());

    // Events to the services: numbered, fanned out and delivered from every process, claims in the database.
    this.startWebhooks(log);

    this.metrics.setSources(metricSources({ ds, institutions, switches: this.switches, clock }));
    await this.sweep();
    this.sweepTimer = setInterval(() => void this.sweep().catch((e: unknown) => log.error('gateway.sweep-failed', errorDetails(e))), config.sweepMs);
    this.sweepTimer.unref();

    if (!options.noApi) {
      this.api = buildApi(this.services(), this.apiKeys, log, config.maxWaitMs, { observe: (method, route, status, seconds) => this.metrics.apiRequest(method, route, status, seconds) });
      registerAdmin(
        this.api,
        adminServices({ ds, ledger: this.ledger, apiKeys: this.apiKeys, institutions, switches: this.switchService(), consents: this.consentStore, evidence, webhooks: () => this.webhooks!.store, settlements: this.settlements, dataDir: config.dataDir, sessions: config.admin ?? {} }),
        { secureCookie: config.admin?.secureCookie ?? false },
      );
      await this.api.listen({ host: config.api.host, port: config.api.port });
    }
  }

  /** The port the API listens on (useful with port 0). */
  get apiPort(): number {
    const addr = this.api?.server.address();
    return typeof addr === 'object' && addr ? addr.port : 0;
  }

  /** Stops taking work, lets running jobs finish, closes the business day, then everything else. */
  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.api?.close();
    await this.switches.close();
    await this.batch?.close();
    if (this.webhooks) {
      clearInterval(this.webhooks.timer);
      await this.webhooks.queue.close();
    }
    // Every institution's direct sends at once: a stop lasts one request timeout, not one per institution.
    await Promise.all([...this.institutions.values()].map((w) => w.transfers.drained()));
    for (const w of this.institutions.values()) {
      await w.queue.close();
      await w.collectionQueue.close();
      await w.consentQueue.close();
    }
    for (const w of this.institutions.values()) {
      w.link.close();
      await w.pool.close();
    }
    // The embedded simulator hands over its day's file as it stops, as a bank sends its file after the
    // close: `firmbank reconcile` then has the bank's side of today.
    for (const w of this.institutions.values()) {
      await handOverBankDay(this.night(w), koreanDate(Date.now())).catch((e: unknown) => this.log.error('recon.bank-file-not-written', { institution: w.config.id, ...errorDetails(e) }));
    }
    for (const sim of this.simulators) await sim.close();
    await this.arsSimulator?.close();
    await this.traffic.drain();
    await this.ds.destroy();
    await this.redis.stop();
  }

  /** Re-queues what was left behind (see TransferFlow.recover) and applies late failure notices. */
  async sweep(): Promise<void> {
    this.sweeps++;
    for (const w of this.institutions.values()) {
      // At start everything left behind; later only what has not moved for a while (a lost queueing, a
      // job that gave up): fresh transfers are on their way already.
      const n = await w.transfers.recover(this.sweeps, this.sweeps === 1 ? 0 : this.config.sweepMs);
      if (n > 0 && this.sweeps === 1) this.log.info('gateway.recovered', { institution: w.config.id, transfers: n });
      await w.collectionSender.recover(this.sweeps, this.sweeps === 1 ? 0 : this.config.sweepMs);
      await w.consents?.recover(this.sweeps, this.sweeps === 1 ? 0 : this.config.sweepMs);
      await w.notices.reverseLate();
    }
    // A confirmation whose process died between moving the transfer and marking it confirmed.
    await this.settlements.recover(new Date());
  }

  /**
   * One institution's night (the nightly job calls it; so can a test or an operator's tool): inquiries,
   * gap requests and totals over the live link, the bank's day file, the match, its breaks kept.
   */
  reconcileNight(institution: string, date: string) {
    const w = this.institutions.get(institution);
    if (!w) throw new ConfigError('institution', `no institution "${institution}" is configured`);
    return reconcileNight(this.night(w), date, koreanDate(Date.now()));
  }

  /** An institution as its night sees it: the live link and flows, and its simulator's day file if embedded. */
  private night(w: Wired): NightOfInstitution {
    const sim = w.simulator;
    return {
      ds: this.ds,
      live: this.live(w),
      institution: w.config,
      profile: w.profile,
      dataDir: this.config.dataDir,
      logger: this.log,
      ...(sim ? { writeBankDay: (path: string, day: string) => sim.writeDayFile(path, w.config.bankFileSpec!, day) } : {}),
    };
  }

  private startWebhooks(log: Logger): void {
    const settings = this.config.webhooks ?? webhookSettings(undefined);
    const store = new WebhookStore(this.ds, this.box, generateEndpointSecret);
    const queue = new WebhookQueue(redisConnection(this.redis.url), this.config.queuePrefix, log);
    const dispatcher = new WebhookDispatcher({ store, events: this.events, queue, ...settings, logger: log });
    queue.start((id) => dispatcher.attempt(id), 32);
    const timer = setInterval(() => void dispatcher.tick().catch((e: unknown) => log.error('webhook.tick-failed', errorDetails(e))), 250);
    timer.unref();
    this.webhooks = { store, queue, timer };
  }

  /** A service's webhook endpoints, as the API manages them (a URL is checked before it is kept). */
  private webhookService(): ApiServices['webhooks'] {
    const store = () => this.webhooks!.store;
    const allowPrivate = this.config.webhooks?.allowPrivate ?? false;
    return {
      create: (service, url, types) => store().create(service, checkEndpointUrl(url, { allowPrivate }).href, types, new Date()),
      list: (service) => store().list(service),
      rotate: (service, id) => store().rotate(service, id, ROTATION_OVERLAP_MS, new Date()),
      disable: (service, id) => store().disable(service, id, new Date()),
      deliveries: (service, status) => store().deliveries({ service, ...(status ? { status } : {}) }, 100),
      redeliver: (service, id) => store().redeliver(service, id, new Date()),
    };
  }

  /**
   * The ARS provider: the configured one over HTTP, or (the embedded default) the ARS simulator started
   * here, with a token and callback secret made for this process.
   */
  private async arsProvider(log: Logger): Promise<ArsProvider> {
    const ars = this.config.ars;
    if (ars) return new HttpArsProvider({ ...ars, logger: log });
    const token = randomBytes(24).toString('base64url');
    const callbackSecret = randomBytes(32).toString('base64url');
    this.arsSimulator = new ArsSimulator({ token, callbackSecret, logger: log });
    const port = await this.arsSimulator.listen(0);
    return new HttpArsProvider({ baseUrl: `http://127.0.0.1:${port}`, token, callbackSecret, logger: log });
  }

  /**
   * 1원 인증: one flow for every institution; its 1 won is a transfer routed like any other (by the
   * receiving bank), its memo sealed at rest.
   */
  private oneWonFlow(settings: Partial<OneWonSettings> & { secret: string }, log: Logger, clock: Clock): OneWonFlow {
    const first = this.institution(undefined);
    const flow = new OneWonFlow({
      settings,
      store: new OneWonStore(this.ds),
      transfers: {
        start: async (caller, r) => {
          const route = this.router.route(undefined, r.bankCode);
          const { transfer } = await this.institution(route.institution).transfers.submit(caller, r, `one-won verification, routed to ${route.institution}: ${route.reason}`, { sealMemo: true });
          return { transferId: transfer.id, state: transfer.state };
        },
        get: async (service, requestId) => {
          const t = await this.ledger.byRequest(service, requestId);
          return t && { state: t.state, responseCode: t.responseCode, responseMessage: t.responseMessage };
        },
      },
      check: transferCheckOf(first.profile, first.codec, first.config.bankCode),
      ...(first.profile.supports('nameInquiry') ? { names: first.verifications } : {}),
      clock,
      logger: log,
    });
    flow.assertMemoFits(first.config.bankCode);
    return flow;
  }

  /** The switches as flows read them: the effective state and the switch (`scope/flow`) that decided it. */
  private switchReader(): SwitchReader {
    return {
      state: (institution, flow) => {
        const e = this.switches.state(institution, flow);
        return { state: e.state, decidedBy: e.decidedBy && switchKey(e.decidedBy) };
      },
    };
  }

  /** After any switch changed: held transfers of institutions now on are sent, held notices applied. */
  private async released(): Promise<void> {
    const tag = `release-v${this.switches.version}`;
    for (const w of this.institutions.values()) {
      try {
        const n = (await w.transfers.release(tag)) + (await w.collectionSender.release(tag));
        if (n > 0) this.log.info('switch.released', { institution: w.config.id, transfers: n });
        await w.notices.reverseLate();
      } catch (e) {
        // The sweep finds them too (recover), a little later.
        this.log.error('switch.release-failed', { institution: w.config.id, ...errorDetails(e) });
      }
    }
  }

  /**
   * Whether the nightly batch may run for an institution (EVERY: the services' day close): off skips the
   * night (an operator runs it by hand later), hold makes the job wait, remembering its day.
   */
  private batchMayRun(institution: string, date: string): boolean {
    const s = this.switches.state(institution, 'batch');
    if (s.state === 'hold') throw new NotNowError(`the nightly batch is held by the switch ${s.decidedBy && switchKey(s.decidedBy)}`, 60_000);
    if (s.state === 'off') this.log.warn('batch.skipped', { institution, date, switch: s.decidedBy && switchKey(s.decidedBy) });
    return s.state === 'on';
  }

  /** What the nightly run asks of an institution's link and flows. */
  private live(w: Wired): LiveInstitution {
    return {
      scope: { institution: w.config.id, bankCode: w.config.bankCode, companyId: w.config.companyId },
      noticeMessage: (kind) => (w.profile.supports(kind) ? w.profile.message(kind) : undefined),
      inquire: (id) => w.transfers.inquire(id),
      recoverGap: (kind, date, n) => w.gaps.recover(kind, date, n),
      totals: () => w.parentAccount.dayTotals(),
    };
  }

  /** The institution a caller named, or the first configured; an unknown one is the caller's mistake. */
  private institution(named: string | undefined): Wired {
    return this.institutions.get(this.router.named(named))!;
  }

  /** Resolves with the transfer when this process changes it, or with null after `ms`. */
  private waitForChange(id: string, ms: number): Promise<Transfer | null> {
    return new Promise<Transfer | null>((resolve) => {
      const done = (t?: Transfer) => {
        clearTimeout(timer);
        this.settled.off(id, done);
        resolve(t ?? null);
      };
      const timer = setTimeout(done, ms);
      this.settled.on(id, done);
    });
  }

  /** The operators' switches as the admin API sets and lists them. */
  private switchService(): SwitchService {
    return {
      list: async () => ({
        switches: this.switches.list(),
        effective: [...this.institutions.keys()].flatMap((institution) =>
          SWITCH_FLOWS.map((flow) => {
            const e = this.switches.state(institution, flow);
            return { institution, flow, state: e.state, decidedBy: e.decidedBy && switchKey(e.decidedBy) };
          }),
        ),
      }),
      set: (name, state, by, reason, expectedVersion) => this.switches.set(name, state, by, reason, expectedVersion),
      changes: (limit) => this.switchStore.changes({ limit }),
    };
  }

  /** The API's view of the flows: one narrow service each. */
  private services(): ApiServices {
    return {
      transfers: {
        submit: (named, caller, input) => {
          const route = this.router.route(named, input.bankCode);
          return this.institution(route.institution).transfers.submit(caller, input, `routed to ${route.institution}: ${route.reason}`);
        },
        get: (id) => this.ledger.get(id),
        waitForChange: (id, ms) => this.waitForChange(id, ms),
        telegrams: async (t) => {
          const codec = this.institution(t.institution).codec;
          return (await this.ledger.telegrams(t.id)).map((row) => telegramView(codec, row));
        },
      },
      events: { feed: (service, after, limit) => this.events.feed(service, after, limit) },
      webhooks: this.webhookService(),
      collections: {
        submit: (named, caller, input) => this.institution(named).collections.submit(caller, input),
        get: (id) => this.ledger.get(id),
        waitForChange: (id, ms) => this.waitForChange(id, ms),
      },
      consents: consentServiceOf({
        flowFor: (named) => {
          const w = this.institution(named);
          if (!w.consents) throw new UnsupportedOperationError(w.config.id, 'payerRegistration');
          return w.consents;
        },
        flowOf: (id) => this.institutions.get(id)?.consents,
        store: this.consentStore,
        ars: this.ars,
        logger: this.log,
      }),
      oneWon: {
        // Held or off, a new verification is refused: a held 1 won would arrive after its code expired.
        start: (caller, input) => {
          const institution = this.router.route(undefined, input.bankCode).institution;
          const s = this.switches.state(institution, 'one-won');
          if (s.state !== 'on') throw new SwitchedOffError('one-won verifications', institution, s.decidedBy ? switchKey(s.decidedBy) : '*/*');
          return this.oneWon.start(caller, input);
        },
        confirm: (caller, id, code) => this.oneWon.confirm(caller, id, code),
        status: (caller, id) => this.oneWon.status(caller, id),
      },
      verifications: { verify: (named, input) => this.institution(named).verifications.verify(input) },
      parentAccount: {
        balance: (named) => this.institution(named).parentAccount.balance(),
        totals: (named) => this.institution(named).parentAccount.totals(),
      },
      metrics: this.metrics,
      readiness: {
        ready: async () => {
          const links = Object.fromEntries([...this.institutions].map(([id, w]) => [id, w.pool.links.some((l) => l.isReady)]));
          let db = true;
          try {
            await this.ds.query('SELECT 1');
          } catch {
            db = false;
          }
          // An open breaker is shown, not failed on: every gateway shares the bank, and its link state says the rest.
          const breakers = Object.fromEntries([...this.institutions].map(([id, w]) => [id, w.link.breaker.state]));
          return { ready: db && Object.values(links).every(Boolean), detail: { database: db, links, breakers } };
        },
      },
    };
  }
}

const DEFAULT_BREAKER = { failures: 5, openMs: 30_000 };

/** The breaker's probe: the institution's test call, or its open telegram when it has none (the classic family). */
function probeOf(profile: InstitutionProfile, inst: InstitutionConfig): ProbeSettings {
  const session = profile.spec.session!;
  const message = session.testCall ?? session.open;
  if (!message) throw new ConfigError(`institutions[${inst.id}]`, `${profile.spec.file} has neither a test call nor an open telegram: its breaker could never probe the bank`);
  return { message, successCodes: session.successCodes, timeoutMs: inst.requestTimeoutMs };
}

/** A key of its own for one purpose, derived from the gateway's secret key (HMAC as a KDF). */
function derivedSecret(key: string, purpose: string): string {
  return createHmac('sha256', key).update(purpose).digest('base64');
}

/** An institution's profile and what it names, loaded and checked against its configuration. */
function loadChecked(inst: InstitutionConfig, i: number) {
  const { profile, codes, hours } = loadInstitution(inst.profile);
  if (profile.institution !== inst.id) throw new ConfigError(`institutions[${i}].id`, `"${inst.id}" but its profile ${inst.profile} describes "${profile.institution}"`);
  try {
    profile.wireBank(inst.bankCode);
  } catch (e) {
    if (e instanceof UnreachableBankError) throw new ConfigError(`institutions[${i}].bankCode`, e.message);
    throw e;
  }
  return { inst, profile, codes, hours };
}
