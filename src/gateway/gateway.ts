import { EventEmitter } from 'node:events';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import type { FastifyInstance } from 'fastify';
import type { DataSource } from 'typeorm';
import { ApiKeys } from '../api/api-keys.js';
import { SCOPES } from '../api/scopes.js';
import { buildApi, type ApiBackend } from '../api/server.js';
import { maskFields } from '../codec/mask-fields.js';
import { TelegramCodec } from '../codec/telegram-codec.js';
import { ResponseCodeTable } from '../codes/response-codes.js';
import type { GatewayConfig, InstitutionConfig } from '../config/config.js';
import type { TelegramRow, TransferRow } from '../ledger/entities.js';
import { BusinessHours } from '../flows/business-hours.js';
import { NoticeFlow } from '../flows/notice-flow.js';
import { TransferFlow } from '../flows/transfer-flow.js';
import { VerificationFlow } from '../flows/verification-flow.js';
import { openDatabase } from '../ledger/data-source.js';
import { DbSequenceSource } from '../ledger/db-sequence-source.js';
import { Ledger } from '../ledger/ledger.js';
import { systemClock, type Clock } from '../link/clock.js';
import type { TrafficRecord } from '../link/exchange.js';
import { LinkPool } from '../link/link-pool.js';
import { jsonLogger, type Logger } from '../log/logger.js';
import { ensureRedis, type RedisHandle } from '../queue/redis.js';
import { redisConnection, TransferQueue } from '../queue/transfer-queue.js';
import { loadSpecFile } from '../spec/load-spec.js';
import { BankSimulator } from '../sim/bank-simulator.js';

/** One institution, wired: its link, its queue and the flows over them. */
interface Wired {
  readonly config: InstitutionConfig;
  readonly codec: TelegramCodec;
  readonly codes: ResponseCodeTable;
  readonly pool: LinkPool;
  readonly queue: TransferQueue;
  readonly transfers: TransferFlow;
  readonly notices: NoticeFlow;
  readonly verifications: VerificationFlow;
  readonly simulator?: BankSimulator;
}

export interface GatewayOptions {
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Worker concurrency per institution in this process. */
  readonly concurrency?: number;
  /** Do not start the HTTP API (tests that drive the flows directly). */
  readonly noApi?: boolean;
}

/**
 * The gateway process: database, Redis, one link pool and queue per institution, the flows, the HTTP API.
 * Several gateways can share one PostgreSQL and one Redis: BullMQ gives each job to one of them, the
 * ledger's conditional state changes keep two from acting on one transfer, and 전문번호 blocks come from
 * the database.
 */
export class Gateway {
  readonly ledger: Ledger;
  readonly apiKeys: ApiKeys;
  private readonly settled = new EventEmitter();
  private sweepTimer: NodeJS.Timeout | null = null;
  private traffic: Omit<TelegramRow, 'id'>[] = [];
  private trafficWaiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private trafficTimer: NodeJS.Immediate | null = null;
  private flushing = false;
  private sweeps = 0;
  /** In-process simulators, as soon as they listen (a failed start closes them too). */
  private readonly simulators: BankSimulator[] = [];
  api: FastifyInstance | null = null;

  private constructor(
    readonly config: GatewayConfig,
    readonly ds: DataSource,
    private readonly redis: RedisHandle,
    readonly institutions: Map<string, Wired>,
    private readonly log: Logger,
  ) {
    this.ledger = new Ledger(ds);
    this.apiKeys = new ApiKeys(ds);
    this.settled.setMaxListeners(0);
  }

  /** Starts everything; resolves once links are connecting, workers run and the API listens. */
  static async start(config: GatewayConfig, options: GatewayOptions = {}): Promise<Gateway> {
    const log = options.logger ?? jsonLogger('gateway');
    const clock = options.clock ?? systemClock;
    const names = config.settingNames;
    const redis = await ensureRedis(config.redisUrl, config.startRedis, config.dataDir, names?.redisUrl);
    let ds: DataSource;
    try {
      ds = await openDatabase({ url: config.databaseUrl, ...(names ? { setting: names.databaseUrl } : {}) });
    } catch (e) {
      await redis.stop();
      throw e;
    }
    const gw = new Gateway(config, ds, redis, new Map(), log);
    try {
      await gw.wire(options, log, clock);
    } catch (e) {
      // Whatever started goes again (links, workers, simulators, a private Redis): a failed start leaves nothing behind.
      await gw.stop().catch(() => {});
      throw e;
    }
    return gw;
  }

