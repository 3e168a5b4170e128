import { createServer, type Server } from 'node:net';
import { Decimal } from 'decimal.js';
import type { TelegramCodec } from '../codec/telegram-codec.js';
import type { DecodedTelegram, FieldInput, Fields } from '../codec/values.js';
import { encodeFrame } from '../framing/frame-decoder.js';
import { kst } from '../link/clock.js';
import type { OperationName } from '../institution/operations.js';
import type { InstitutionProfile } from '../institution/profile.js';
import { LinkUsageError } from '../link/link-usage-error.js';
import { TelegramSocket } from '../link/telegram-socket.js';
import { silentLogger, type Logger } from '../log/logger.js';
import type { SessionSpec } from '../spec/types.js';
import { FaultPlan, type FaultKind, type TakenFault } from './fault-plan.js';
import { loadBankFileSpec } from '../bankfile/load-bank-file-spec.js';
import { writeSimDayFile } from './day-file.js';
import { DEFAULT_SIM_ACCOUNTS, SimLedger, type SimAccountSeed, type SimTransfer } from './sim-ledger.js';
import { PayerRegistry, type PayerAnswer, type PayerRefusal } from './payer-registry.js';
import { errorDetails } from '../log/error-details.js';

/** Response codes the simulated bank answers with (defaults: 국민은행 004's codes from the shipped table). */
export interface SimCodes {
  readonly success: string;
  readonly insufficientFunds: string;
  readonly noSuchAccount: string;
  readonly processing: string;
  /** 처리결과 of a result inquiry for a transfer the bank never saw. */
  readonly noRecord: string;
  /** An error of the request itself (Hecto's 0001 전문형식불일치): also the answer to business before the open. */
  readonly requestError: string;
  /** A company number the session was not opened for (Hecto's SSSS 업체번호 오류). */
  readonly companyError: string;
  /** A system failure after the fact (국민 7142 거래은행시스템장애): the money may have moved. */
  readonly systemError: string;
  /** The network's reason in a failure notice (3000/100's 공동망 ERROR CODE). */
  readonly failureNotice: string;
  /** No registration under that payer number, for that account (국민 2002 대상납부자없슴(자동이체미등록)). */
  readonly payerNotRegistered: string;
  /** A registration of a payer number registered to another account (국민 2015 이중신청(동일납부자번호&상이계좌)). */
  readonly payerOnOtherAccount: string;
  /** A cancellation naming another account than the registered one (국민 2003 해지신청시 계좌번호 불일치). */
  readonly payerAccountMismatch: string;
  /** A collection for a payer the company cancelled (국민 2008 자동이체해지되었음(업체해지)). */
  readonly payerCancelled: string;
  /** A collection for a payer who cancelled at the bank (국민 2007 자동이체해지되었음(영업점해지)). */
  readonly payerCancelledAtBank: string;
  /** A registration whose 실명번호 is not the account holder's (국민 2028 주민번호 및 사업자번호 오류). */
  readonly idNoMismatch: string;
  /** 신청구분 neither 1 nor 2 (국민 2000 자동이체 신청구분오류). */
  readonly applicationTypeError: string;
  /** A blank payer number (국민 2001 납부자번호 오류). */
  readonly payerNoError: string;
  /** 동의자료구분 given but not 1–7 (Hecto SB05 동의자료 구분 값 검증오류). */
  readonly consentTypeError: string;
}

export const DEFAULT_SIM_CODES: SimCodes = {
  success: '0000',
  insufficientFunds: '0133',
  noSuchAccount: '0122',
  processing: '7430',
  noRecord: 'NREC',
  requestError: '0001',
  companyError: 'SSSS',
  systemError: '7142',
  failureNotice: '0122',
  payerNotRegistered: '2002',
  payerOnOtherAccount: '2015',
  payerAccountMismatch: '2003',
  payerCancelled: '2008',
  payerCancelledAtBank: '2007',
  idNoMismatch: '2028',
  applicationTypeError: '2000',
  payerNoError: '2001',
  consentTypeError: 'SB05',
};

/** 동의자료구분 values the spec lists (1 서면 … 7 사설전자문서). */
const CONSENT_TYPES = ['1', '2', '3', '4', '5', '6', '7'];

