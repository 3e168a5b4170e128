import { connect, type Socket } from 'node:net';
import { maskFields } from '../codec/mask-fields.js';
import type { TelegramCodec } from '../codec/telegram-codec.js';
import type { DecodedTelegram, FieldInput } from '../codec/values.js';
import { silentLogger, type Logger } from '../log/logger.js';
import type { SessionSpec } from '../spec/types.js';
import { kst, systemClock, type Clock } from './clock.js';
import { DuplicateRequestError } from './duplicate-request-error.js';
import type { LinkOutcome, SentTelegram, TrafficRecord } from './exchange.js';
import { LinkUsageError } from './link-usage-error.js';
import { buildNoticeReply, type NoticeHandler } from './notice-reply.js';
import type { SequenceSource } from './sequence.js';
import { TelegramSocket, type QueuedFrame } from './telegram-socket.js';
import { TrafficStamper } from './traffic.js';
import { SpanKind } from '@opentelemetry/api';
import { setFacts } from '../tracing/span-attributes.js';
import { withSpan } from '../tracing/with-span.js';
import { errorDetails } from '../log/error-details.js';

/**
 * - `connecting`: dialling; `opening`: connected, business day being opened (1000/100);
 * - `ready`: requests flow; `waiting`: between reconnect attempts; `closing` / `closed`: shut down.
 */
export type LinkState = 'idle' | 'connecting' | 'opening' | 'ready' | 'waiting' | 'closing' | 'closed';

export interface BankLinkOptions {
  readonly codec: TelegramCodec;
  readonly host: string;
  readonly port: number;
  /** Our company id at this institution (업체번호) and the contracted bank (은행코드). */
  readonly companyId: string;
  readonly bankCode: string;
  readonly systemId?: string;
  readonly sequence: SequenceSource;
  /** How long a request waits for its answer before its outcome is unknown. Default 30 s. */
  readonly requestTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  /** Send a poll after this long without writing; default from the spec (Hecto 300 s). */
  readonly pollIdleMs?: number;
  /** Reconnect delays: exponential from `initialMs` to `maxMs`, each with up to 50% jitter. */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** Resolution of timeouts, polls and the date-change check. Default 50 ms. */
  readonly tickMs?: number;
  readonly clock?: Clock;
  /** Bank-initiated notices on this session; the reply goes out only after this resolves. */
  readonly onNotice?: NoticeHandler;
  /** Responses that match no request in flight (late, duplicate, unknown). */
  readonly onUnmatched?: (t: DecodedTelegram, raw: Buffer) => void;
  /**
   * Every telegram sent (when written) and received. If it returns a promise for a received answer, the
   * request's outcome waits for it: the answer is kept before anyone acts on it.
   */
  readonly onTraffic?: (r: TrafficRecord) => void | Promise<void>;
  /** Every request's end (metrics): its message, outcome and how long it took from the call. */
  readonly onExchange?: (e: ExchangeRecord) => void;
  /** A connection that could not be made or whose business day could not be opened (the breaker counts these). */
  readonly onConnectFailure?: (reason: string) => void;
  readonly logger?: Logger;
}

/** How one request ended, for whoever measures the link. */
export interface ExchangeRecord {
  readonly message: string;
  readonly status: LinkOutcome['status'];
  /** The answer's response code (answered only). */
  readonly responseCode?: string;
  readonly ms: number;
}

export interface RequestOptions {
  readonly timeoutMs?: number;
  /**
   * Runs after the telegram is built (전문번호 and date assigned) and before any byte is written: the
   * place to persist it. If it throws, nothing is sent and the request ends `not-sent`.
   */
  readonly beforeSend?: (request: SentTelegram) => Promise<void>;
  /**
   * The caller keeps the answer itself, in the same transaction as what it does about it (a transfer's
   * settling state change): the answer is handed over at once instead of after `onTraffic` kept it, and
   * `onTraffic` sees it marked kept. A late or unmatched answer is kept by `onTraffic` as ever.
   */
  readonly keepsAnswer?: boolean;
}