  /** Links, queues, flows and simulators per institution, the first sweep, then the API. */
  private async wire(options: GatewayOptions, log: Logger, clock: Clock): Promise<void> {
    const { config, institutions, ds } = this;
    const codes = ResponseCodeTable.load();
    const sequence = new DbSequenceSource(ds);
    const notify = (t: TransferRow) => void this.settled.emit(t.id, t);

    for (const inst of config.institutions) {
      const codec = new TelegramCodec(loadSpecFile(inst.spec));
      let simulator: BankSimulator | undefined;
      let port = inst.port;
      if (inst.simulator) {
        simulator = new BankSimulator({ codec, logger: log, companies: [inst.companyId] });
        this.simulators.push(simulator);
        port = await simulator.listen(inst.port);
      }
      const notices = new NoticeFlow(inst, codec, this.ledger, log, notify);
      const pool = new LinkPool(
        {
          codec,
          host: inst.host,
          port,
          companyId: inst.companyId,
          bankCode: inst.bankCode,
          ...(inst.systemId ? { systemId: inst.systemId } : {}),
          sequence,
          requestTimeoutMs: inst.requestTimeoutMs,
          clock,
          logger: log,
          onNotice: notices.handle,
          onTraffic: (r) => this.keepTraffic(inst, codec, r),
          onUnmatched: () => {}, // logged by the link; the telegram itself is kept by onTraffic
        },
        inst.connections,
      ).start();
      const queue = new TransferQueue(inst.id, inst.bankCode, redisConnection(this.redis.url), config.queuePrefix);
      const password = inst.accountPasswordEnv ? process.env[inst.accountPasswordEnv] : undefined;
      const transfers = new TransferFlow({
        institution: inst,
        codec,
        ledger: this.ledger,
        link: pool,
        queue,
        codes,
        hours: BusinessHours.load(inst.hours),
        clock,
        logger: log,
        settled: notify,
        ...(password ? { accountPassword: password } : {}),
      });
      queue.start({ send: (id) => transfers.send(id), inquire: (id) => transfers.inquire(id) }, options.concurrency ?? 200, inst.ratePerSecond);
      institutions.set(inst.id, { config: inst, codec, codes, pool, queue, transfers, notices, verifications: new VerificationFlow(inst, pool, codes), ...(simulator ? { simulator } : {}) });
    }

    await this.sweep();
    this.sweepTimer = setInterval(() => void this.sweep().catch((e: unknown) => log.error('gateway.sweep-failed', { error: String(e) })), config.sweepMs);
    this.sweepTimer.unref();

    if (!options.noApi) {
      this.api = buildApi(this.backend(), this.apiKeys, log, config.maxWaitMs);
      await this.api.listen({ host: config.api.host, port: config.api.port });
    }
  }

  /** The port the API listens on (useful with port 0). */
  get apiPort(): number {
    const addr = this.api?.server.address();
    return typeof addr === 'object' && addr ? addr.port : 0;
  }

  /** Makes the first key when there is none yet, writes it to dataDir/demo-api-key (0600), returns it. */
  async ensureDemoKey(): Promise<string | null> {
    if ((await this.apiKeys.count()) > 0) return null;
    const key = await this.apiKeys.create('demo', new Decimal('10000000'), SCOPES);
    const file = join(this.config.dataDir, 'demo-api-key');
    writeFileSync(file, key + '\n', { mode: 0o600 });
    chmodSync(file, 0o600);
    return file;
  }