export interface BankSimulatorOptions {
  readonly codec: TelegramCodec;
  /** The institution it plays: which message carries each operation, and the fields' names. */
  readonly profile: InstitutionProfile;
  readonly accounts?: readonly SimAccountSeed[];
  readonly codes?: Partial<SimCodes>;
  /** Fee charged on a transfer to another bank (own-bank transfers are free). Default 500. */
  readonly otherBankFee?: string;
  /** The only company numbers this bank serves; any company that opens a session when not given. */
  readonly companies?: readonly string[];
  readonly logger?: Logger;
}

/**
 * One connection. As a real bank, business is answered only after the day was opened (1000/100) on this
 * connection, and only for the company and bank that opened it, on the date it was opened for.
 */
interface Session {
  readonly socket: TelegramSocket;
  companyId?: string;
  bankCode?: string;
  openDate?: string;
}

type Fieldset = Record<string, FieldInput>;

/** A request as the simulator reads it: its operation and its canonical fields (bank codes as KFTC codes). */
interface Asked {
  readonly t: DecodedTelegram;
  readonly operation: OperationName | undefined;
  readonly c: Readonly<Record<string, unknown>>;
}

/**
 * A bank (or VAN) on a real TCP port, built from a spec file: it answers open, close and test calls, keeps
 * balances per account, registers payers ({@link payers}) and applies transfers and collections (these only
 * for registered payers), answers name, result, balance and totals inquiries from what it processed, pushes
 * deposit, failure and payer-cancellation notices, and misbehaves on demand
 * ({@link FaultPlan}). It plays any institution: behaviour follows the operation its profile binds a
 * message to, and fields are read and written through the profile, in the spec's own layouts.
 */
export class BankSimulator {
  readonly faults = new FaultPlan();
  readonly ledger: SimLedger;
  /** Payer registrations for collections (2000/550), and cancellations at the bank (2000/650). */
  readonly payers = new PayerRegistry();
  readonly codes: SimCodes;
  private readonly server: Server;
  private readonly session: SessionSpec;
  private readonly log: Logger;
  private readonly sessions = new Set<Session>();
  private readonly fee: Decimal;
  /** Notices sent, by notice number, for gap requests; and the ones still waiting for a reply. */
  private readonly noticesSent = new Map<string, Map<number, Fields>>();
  /** How many of the next notices are lost on the way (see {@link loseNotices}). */
  private noticesToLose = 0;
  private readonly awaitingReply = new Map<string, () => void>();
  private noticeNo = new Map<string, number>();
  /** Requests answered, by message name. */
  readonly answered = new Map<string, number>();

  constructor(private readonly options: BankSimulatorOptions) {
    const session = options.codec.spec.session;
    if (!session) throw new LinkUsageError(`${options.codec.spec.file} has no session section: it cannot drive a simulator`);
    this.session = session;
    this.ledger = new SimLedger(options.accounts ?? DEFAULT_SIM_ACCOUNTS);
    this.codes = { ...DEFAULT_SIM_CODES, ...options.profile.simulatorCodes, ...options.codes };
    this.fee = new Decimal(options.otherBankFee ?? '500');
    this.log = options.logger ?? silentLogger;
    this.server = createServer((raw) => {
      if (this.faults.refuseConnections) {
        raw.destroy();
        return;
      }
      const s: Session = {
        socket: new TelegramSocket(raw, options.codec, {
          telegram: (t) => this.receive(s, t),
          poll: (kind, stamp) => {
            if (kind === 'request') s.socket.sendPoll('response', stamp);
          },
          badTelegram: (e) => this.log.warn('sim.bad-telegram', { code: e.code, error: e.message }),
          framingError: (e) => this.log.warn('sim.framing-error', { code: e.code, error: e.message }),
          handlerError: (e) => this.log.error('sim.handler-error', errorDetails(e)),
          close: () => this.sessions.delete(s),
        }),
      };
      this.sessions.add(s);
    });
  }

  private get codec(): TelegramCodec {
    return this.options.codec;
  }

  /** The port it listens on (0 before {@link listen}). */
  get port(): number {
    const a = this.server.address();
    return typeof a === 'object' && a ? a.port : 0;
  }