interface Pending {
  readonly key: string;
  readonly expects: string;
  readonly deadline: number;
  readonly frame: QueuedFrame;
  readonly resolve: (o: LinkOutcome) => void;
  readonly request: SentTelegram;
  readonly keepsAnswer: boolean;
}

interface Waiter {
  readonly deadline: number;
  readonly resolve: (ready: boolean) => void;
}

/**
 * A long-lived session to one bank or VAN over one TCP connection: connects, opens the business day (and
 * again after the date changes), polls when idle, reconnects with backoff, and carries many requests at
 * once, each matched to its response by the spec's match key. Knows nothing of storage: what must be kept
 * goes out through `onTraffic`, `onNotice` and the outcomes.
 */
export class BankLink {
  private readonly codec: TelegramCodec;
  private readonly session: SessionSpec;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly timeoutMs: number;
  private readonly pollIdleMs: number;
  private readonly matchRanges: readonly (readonly [number, number])[];
  /** Where the 전문번호 sits in a telegram (same place in every message: it is a match field). */
  private readonly seqRange: readonly [number, number];
  private readonly traffic: TrafficStamper;

  private stateValue: LinkState = 'idle';
  private socket: TelegramSocket | null = null;
  private readonly pending = new Map<string, Pending>();
  private waiters: Waiter[] = [];
  private openedFor: string | null = null;
  private reopening = false;
  private attempt = 0;
  private lastWrite = 0;
  private tickTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: BankLinkOptions) {
    this.codec = options.codec;
    const session = options.codec.spec.session;
    if (!session) throw new LinkUsageError(`${options.codec.spec.file} has no session section: it cannot drive a link`);
    this.session = session;
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? silentLogger;
    this.timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.pollIdleMs = options.pollIdleMs ?? (session.polling ? session.polling.idleSeconds * 1000 : Infinity);
    const layout = [...this.codec.spec.messages.values()][0]!.layout;
    const range = (n: string) => {
      const f = layout.find((x) => x.name === n)!;
      return [f.offset, f.offset + f.length] as const;
    };
    this.matchRanges = session.match.map(range);
    this.seqRange = range(session.seqNo);
    this.traffic = new TrafficStamper(options.codec.spec);
  }

  get state(): LinkState {
    return this.stateValue;
  }

  /** Ready for requests: connected and the business day opened for today's date. */
  get isReady(): boolean {
    return this.stateValue === 'ready' && this.openedFor === kst(this.clock()).date;
  }

  /** Requests waiting for their answer. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Starts connecting (and reconnecting, until {@link close}). */
  start(): this {
    if (this.stateValue !== 'idle') return this;
    this.tickTimer = setInterval(() => this.tick(), this.options.tickMs ?? 50);
    this.tickTimer.unref();
    this.connect();
    return this;
  }

  /** Resolves true once ready, false if not ready by `timeoutMs` or closed meanwhile. */
  ready(timeoutMs = this.options.connectTimeoutMs ?? 10_000): Promise<boolean> {
    return this.whenReady(Date.now() + timeoutMs);
  }

  /**
   * Sends one company-initiated request and waits for its response. Fills the session fields (company,
   * bank, date, time, 전문번호 unless given). Throws only for a caller's mistake (EncodeError, a message
   * that is not a request, a key already in flight); every transport result is a {@link LinkOutcome}.
   */
  async request(message: string, fields: Readonly<Record<string, FieldInput>> = {}, options: RequestOptions = {}): Promise<LinkOutcome> {
    const spec = this.codec.message(message);
    if (spec.from !== 'company' || !spec.response) throw new LinkUsageError(`${message} is not a request the company sends`);
    const response = spec.response;
    return withSpan('link.request', { institution: this.codec.spec.institution, message }, async (span) => {
      const started = Date.now();
      const deadline = started + (options.timeoutMs ?? this.timeoutMs);
      const outcome: LinkOutcome = (await this.whenReady(deadline))
        ? await this.exchange(message, response, fields, deadline, options.beforeSend, options.keepsAnswer)
        : { status: 'not-sent', reason: `link to ${this.where()} not ready (${this.stateValue})` };
      const code = outcome.status === 'answered' ? outcome.responseCode : undefined;
      setFacts(span, { outcome: outcome.status, ...(outcome.request ? { seqNo: outcome.request.seqNo, sendDate: outcome.request.sendDate } : {}), ...(code !== undefined ? { responseCode: code } : {}) });
      this.options.onExchange?.({ message, status: outcome.status, ...(code !== undefined ? { responseCode: code } : {}), ms: Date.now() - started });
      return outcome;
    }, { kind: SpanKind.CLIENT });
  }

  /** Closes the business day (1000/200) if the spec has one, then the connection; no reconnects. */
  async close(): Promise<void> {
    if (this.stateValue === 'closed') return;
    const wasReady = this.stateValue === 'ready';
    this.stateValue = 'closing';
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (wasReady && this.session.close) {
      const closeSpec = this.codec.message(this.session.close);
      const outcome = await this.exchange(closeSpec.name, closeSpec.response!, {}, Date.now() + Math.min(this.timeoutMs, 5_000));
      this.log.info('link.closed-day', { link: this.where(), outcome: outcome.status });
    }
    this.stateValue = 'closed';
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.wake(false);
    const socket = this.socket;
    if (socket?.isOpen) {
      await new Promise<void>((resolve) => {
        socket.socket.once('close', () => resolve());
        socket.end();
        setTimeout(() => socket.destroy(), 2_000).unref();
      });
    }
  }

  private where(): string {
    return `${this.codec.spec.institution}@${this.options.host}:${this.options.port}`;
  }

  private async exchange(
    message: string,
    expects: string,
    fields: Readonly<Record<string, FieldInput>>,
    deadline: number,
    beforeSend?: (request: SentTelegram) => Promise<void>,
    keepsAnswer = false,
  ): Promise<LinkOutcome> {
    const s = this.session;
    const stamp = kst(this.clock());
    let seqNo = fields[s.seqNo];
    if (seqNo === undefined || seqNo === null) {
      seqNo = String(await this.options.sequence.next({ date: stamp.date, bankCode: this.options.bankCode, companyId: this.options.companyId, max: this.session.maxSeqNo }));
    }
    const session: Record<string, FieldInput> = {
      [s.companyId]: this.options.companyId,
      [s.bankCode]: this.options.bankCode,
      [s.sendDate]: stamp.date,
      [s.sendTime]: stamp.time,
      [s.seqNo]: seqNo,
    };
    if (s.systemId && this.options.systemId !== undefined) session[s.systemId] = this.options.systemId;
    const raw = this.codec.encode(message, fields, session);
    const key = this.matchKey(raw);
    const request: SentTelegram = { message, seqNo: raw.toString('latin1', ...this.seqRange), sendDate: stamp.date, raw, writtenAt: undefined };
    if (this.pending.has(key)) throw new DuplicateRequestError(message, key.replace(/\0/g, '|'));
    if (beforeSend) {
      try {
        await beforeSend(request);
      } catch (e) {
        return { status: 'not-sent', reason: `not sent: keeping it failed first (${(e as Error).message})`, request, cause: 'before-send' };
      }
      if (this.pending.has(key)) throw new DuplicateRequestError(message, key.replace(/\0/g, '|'));
    }
    const socket = this.socket;
    if (!socket?.isOpen) return { status: 'not-sent', reason: `connection to ${this.where()} is down`, request };

    return new Promise<LinkOutcome>((resolve) => {
      const frame = socket.send(raw, () => {
        const at = new Date();
        this.lastWrite = at.getTime();
        request.writtenAt = at;
        this.options.onTraffic?.(this.traffic.record('out', message, raw, beforeSend !== undefined));
      });
      if (!frame) return resolve({ status: 'not-sent', reason: `connection to ${this.where()} is down`, request });
      const entry: Pending = { key, expects, deadline, frame, resolve, request, keepsAnswer };
      this.pending.set(key, entry);
    });
  }

  /** The bytes of the match fields: identical in a request and its response. */
  private matchKey(raw: Uint8Array): string {
    let key = '';
    for (const [from, to] of this.matchRanges) key += Buffer.prototype.latin1Slice.call(raw, from, to) + '\0';
    return key;
  }

  private connect(): void {
    if (this.stateValue === 'closing' || this.stateValue === 'closed') return;
    this.stateValue = 'connecting';
    const raw: Socket = connect({ host: this.options.host, port: this.options.port });
    const timer = setTimeout(() => raw.destroy(new Error('connect timeout')), this.options.connectTimeoutMs ?? 5_000);
    raw.once('connect', () => {
      clearTimeout(timer);
      this.log.info('link.connected', { link: this.where() });
      this.socket = new TelegramSocket(raw, this.codec, {
        telegram: (t, bytes) => this.received(t, bytes),
        poll: (kind, stamp) => {
          if (kind === 'request') this.socket?.sendPoll('response', stamp);
        },
        badTelegram: (error) => this.log.error('link.bad-telegram', { link: this.where(), code: error.code, error: error.message }),
        framingError: (error) => this.log.error('link.framing-error', { link: this.where(), code: error.code, error: error.message }),
        handlerError: (error) => this.log.error('link.handler-error', { link: this.where(), ...errorDetails(error) }),
        close: () => this.disconnected(),
      });
      this.lastWrite = Date.now();
      this.openDayLogged();
    });
    raw.once('error', (e) => {
      clearTimeout(timer);
      if (!this.socket || this.socket.socket !== raw) {
        this.log.warn('link.connect-failed', { link: this.where(), error: e.message });
        this.options.onConnectFailure?.(e.message);
        this.scheduleReconnect();
      }
    });
  }

  /** {@link openDay} from a timer or an event: a throw there is logged, never an unhandled rejection. */
  private openDayLogged(): void {
    this.openDay().catch((e: unknown) => this.log.error('link.open-failed', { link: this.where(), ...errorDetails(e) }));
  }

  /** Sends the open telegram (1000/100); ready on success, otherwise drops the connection to retry. */
  private async openDay(): Promise<void> {
    const today = kst(this.clock()).date;
    if (this.stateValue !== 'ready') this.stateValue = 'opening';
    this.reopening = true;
    try {
      if (!this.session.open) {
        this.becomeReady(today);
        return;
      }
      const open = this.codec.message(this.session.open);
      const outcome = await this.exchange(open.name, open.response!, {}, Date.now() + (this.options.requestTimeoutMs ?? 10_000));
      if (outcome.status === 'answered' && this.session.successCodes.includes(outcome.responseCode)) {
        this.becomeReady(today);
        return;
      }
      const detail = outcome.status === 'answered' ? `response code ${outcome.responseCode}` : outcome.reason;
      this.log.error('link.open-failed', { link: this.where(), detail });
      this.options.onConnectFailure?.(`opening the business day failed: ${detail}`);
      this.socket?.destroy();
    } finally {
      this.reopening = false;
    }
  }

  private becomeReady(today: string): void {
    this.openedFor = today;
    this.attempt = 0;
    if (this.stateValue === 'opening') this.stateValue = 'ready';
    this.log.info('link.ready', { link: this.where(), businessDay: today });
    this.wake(true);
  }

  private whenReady(deadline: number): Promise<boolean> {
    if (this.isReady) return Promise.resolve(true);
    if (this.stateValue === 'closing' || this.stateValue === 'closed' || this.stateValue === 'idle') return Promise.resolve(false);
    return new Promise((resolve) => this.waiters.push({ deadline, resolve }));
  }

  private wake(ready: boolean): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.resolve(ready);
  }

  private received(t: DecodedTelegram, raw: Buffer): void {
    const spec = this.codec.message(t.message);
    const notice = spec.from === 'bank' && spec.response !== undefined;
    const key = notice ? '' : this.matchKey(raw);
    const found = notice ? undefined : this.pending.get(key);
    const p = found?.expects === t.message ? found : undefined;
    const kept = this.options.onTraffic?.(this.traffic.record('in', t.message, Buffer.from(raw), p?.keepsAnswer === true));
    if (notice) {
      void this.notice(t, Buffer.from(raw));
      return;
    }
    if (!p) {
      this.log.warn('link.unmatched', { link: this.where(), message: t.message, fields: maskFields(spec, t.fields) });
      this.options.onUnmatched?.(t, Buffer.from(raw));
      return;
    }
    this.pending.delete(key);
    const code = t.fields[this.session.responseCode];
    const outcome: LinkOutcome = { status: 'answered', request: p.request, response: t, responseRaw: Buffer.from(raw), responseCode: typeof code === 'string' ? code : '' };
    if (!kept) return p.resolve(outcome);
    kept.then(
      () => p.resolve(outcome),
      (e: unknown) => {
        // The answer stands even if its bytes could not be kept: settling the transfer matters more.
        this.log.error('link.answer-not-kept', { link: this.where(), message: t.message, ...errorDetails(e) });
        p.resolve(outcome);
      },
    );
  }

  private async notice(t: DecodedTelegram, raw: Buffer): Promise<void> {
    const handler = this.options.onNotice;
    if (!handler) {
      this.log.error('link.notice-unhandled', { link: this.where(), message: t.message, note: 'no handler: not acknowledged, the bank will send it again' });
      return;
    }
    try {
      const extra = await handler(t, raw);
      const reply = buildNoticeReply(this.codec, t, raw, extra ?? {});
      this.socket?.send(reply.raw, () => this.options.onTraffic?.(this.traffic.record('out', reply.message, reply.raw)));
    } catch (e) {
      this.log.error('link.notice-refused', { link: this.where(), message: t.message, ...errorDetails(e) });
    }
  }

  private disconnected(): void {
    this.socket = null;
    for (const p of this.pending.values()) this.settleLost(p, `connection to ${this.where()} closed before the answer`);
    this.pending.clear();
    if (this.stateValue === 'closing' || this.stateValue === 'closed') return;
    this.log.warn('link.disconnected', { link: this.where() });
    this.scheduleReconnect();
  }

  /** A request that will get no answer: unknown if its bytes left, not sent if they never did. */
  private settleLost(p: Pending, reason: string): void {
    if (p.frame.cancel()) p.resolve({ status: 'not-sent', reason, request: p.request });
    else p.resolve({ status: 'unknown', reason, request: p.request });
  }

  private scheduleReconnect(): void {
    if (this.stateValue === 'closing' || this.stateValue === 'closed' || this.reconnectTimer) return;
    this.stateValue = 'waiting';
    const { initialMs, maxMs } = this.options.backoff ?? { initialMs: 200, maxMs: 30_000 };
    const base = Math.min(maxMs, initialMs * 2 ** this.attempt++);
    const delay = base / 2 + Math.random() * (base / 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }

  /** Timeouts, waiters past their deadline, idle polls, the date change. */
  private tick(): void {
    const now = Date.now();
    for (const p of this.pending.values()) {
      if (p.deadline > now) continue;
      this.pending.delete(p.key);
      this.settleLost(p, `no answer within the timeout`);
    }
    if (this.waiters.length > 0) {
      const keep: Waiter[] = [];
      for (const w of this.waiters) (w.deadline <= now ? w.resolve(false) : keep.push(w));
      this.waiters = keep;
    }
    if (this.stateValue !== 'ready' || !this.socket) return;
    if (!this.reopening && this.openedFor !== kst(this.clock()).date) {
      this.log.info('link.date-changed', { link: this.where(), from: this.openedFor });
      this.openDayLogged();
    }
    if (now - this.lastWrite >= this.pollIdleMs) {
      this.lastWrite = now;
      this.socket.sendPoll('request', kst(this.clock()).mmddhhmmss);
    }
  }
}