  /** Stops taking work, lets running jobs finish, closes the business day, then everything else. */
  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.api?.close();
    for (const w of this.institutions.values()) await w.queue.close();
    for (const w of this.institutions.values()) await w.pool.close();
    for (const sim of this.simulators) await sim.close();
    if (this.trafficTimer) clearImmediate(this.trafficTimer);
    while (this.flushing) await new Promise((r) => setTimeout(r, 5));
    await this.flushTraffic();
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
      await w.notices.reverseLate();
    }
  }

  /**
   * Keeps every telegram that crossed a link and was not already kept before it was sent (answers,
   * notices and their replies, session telegrams), batched: one INSERT per few milliseconds. The promise
   * resolves when the batch is committed; the link waits for it before it hands an answer to the flows.
   */
  private keepTraffic(inst: InstitutionConfig, codec: TelegramCodec, r: TrafficRecord): Promise<void> | undefined {
    if (r.kept) return undefined;
    this.traffic.push({ transferId: null, institution: inst.id, direction: r.direction, message: r.message, seqNo: r.seqNo, sendDate: r.sendDate, raw: codec.redactSecrets(r.raw), at: r.at });
    this.scheduleTrafficFlush();
    const kept = new Promise<void>((resolve, reject) => this.trafficWaiters.push({ resolve, reject }));
    kept.catch(() => {}); // logged in flushTraffic; only the link's waiting for an answer cares
    return kept;
  }

  /**
   * One INSERT at a time: what arrives while one is running goes in the next. Idle, a telegram is written
   * at the end of the event-loop turn it arrived in; busy, batches grow by themselves.
   */
  private scheduleTrafficFlush(): void {
    if (this.trafficTimer || this.flushing) return;
    this.trafficTimer = setImmediate(() => void this.flushTraffic());
  }

  private async flushTraffic(): Promise<void> {
    this.trafficTimer = null;
    if (this.traffic.length === 0) return;
    this.flushing = true;
    const batch = this.traffic.splice(0, this.traffic.length);
    const waiters = this.trafficWaiters.splice(0, this.trafficWaiters.length);
    try {
      await this.ledger.recordTelegrams(batch);
      for (const w of waiters) w.resolve();
    } catch (e) {
      this.log.error('gateway.telegrams-not-kept', { count: batch.length, error: String(e) });
      for (const w of waiters) w.reject(e);
    } finally {
      this.flushing = false;
      if (this.traffic.length > 0) this.scheduleTrafficFlush();
    }
  }

  private wired(id: string): Wired {
    const w = this.institutions.get(id);
    if (!w) throw new Error(`unknown institution ${id}`);
    return w;
  }

  /** An inquiry about our parent account (balance, daily totals), answered masked. */
  private async askAboutParentAccount(id: string, message: string, accountField: string): Promise<unknown> {
    const w = this.wired(id);
    const o = await w.pool.request(message, { [accountField]: w.config.withdrawAccount }, { timeoutMs: 15_000 });
    if (o.status !== 'answered') return { status: 'unavailable', reason: o.reason };
    // An error answer's fields are blank, and blank amounts would read as zero: only success carries figures.
    if (!w.codec.spec.session!.successCodes.includes(o.responseCode)) {
      const meaning = w.codes.lookup(w.config.bankCode, o.responseCode);
      return { status: 'refused', responseCode: o.responseCode, outcome: meaning.outcome, message: meaning.message };
    }
    return { status: 'answered', responseCode: o.responseCode, ...maskFields(w.codec.message(o.response.message), o.response.fields) };
  }

  private backend(): ApiBackend {
    return {
      institutions: [...this.institutions.keys()],
      submit: (id, caller, input) => this.wired(id).transfers.submit(caller, input),
      get: (id) => this.ledger.get(id),
      waitForChange: (id, ms) =>
        new Promise<TransferRow | null>((resolve) => {
          const done = (t?: TransferRow) => {
            clearTimeout(timer);
            this.settled.off(id, done);
            resolve(t ?? null);
          };
          const timer = setTimeout(done, ms);
          this.settled.on(id, done);
        }),
      verify: (id, input) => this.wired(id).verifications.verify(input),
      telegrams: async (t) => {
        const codec = this.wired(t.institution).codec;
        return (await this.ledger.telegrams(t.id)).map((row) => {
          let decoded: Record<string, string | null> | string;
          try {
            const d = codec.decode(row.raw);
            decoded = maskFields(codec.message(d.message), d.fields);
          } catch (e) {
            decoded = `not decodable: ${(e as Error).message}`;
          }
          // The decoded view, masked; the raw bytes stay in the ledger (they hold account numbers in clear).
          return { direction: row.direction, message: row.message, seqNo: row.seqNo, sendDate: row.sendDate, at: row.at, length: row.raw.length, fields: decoded };
        });
      },
      totals: (id) => this.askAboutParentAccount(id, 'totals.request', 'withdrawAccount'),
      balance: (id) => this.askAboutParentAccount(id, 'balance.request', 'account'),
      ready: async () => {
        const links = Object.fromEntries([...this.institutions].map(([id, w]) => [id, w.pool.links.some((l) => l.isReady)]));
        let db = true;
        try {
          await this.ds.query('SELECT 1');
        } catch {
          db = false;
        }
        return { ready: db && Object.values(links).every(Boolean), detail: { database: db, links } };
      },
    };
  }
}