  /** Listens (127.0.0.1 by default); resolves the port (0 picks a free one). */
  listen(port = 0, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve((this.server.address() as { port: number }).port));
    });
  }

  /** Stops listening and drops every connection (a bank going away, as far as clients can tell). */
  close(): Promise<void> {
    for (const s of this.sessions) s.socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Drops every connection but keeps listening. */
  dropConnections(): void {
    for (const s of this.sessions) s.socket.destroy();
  }

  /** True when `message` is a request of this simulator's spec (something a fault can be armed for). */
  knows(message: string): boolean {
    return this.codec.spec.messages.get(message)?.from === 'company';
  }

  get connections(): number {
    return this.sessions.size;
  }

  private get profile(): InstitutionProfile {
    return this.options.profile;
  }

  /**
   * Pushes a deposit notice to every open session; resolves once each replied, rejects if none is
   * connected or no reply comes within `timeoutMs`.
   */
  pushDepositNotice(n: { account: string; amount: string; name: string; inOut?: string }, timeoutMs = 5_000): Promise<void> {
    if (this.openSessions().length === 0) return Promise.reject(new Error('sim: no open session to notify'));
    const now = kst(new Date());
    this.ledger.credit(n.account, new Decimal(n.amount));
    const balance = this.ledger.accounts.get(n.account)?.balance ?? new Decimal(0);
    return this.pushNotice('depositNotice', now.date, timeoutMs, (no) => ({
      account: n.account,
      inOut: n.inOut ?? '11',
      amount: n.amount,
      balanceSign: balance.isNegative() ? '-' : '+',
      balance: balance.abs(),
      counterpartyName: n.name,
      txDate: now.date,
      txTime: now.time,
      txSerial: String(no),
    }));
  }

  /**
   * Writes the day's transfers as the institution's result file (what a bank sends its company each
   * night), through the file spec at `specFile`.
   */
  async writeDayFile(path: string, specFile: string, date: string): Promise<void> {
    const day = [...this.ledger.transfers.values()].filter((t) => t.date === date);
    await writeSimDayFile(path, loadBankFileSpec(specFile), { date }, day);
  }

  /** Loses the next `count` notices on the way: numbered and kept for gap requests, never sent. */
  loseNotices(count: number): void {
    this.noticesToLose = count;
  }

  /**
   * Reverses a transfer this bank answered "success" and pushes the failure notice for it, as an
   * other-bank transfer that bounced after the fact. Resolves once the client replied.
   */
  pushFailureNotice(date: string, seqNo: string, timeoutMs = 5_000): Promise<void> {
    const t = this.ledger.find(date, seqNo);
    if (!t || t.state !== 'applied') return Promise.reject(new Error(`sim: no applied transfer ${date}/${seqNo} to reverse`));
    // The books change only when the notice can go out: a refused push leaves them as they were.
    if (this.openSessions().length === 0) return Promise.reject(new Error('sim: no open session to notify'));
    t.state = 'reversed';
    this.ledger.credit(t.withdrawAccount, t.amount);
    this.ledger.debit(t.depositAccount, t.amount);
    return this.pushNotice('failureNotice', kst(new Date()).date, timeoutMs, () => ({
      originalSeqNo: t.seqNo,
      withdrawAccount: t.withdrawAccount,
      depositBankCode: t.depositBankCode,
      depositAccount: t.depositAccount,
      amount: t.amount,
      errorCode: this.codes.failureNotice,
    }));
  }

  /**
   * The payer cancelled their registration at the bank's counter: sends the cancellation notice (2000/650)
   * on the open sessions and, once the client replied (2100/650), marks the payer cancelled at the bank, so
   * that collections for it are refused from then on. Rejects, changing nothing, if no session is open, the
   * payer number is not registered for the session's company, or no reply comes within `timeoutMs`. A
   * notice lost on the way ({@link loseNotices}) still cancels: the bank did, whether we heard or not.
   */
  pushPayerCancel(payerNo: string, timeoutMs = 5_000): Promise<void> {
    const targets = this.openSessions();
    if (targets.length === 0) return Promise.reject(new Error('sim: no open session to notify'));
    const companyId = targets[0]!.companyId!;
    const held = this.payers.find(companyId, payerNo);
    if (held?.state !== 'registered') return Promise.reject(new Error(`sim: payer ${payerNo} is not registered for ${companyId}`));
    const now = kst(new Date());
    const holder = this.ledger.accounts.get(held.account);
    return this.pushNotice('payerCancelNotice', now.date, timeoutMs, () => ({
      bankCode: held.bankCode,
      account: held.account,
      action: '2',
      payerNo,
      applicationDate: now.date,
      ...(holder ? { holderName: holder.name } : {}),
    })).then(() => void this.payers.cancelAtBank(companyId, payerNo));
  }

  private pushNotice(operation: OperationName, date: string, timeoutMs: number, body: (no: number) => Record<string, FieldInput>): Promise<void> {
    const targets = this.openSessions();
    if (targets.length === 0) return Promise.reject(new Error('sim: no open session to notify'));
    const message = this.profile.message(operation);
    const counterKey = `${message}|${date}`;
    const no = (this.noticeNo.get(counterKey) ?? 0) + 1;
    this.noticeNo.set(counterKey, no);
    const s = this.session;
    const fields: Fieldset = {
      ...this.profile.toWire(operation, 'request', body(no)),
      [s.companyId]: targets[0]!.companyId!,
      [s.bankCode]: targets[0]!.bankCode!,
      [s.sendDate]: date,
      [s.sendTime]: kst(new Date()).time,
      [s.seqNo]: String(no),
      // Something in the first area the reply must echo, so that a reply that does not echo it shows.
      ...(s.echo[0] ? { [s.echo[0]]: 'SIMNOTICE' } : {}),
    };
    const raw = this.codec.encode(message, fields);
    const decoded = this.codec.decode(raw);
    const sent = this.noticesSent.get(operation) ?? new Map<number, Fields>();
    sent.set(no, decoded.fields);
    this.noticesSent.set(operation, sent);
    if (this.noticesToLose > 0) {
      // Lost on the way: numbered and remembered (a gap request gets it), never delivered.
      this.noticesToLose--;
      return Promise.resolve();
    }
    const replyKey = `${this.codec.message(message).response}|${date}|${no}`;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.awaitingReply.delete(replyKey);
        reject(new Error(`sim: no reply to ${message} #${no} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.awaitingReply.set(replyKey, () => {
        clearTimeout(timer);
        resolve();
      });
      for (const t of targets) t.socket.send(raw);
    });
  }

  private openSessions(): Session[] {
    return [...this.sessions].filter((s) => s.openDate !== undefined);
  }

  private receive(s: Session, t: DecodedTelegram): void {
    const spec = this.codec.message(t.message);
    const f = t.fields;
    const ses = this.session;
    if (spec.from !== 'company') {
      // A reply to one of our notices.
      const key = `${t.message}|${String(f[ses.sendDate])}|${Number(f[ses.seqNo])}`;
      this.awaitingReply.get(key)?.();
      this.awaitingReply.delete(key);
      return;
    }
    if (!spec.response) return;
    const refused = this.sessionRefusal(s, t);
    if (refused) {
      this.log.warn('sim.session-refused', { message: t.message, code: refused });
      s.socket.send(this.codec.encode(spec.response, this.reply(t, refused)));
      return;
    }
    const taken = this.faults.take(t.message);
    const fault = taken?.kind;
    if (fault === 'no-answer-unapplied') return; // lost on the way: the bank never saw it
    const bound = this.profile.operationOf(t.message);
    const operation = bound?.side === 'request' ? bound.operation : undefined;
    const asked: Asked = { t, operation, c: operation ? this.profile.fromWire(operation, 'request', f) : {} };
    const answer = this.answer(asked, taken);
    if (fault === 'no-answer') return; // processed, but the answer is lost
    let raw: Buffer;
    try {
      raw = this.codec.encode(spec.response, answer);
    } catch (e) {
      // An answer the layout cannot carry (a total past 13 digits …): say so rather than go silent.
      this.log.error('sim.cannot-answer', { message: t.message, ...errorDetails(e) });
      raw = this.codec.encode(spec.response, this.reply(t, this.codes.requestError));
    }
    this.answered.set(t.message, (this.answered.get(t.message) ?? 0) + 1);
    const deliver = () => this.deliver(s, raw, fault);
    const delay = this.faults.latencyMs + (fault === 'late' ? this.faults.lateMs : 0);
    if (delay > 0) setTimeout(deliver, delay);
    else deliver();
  }

  private deliver(s: Session, raw: Buffer, fault: FaultKind | undefined): void {
    switch (fault) {
      case 'duplicate':
        s.socket.send(raw);
        s.socket.send(raw);
        return;
      case 'disconnect-mid-frame': {
        const framed = encodeFrame(this.codec.spec.framing, raw);
        s.socket.sendRaw(framed.subarray(0, framed.length >> 1));
        setImmediate(() => s.socket.destroy());
        return;
      }
      case 'garbage':
        s.socket.send(Buffer.alloc(raw.length, 0xff));
        return;
      case 'bad-length':
        s.socket.sendRaw(Buffer.from('ABCD' + 'x'.repeat(20), 'latin1'));
        return;
      default:
        s.socket.send(raw);
    }
  }

  /**
   * The answer fields: the request echoed into the response layout, plus what the bank says — canonical
   * fields of the operation's answer side (`said`), through the profile.
   */
  private reply(t: DecodedTelegram, code: string, said: Record<string, FieldInput> = {}): Fieldset {
    const spec = this.codec.message(t.message);
    const response = this.codec.message(spec.response!);
    const out: Fieldset = {};
    for (const f of response.layout) if (response.key[f.name] === undefined && f.name in t.fields) out[f.name] = t.fields[f.name];
    out[this.session.responseCode] = code;
    const bound = this.profile.operationOf(t.message);
    return bound ? { ...out, ...this.profile.toWire(bound.operation, 'answer', said) } : out;
  }

  /**
   * Why this connection may not do business now, as a response code; undefined when it may. Opening the
   * day binds the connection to its company, bank and date; closing it unbinds.
   */
  private sessionRefusal(s: Session, t: DecodedTelegram): string | undefined {
    const f = t.fields;
    const ses = this.session;
    const company = String(f[ses.companyId]);
    const bank = String(f[ses.bankCode]);
    const date = String(f[ses.sendDate]);
    if (this.options.companies && !this.options.companies.includes(company)) return this.codes.companyError;
    if (t.message === ses.open) {
      Object.assign(s, { companyId: company, bankCode: bank, openDate: date });
      return undefined;
    }
    if (s.openDate === undefined || s.openDate !== date) return this.codes.requestError;
    if (s.companyId !== company || s.bankCode !== bank) return this.codes.companyError;
    if (t.message === ses.close) s.openDate = undefined;
    return undefined;
  }

  /** The answer to a request, as the armed fault (if any) shapes it. */
  private answer(a: Asked, fault: TakenFault | undefined): Fieldset {
    const { t } = a;
    switch (fault?.kind) {
      case 'reject':
        // To a result inquiry, a bank refuses in the header only what it refused (spec 4-1): it never
        // answers 잔액부족 about a transfer it applied, so about anything else it answers as usual.
        if (a.operation === 'resultInquiry') return this.refusedResult(a) ?? this.process(a, false);
        // A registration moves no money: its default refusal is about the account, not the funds.
        return this.refuse(a, fault.code ?? (a.operation === 'payerRegistration' ? this.codes.noSuchAccount : this.codes.insufficientFunds));
      case 'request-error': {
        const code = fault.code ?? this.codes.requestError;
        this.log.info('sim.fault', { message: t.message, fault: fault.kind, code });
        if (this.isMoney(a)) this.remember(a, code, 'rejected');
        return this.blankReply(t, code);
      }
      case 'system-error':
        this.process(a, false);
        return this.blankReply(t, fault.code ?? this.codes.systemError);
      case 'blank-result':
        // The code its processing gave (a refusal stays a refusal), the individual part left blank.
        return this.blankReply(t, String(this.process(a, false)[this.session.responseCode]));
      default:
        return this.process(a, fault?.kind === 'processing');
    }
  }

  /** The header-only answer to a result inquiry about a transfer this bank refused; undefined otherwise. */
  private refusedResult(a: Asked): Fieldset | undefined {
    const done = this.ledger.find(String(a.t.fields[this.session.sendDate]), String(a.c['originalSeqNo']));
    return done?.state === 'rejected' ? this.blankReply(a.t, done.code) : undefined;
  }

  private isMoney(a: Asked): boolean {
    return a.operation === 'transfer' || a.operation === 'collection';
  }

  /** The request's header echoed with `code`, the individual part left blank (as banks do on errors). */
  private blankReply(t: DecodedTelegram, code: string): Fieldset {
    const response = this.codec.message(this.codec.message(t.message).response!);
    const out: Fieldset = {};
    for (const h of this.codec.spec.header) if (response.key[h.name] === undefined && h.name in t.fields) out[h.name] = t.fields[h.name];
    out[this.session.responseCode] = code;
    return out;
  }

  private refuse(a: Asked, code: string): Fieldset {
    this.log.info('sim.fault', { message: a.t.message, fault: 'reject', code });
    if (this.isMoney(a)) this.remember(a, code, 'rejected');
    return this.reply(a.t, code, a.operation === 'payerRegistration' ? { processed: 'N', errorCode: code } : {});
  }

  /** The contracted bank of this telegram, as a KFTC code. */
  private ownBank(t: DecodedTelegram): string {
    return this.profile.bankCodes.fromWire(String(t.fields[this.session.bankCode]));
  }

  private process(a: Asked, processing: boolean): Fieldset {
    const { t, c: q } = a;
    const c = this.codes;
    const date = String(t.fields[this.session.sendDate]);
    switch (a.operation) {
      case 'transfer':
      case 'collection': {
        const collect = a.operation === 'collection';
        const from = String(q['withdrawAccount'] ?? '');
        const to = String(q['depositAccount'] ?? '');
        const amount = q['amount'] as Decimal | null;
        const own = collect || String(q['depositBankCode']) === this.ownBank(t);
        const fee = own ? new Decimal(0) : this.fee;
        const payer = this.ledger.accounts.get(from);
        if (!amount || amount.isZero()) return this.reply(t, c.noSuchAccount);
        if (collect) {
          // Only for a payer number registered (2000/550) to this very account, and not cancelled since.
          const refusal = this.payers.collectionRefusal(String(t.fields[this.session.companyId]), String(q['payerNo'] ?? ''), this.ownBank(t), from);
          if (refusal) {
            const code = this.payerCode(refusal);
            this.remember(a, code, 'rejected');
            return this.reply(t, code);
          }
        }
        if (!payer || (own && !collect && !this.ledger.accounts.has(to))) {
          this.remember(a, c.noSuchAccount, 'rejected');
          return this.reply(t, c.noSuchAccount);
        }
        if (payer.balance.lessThan(amount.plus(fee))) {
          this.remember(a, c.insufficientFunds, 'rejected');
          return this.reply(t, c.insufficientFunds, { balance: payer.balance });
        }
        this.ledger.debit(from, amount.plus(fee));
        this.ledger.credit(to, amount);
        this.remember(a, c.success, 'applied', fee);
        const after = collect ? this.ledger.accounts.get(to)?.balance ?? new Decimal(0) : payer.balance;
        return this.reply(t, processing ? c.processing : c.success, { balance: after.abs(), fee });
      }
      case 'payerRegistration':
        return this.registerPayer(a, processing);
      case 'nameInquiry': {
        const found = this.ledger.accounts.get(String(q['account']));
        return found ? this.reply(t, c.success, { holderName: found.name.slice(0, 6), holderNameLong: found.name.slice(0, 10) }) : this.reply(t, c.noSuchAccount);
      }
      case 'resultInquiry': {
        const done = this.ledger.find(date, String(q['originalSeqNo']));
        if (!done) return this.reply(t, c.success, { result: c.noRecord });
        const ok = done.state === 'applied';
        // The transfer as the bank has it, in the inquiry's own layout, and what became of it.
        const asBooked = this.profile.toWire('resultInquiry', 'request', { withdrawAccount: done.withdrawAccount, depositBankCode: done.depositBankCode, depositAccount: done.depositAccount, amount: done.amount });
        const result = ok ? c.success : done.code === c.success ? c.noSuchAccount : done.code;
        return { ...this.reply(t, c.success, { processedAmount: ok ? done.amount : '0', fee: done.fee, result }), ...asBooked };
      }
      case 'balance': {
        const found = this.ledger.accounts.get(String(q['account']));
        if (!found) return this.reply(t, c.noSuchAccount);
        const sign = found.balance.isNegative() ? '-' : '+';
        return this.reply(t, c.success, { balanceSign: sign, balance: found.balance.abs(), availableSign: sign, available: found.balance.abs() });
      }
      case 'totals':
        return this.reply(t, c.success, this.totals(date, this.ownBank(t)));
      case 'depositGap':
      case 'failureGap': {
        const notice = a.operation === 'depositGap' ? 'depositNotice' : 'failureNotice';
        const missing = this.noticesSent.get(notice)?.get(Number(t.fields[this.session.seqNo]));
        if (!missing) return this.reply(t, c.noRecord);
        return this.reply(t, c.success, this.profile.fromWire(notice, 'request', missing) as Record<string, FieldInput>);
      }
      default:
        return this.reply(t, c.success);
    }
  }

  /**
   * 2000/550: registers (신청구분 1) or cancels (2) a payer for collections. Answers 처리여부 Y under a
   * success code, or N with the 불능코드 in both the 불능코드 and the header (a bank that answers
   * "응답코드 (에러코드)" says it in both places). Under the `processing` fault it is applied but answered
   * with the processing code and no 처리여부, which a client must not read as registered.
   */
  private registerPayer(a: Asked, processing: boolean): Fieldset {
    const { t, c: q } = a;
    const c = this.codes;
    const refuse = (code: string) => this.reply(t, code, { processed: 'N', errorCode: code });
    const text = (k: string) => String(q[k] ?? '').trim();
    const companyId = String(t.fields[this.session.companyId]);
    const payerNo = text('payerNo');
    const account = text('account');
    const action = text('action');
    if (payerNo === '') return refuse(c.payerNoError);
    let answer: PayerAnswer;
    if (action === '1') {
      const consent = text('consentType');
      if (consent !== '' && !CONSENT_TYPES.includes(consent)) return refuse(c.consentTypeError);
      // The bank that receives the telegram holds the account, or it has no such account.
      const held = this.ledger.accounts.get(account);
      const bankCode = text('bankCode');
      if (!held || bankCode !== this.ownBank(t)) return refuse(c.noSuchAccount);
      // Checked unless the company says "N"; an account whose 실명번호 the bank does not know passes.
      if (text('checkIdNo') !== 'N' && held.idNo !== undefined && text('idNo') !== held.idNo) return refuse(c.idNoMismatch);
      answer = this.payers.register({ companyId, payerNo, bankCode, account, idNo: text('idNo'), consentType: consent, applicationDate: text('applicationDate') });
    } else if (action === '2') {
      answer = this.payers.cancel(companyId, payerNo, account);
    } else {
      return refuse(c.applicationTypeError);
    }
    if (!answer.ok) return refuse(this.payerCode(answer.refusal));
    return processing ? this.reply(t, c.processing) : this.reply(t, c.success, { processed: 'Y' });
  }

  private payerCode(refusal: PayerRefusal): string {
    const c = this.codes;
    switch (refusal) {
      case 'not-registered':
        return c.payerNotRegistered;
      case 'other-account':
        return c.payerOnOtherAccount;
      case 'account-mismatch':
        return c.payerAccountMismatch;
      case 'cancelled':
        return c.payerCancelled;
      case 'cancelled-at-bank':
        return c.payerCancelledAtBank;
    }
  }

  private remember(a: Asked, code: string, state: SimTransfer['state'], fee = new Decimal(0)): void {
    const f = a.t.fields;
    this.ledger.record({
      date: String(f[this.session.sendDate]),
      seqNo: String(f[this.session.seqNo]),
      withdrawAccount: String(a.c['withdrawAccount'] ?? ''),
      depositBankCode: String(a.c['depositBankCode'] ?? ''),
      depositAccount: String(a.c['depositAccount'] ?? ''),
      amount: (a.c['amount'] as Decimal | null) ?? new Decimal(0),
      fee,
      code,
      state,
      memo: String(a.c['memo'] ?? ''),
    });
  }

  private totals(date: string, bankCode: string): Record<string, FieldInput> {
    const day = [...this.ledger.transfers.values()].filter((t) => t.date === date);
    const sum = (ts: SimTransfer[], pick: (t: SimTransfer) => Decimal) => ts.reduce((n, t) => n.plus(pick(t)), new Decimal(0));
    const own = day.filter((t) => t.depositBankCode === bankCode);
    const other = day.filter((t) => t.depositBankCode !== bankCode);
    const ok = (ts: SimTransfer[]) => ts.filter((t) => t.state === 'applied');
    const failed = (ts: SimTransfer[]) => ts.filter((t) => t.state !== 'applied');
    const n = (ts: SimTransfer[]) => String(ts.length);
    const amount = (t: SimTransfer) => t.amount;
    const fee = (t: SimTransfer) => t.fee;
    return {
      totalCount: n(day),
      totalAmount: sum(day, amount),
      ownOkCount: n(ok(own)),
      ownOkAmount: sum(ok(own), amount),
      ownFailCount: n(failed(own)),
      ownFailAmount: sum(failed(own), amount),
      ownFee: sum(ok(own), fee),
      otherOkCount: n(ok(other)),
      otherOkAmount: sum(ok(other), amount),
      otherFailCount: n(failed(other)),
      otherFailAmount: sum(failed(other), amount),
      otherFee: sum(ok(other), fee),
    };
  }
}
