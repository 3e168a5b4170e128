import { randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { EncodeError } from '../codec/encode-error.js';
import type { TelegramCodec } from '../codec/telegram-codec.js';
import type { FieldInput } from '../codec/values.js';
import type { Outcome } from '../codes/outcome.js';
import type { ResponseCodeTable, ResponseMeaning } from '../codes/response-codes.js';
import type { KeptTelegram, Transfer as TransferRow, TransferKind, TransferPatch } from '../domain/transfer.js';
import type { TransferState } from '../domain/transfer-state.js';
import type { Clock } from '../link/clock.js';
import type { LinkOutcome, SentTelegram } from '../link/exchange.js';
import type { ConsentCheck, MemoSeal, Requester, SwitchReader, TransferJobs, TransferStore } from './ports.js';
import type { Logger } from '../log/logger.js';
import { errorDetails } from '../log/error-details.js';
import type { BusinessHours } from '../institution/business-hours.js';
import type { InstitutionProfile } from '../institution/profile.js';
import type { Span } from '@opentelemetry/api';
import { setFacts } from '../tracing/span-attributes.js';
import { withSpan } from '../tracing/with-span.js';
import { readInquiryAnswer } from './inquiry-answer.js';
import { NotNowError } from './not-now-error.js';
import { BreakerOpenError } from './breaker-open-error.js';
import { SwitchedOffError } from './switched-off-error.js';
import type { InstitutionSettings } from './institution-settings.js';
import { UnreachableBankError } from '../institution/unreachable-bank-error.js';
import { requestHash, validateTransfer, type TransferInput } from './transfer-input.js';

/** The calling service, as its API key says. */
export interface ServiceIdentity {
  readonly service: string;
  readonly maxAmount: Decimal;
}

export interface TransferFlowDeps {
  readonly institution: InstitutionSettings;
  /** How the institution's telegrams carry each operation. */
  readonly profile: InstitutionProfile;
  readonly codec: TelegramCodec;
  readonly ledger: TransferStore;
  readonly link: Requester;
  readonly queue: TransferJobs;
  readonly codes: ResponseCodeTable;
  readonly hours: BusinessHours;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Told whenever a transfer is settled (for callers waiting on it in this process). */
  readonly settled?: (transfer: TransferRow) => void;
  /** 통장비밀번호 of the parent account, when the bank wants it. */
  readonly accountPassword?: string;
  /** Operators' switches for the flow (`transfers` or `collections`); absent: always on. */
  readonly switches?: SwitchReader;
  /** What this flow sends and recovers: transfers (default) or collections, each with its own queue. */
  readonly kind?: TransferKind;
  /** For collections: whether the payer's consent still stands when one is about to be sent. */
  readonly consents?: ConsentCheck;
  /** Seals memos submitted with `sealMemo` (one-won codes) and opens them for the telegram. */
  readonly memoSeal?: MemoSeal;
  /** What a telegram is kept as (default: its `mask: secret` fields overwritten). */
  readonly keepable?: (raw: Buffer) => Buffer;
  /**
   * Sending a new transfer at once, in the process that accepted it, rather than through a job: while
   * fewer than `maxInFlight` are on their way so, and `permit` takes it out of the bank's rate (the window
   * the queue's workers share). Absent, or without a permit: queued. `counted` is told how each new
   * transfer first went out (for metrics: a high share queued says the bank's rate is the limit).
   */
  readonly sendNow?: { readonly permit: () => Promise<boolean>; readonly maxInFlight: number; readonly counted?: (how: FirstSend) => void };
}

/**
 * How a new transfer first went out: taken on by the accepting process (`direct`: sent, or found held or
 * already claimed there and left as it was), through the queue, or the first then the second.
 */
export type FirstSend = 'direct' | 'queued' | 'direct-then-queued';

const SEALED = 'sealed:';

/**
 * 이체: from an internal service's request to the bank's final word, through the ledger and the queue.
 *
 * Money safety, step by step: the transfer is persisted before it is queued; a worker claims it with a
 * conditional state change; its 전문번호 and telegram are persisted before a byte is written; an answer
 * settles it; anything that may have reached the bank without an answer makes it `unknown`, which only a
 * result inquiry (7000/100) settles — it is never sent again.
 */
export class TransferFlow {
  /** Sends running in this process without a job (see {@link TransferFlowDeps.sendNow}). */
  private readonly sendingNow = new Set<Promise<void>>();
  /** Places taken of {@link TransferFlowDeps.sendNow}'s `maxInFlight`: those sending, and those asking for a permit. */
  private placesTaken = 0;
  /** Set by {@link drained}: no more sends from here. */
  private stopping = false;

  constructor(private readonly d: TransferFlowDeps) {}

  /**
   * Validates, persists and queues a transfer. The same (service, requestId) with the same body returns
   * the stored transfer (and queues nothing new); with another body, an IdempotencyConflictError.
   */
  submit(caller: ServiceIdentity, input: TransferInput, route = 'named by the caller', options: { readonly sealMemo?: boolean } = {}): Promise<{ transfer: TransferRow; created: boolean }> {
    return withSpan('transfer.accept', { institution: this.d.institution.id }, async (span) => {
      const result = await this.accept(caller, input, route, options.sealMemo === true);
      setFacts(span, { transferId: result.transfer.id, stateTo: result.transfer.state });
      return result;
    });
  }

  private async accept(caller: ServiceIdentity, input: TransferInput, route: string, sealMemo: boolean): Promise<{ transfer: TransferRow; created: boolean }> {
    const { institution: inst, codec, profile } = this.d;
    // A memo holding a secret is never stored in clear: without a seal, refuse rather than keep it.
    if (sealMemo && !this.d.memoSeal) throw new Error('transfer flow: a sealed memo was asked for, but no MemoSeal is wired');
    const amount = validateTransfer(input, caller.maxAmount, profile, codec, inst.bankCode);
    if (inst.enforceHours) this.d.hours.check(inst.bankCode, this.d.clock());
    const switched = this.switchState();
    if (switched.state === 'off') throw new SwitchedOffError('transfers', inst.id, switched.decidedBy ?? '*/*');
    const block = inst.breaker?.whileOpen === 'refuse' ? this.d.link.blockedFor?.() : null;
    if (block) throw new BreakerOpenError(inst.id, block.reason, block.retryInMs);
    const result = await this.d.ledger.createTransfer({
      service: caller.service,
      requestId: input.requestId,
      // A sealed memo stays out of the fingerprint too: a hash of a 4-digit code is no secret.
      requestHash: requestHash(inst.id, sealMemo ? { ...input, memo: '' } : input, amount),
      institution: inst.id,
      bankCode: inst.bankCode,
      companyId: inst.companyId,
      withdrawAccount: inst.withdrawAccount,
      depositBankCode: input.bankCode,
      depositAccount: input.account,
      amount,
      // A memo that holds a secret (a one-won code) is checked in clear above and kept sealed.
      memo: sealMemo ? SEALED + this.d.memoSeal!.seal(input.memo ?? '') : (input.memo ?? ''),
      recipientName: input.recipientName ?? '',
      route,
    });
    // Sent or queued after it is committed. If the process stops first, or Redis fails here, it stays
    // `requested` and the recovery sweep queues it; the job id makes a second queueing a no-op. On hold,
    // it waits as `requested` until the switch is on again (see release).
    if ((result.created || result.transfer.state === 'requested') && switched.state === 'on') {
      if (result.created && (await this.takePlace())) this.sendNow(result.transfer);
      else {
        await this.d.queue.send(result.transfer.id);
        if (result.created) this.d.sendNow?.counted?.('queued');
      }
    }
    return result;
  }

  /**
   * Takes a place to send from here, and the permit for it. The place is taken before the permit is
   * asked for, so that accepts racing here never pass `maxInFlight` together; without a permit it is
   * given back.
   */
  private async takePlace(): Promise<boolean> {
    const now = this.d.sendNow;
    if (now === undefined || this.stopping || this.placesTaken >= now.maxInFlight) return false;
    this.placesTaken++;
    if (await now.permit().catch(() => false)) return true;
    this.placesTaken--;
    return false;
  }

  /**
   * Sends a transfer just accepted here, as its job would but without the queue's round trips, nor a read
   * of what was just written (the claim checks the state anyway). Whatever stops it before an outcome —
   * not sent, not now, a lost database — hands it to the queue, whose job reads the state and goes on.
   */
  private sendNow(t: TransferRow): void {
    const counted = this.d.sendNow?.counted;
    const sending: Promise<void> = this.traced(t.id, () => this.sendOnce(t.id, t))
      .then(
        () => counted?.('direct'),
        async (e: unknown) => {
          this.d.logger.info('transfer.queued-after-direct-send', { transferId: t.id, ...errorDetails(e) });
          // A job of its own: the first one (a retried request may have queued it) may still be running.
          await this.d.queue.send(t.id, 'direct');
          counted?.('direct-then-queued');
        },
      )
      .catch((e: unknown) => this.d.logger.error('transfer.not-queued', { transferId: t.id, ...errorDetails(e), then: 'the recovery sweep queues it' }))
      .finally(() => {
        this.sendingNow.delete(sending);
        this.placesTaken--;
      });
    this.sendingNow.add(sending);
  }

  /**
   * Resolves once the sends started here without a job have ended; new transfers are queued from now on
   * (a stopping gateway waits for them, after its API is closed).
   */
  async drained(): Promise<void> {
    this.stopping = true;
    while (this.sendingNow.size > 0) await Promise.all([...this.sendingNow]);
  }

  /**
   * The 'send' job. Safe to run any number of times, in any process: the ledger's state decides, and the
   * claim is taken in the same statement that keeps the telegram, right before its bytes are written.
   */
  send(id: string): Promise<void> {
    return this.traced(id, () => this.sendOnce(id));
  }

  private traced(id: string, sending: () => Promise<void>): Promise<void> {
    return withSpan('transfer.send', { institution: this.d.institution.id, transferId: id }, sending);
  }

  private async sendOnce(id: string, justAccepted?: TransferRow): Promise<void> {
    const { ledger } = this.d;
    const t = justAccepted ?? (await ledger.get(id));
    if (!t) return;
    if (t.state === 'sending') {
      // Another worker has it. Only when its claim is older than any live attempt can last is it taken
      // for dead; its telegram was kept before it could be written, so it may have reached the bank.
      if (Date.now() - t.updatedAt.getTime() >= this.lease()) await this.becomeUnknown(t, 'worker gone after its telegram was kept: it may have reached the bank');
      return;
    }
    if (t.state !== 'requested') return;
    // Held (or off): not sent, not failed; it stays `requested` and the release queues it again.
    if (this.switchState().state !== 'on') return;
    // A collection whose consent was withdrawn (or cancelled at the bank) is never sent: nothing moved.
    // The claim below checks it again, in the same statement, against a withdrawal racing this one.
    if (t.consentId !== null && !(await this.d.consents?.isRegistered(t.consentId))) return this.finish(id, 'requested', 'failed', "the payer's consent is no longer registered: not sent");
    this.waitIfBlocked();
    const claim = randomUUID();
    let claimed = false;
    let outcome: LinkOutcome;
    try {
      const { message, fields } = this.telegramOf(t);
      outcome = await this.d.link.request(message, fields, {
        beforeSend: async (req) => {
          const kept = { transferId: t.id, institution: t.institution, direction: 'out' as const, message: req.message, seqNo: req.seqNo, sendDate: req.sendDate, raw: this.keepable(req.raw), at: new Date() };
          if (!(await ledger.claimAndKeep(kept, claim, t.consentId !== null))) throw new Error('another worker has it, or its consent is gone');
          claimed = true;
        },
        // Its answer is kept by the state change it brings, in the same transaction (see settle).
        keepsAnswer: true,
      });
    } catch (e) {
      // A telegram that cannot be built (the spec or profile changed since it was accepted) never will
      // be: nothing was sent, so it fails rather than wait in the queue forever.
      if (!(e instanceof EncodeError || e instanceof UnreachableBankError)) throw e;
      return this.finish(id, 'requested', 'failed', `cannot be encoded: ${e.message}`);
    }
    switch (outcome.status) {
      case 'not-sent':
        if (outcome.cause === 'breaker') throw new NotNowError(outcome.reason, this.d.link.blockedFor?.()?.retryInMs ?? 1_000);
        if (claimed) await ledger.move(id, 'sending', 'requested', `not sent: ${outcome.reason}`, { seqNo: null, sendDate: null, claimToken: null }, { claim });
        else if ((await ledger.get(id))?.state !== 'requested') return; // someone else's now
        throw new Error(`transfer ${id} not sent, will retry: ${outcome.reason}`); // BullMQ retries with backoff
      case 'unknown':
        return this.becomeUnknown({ ...t, state: 'sending' }, outcome.reason);
      case 'answered': {
        // Kept by the state change it brings (keepsAnswer above); kept alone if it cannot be read.
        const answer: KeptTelegram = { transferId: t.id, institution: t.institution, direction: 'in', message: outcome.response.message, seqNo: outcome.request.seqNo, sendDate: outcome.request.sendDate, raw: this.keepable(outcome.responseRaw), at: new Date() };
        let meaning: ResponseMeaning;
        let fee: unknown;
        try {
          meaning = this.d.codes.lookup(t.bankCode, outcome.responseCode);
          fee = this.d.profile.fromWire(t.kind, 'answer', outcome.response.fields)['fee'];
        } catch (e) {
          await ledger.recordTelegram(answer);
          throw e;
        }
        return this.settle(t, 'sending', meaning.outcome, outcome.responseCode, meaning.message, fee instanceof Decimal ? fee : null, 'the bank answered', answer);
      }
    }
  }

  /** Throws {@link NotNowError} while the link takes no traffic (its breaker is open): the job waits. */
  private waitIfBlocked(): void {
    const block = this.d.link.blockedFor?.();
    if (block) throw new NotNowError(block.reason, block.retryInMs);
  }

  /** How long a claim on a transfer may last before it is taken for dead: well past any attempt. */
  private lease(): number {
    return this.d.institution.requestTimeoutMs * 3 + 10_000;
  }

  /** The 'inquire' job: asks the bank what became of an unknown transfer (7000/100). */
  inquire(id: string): Promise<void> {
    return withSpan('transfer.inquire', { institution: this.d.institution.id, transferId: id }, (span) => this.askBank(id, span, false));
  }

  /**
   * An operator's "ask the bank now": one result inquiry, now, also for a transfer the automatic
   * inquiries gave up on (that is when an operator asks). Its answer settles the transfer as any
   * inquiry's would; an answer that settles nothing leaves it with the operator. Resolves once asked.
   * @throws NotNowError (BreakerOpenError) while the bank's link is not taking requests.
   */
  askForOperator(id: string): Promise<void> {
    return withSpan('transfer.inquire', { institution: this.d.institution.id, transferId: id }, (span) => this.askBank(id, span, true));
  }

  private async askBank(id: string, span: Span, byOperator: boolean): Promise<void> {
    const { ledger } = this.d;
    const t = await ledger.get(id);
    if (!t || t.state !== 'unknown' || t.seqNo === null) return;
    // The bound holds whoever queued this job (the previous inquiry or a sweep): past it, an operator decides.
    if (!byOperator && (t.needsOperator || t.inquiries >= this.d.institution.inquiryMaxAttempts)) return;
    // An inquiry that cannot be asked now is not one of its attempts.
    this.waitIfBlocked();
    const inquiries = t.inquiries + 1;
    setFacts(span, { inquiry: inquiries });
    await ledger.patch(id, { inquiries });
    const { profile } = this.d;
    const askedAt = Date.now();
    const outcome = await this.d.link.request(
      profile.message('resultInquiry'),
      profile.toWire('resultInquiry', 'request', { originalSeqNo: t.seqNo, originalSendDate: t.sendDate ?? undefined, withdrawAccount: t.withdrawAccount, depositBankCode: t.depositBankCode, depositAccount: t.depositAccount, amount: t.amount }),
      { beforeSend: (req) => this.keep(t, req) },
    );
    if (outcome.status !== 'answered') return this.askAgain({ ...t, inquiries }, `inquiry not answered: ${outcome.reason}`);

    // An answer whose layout the institution's profile marks unconfirmed is kept, never read: a field
    // read from the wrong offset could say "0000" about a transfer that did not move.
    const unconfirmed = profile.binding('resultInquiry').unconfirmed;
    if (unconfirmed) return this.toOperator({ ...t, inquiries }, `result inquiry #${inquiries} answered ${outcome.responseCode}, but its layout is unconfirmed (${unconfirmed}): an operator reads the kept answer`);
    const answer = profile.fromWire('resultInquiry', 'answer', outcome.response.fields);
    const meaning = readInquiryAnswer(this.d.codes, this.d.codec.spec.session!.successCodes, t.bankCode, outcome.responseCode, String(answer['result'] ?? ''));
    if (typeof meaning === 'string') return this.askAgain({ ...t, inquiries }, `result inquiry #${inquiries}: ${meaning}`);
    const code = meaning.code;
    if (meaning.outcome === 'no-such-transaction') {
      // Policy: the bank may not have recorded it yet when first asked; two "no record" answers, each
      // to an inquiry asked at least one inquiry delay after the transfer went out, settle it as failed.
      // Sooner (the night's inquiry, an operator's) it is no answer yet. Never sent again: the caller decides.
      const sentAt = await ledger.sentAt(id);
      if (sentAt === null || askedAt - sentAt.getTime() < this.d.institution.inquiryDelayMs) {
        return this.askAgain({ ...t, inquiries }, `bank has no record of it (${code}), asked sooner than the inquiry delay after it went out: not counted, asking again later`);
      }
      const noRecord = t.noRecordAnswers + 1;
      if (noRecord < 2) {
        await ledger.patch(id, { noRecordAnswers: noRecord });
        return this.askAgain({ ...t, inquiries }, `bank has no record of it (${code}), asking once more`);
      }
      return this.finish(id, 'unknown', 'failed', `bank has no record of it (${code}), twice: nothing moved`, { responseCode: code, responseMessage: meaning.message, noRecordAnswers: noRecord });
    }
    const fee = answer['fee'];
    return this.settle({ ...t, inquiries }, 'unknown', meaning.outcome, code, meaning.message, fee instanceof Decimal ? fee : null, `result inquiry #${inquiries}`);
  }

  /**
   * Puts every transfer a stopped process (or a failed queueing) left behind back on its way: run at
   * start and then periodically. Unknown transfers get an inquiry (unless an operator must look), the
   * others a send job: `requested` ones are sent, `sending` ones whose claim went stale become unknown.
   */
  async recover(sweep: number, minAgeMs: number): Promise<number> {
    const rows = await this.d.ledger.unsettled(this.d.institution.id, minAgeMs, this.kind);
    const held = this.switchState().state !== 'on';
    for (const t of rows) {
      if (t.state === 'unknown') {
        if (!t.needsOperator) await this.d.queue.inquire(t.id, t.inquiries + 1, 0);
      } else if (!(held && t.state === 'requested')) await this.d.queue.send(t.id, `sweep${sweep}`);
    }
    return rows.length;
  }

  /**
   * Sends what waited while the switch was on hold or off, oldest first, once it is on again. Every
   * process that sees the switch return runs this with the same `tag`, so each transfer is queued once.
   */
  async release(tag: string): Promise<number> {
    if (this.switchState().state !== 'on') return 0;
    const held = (await this.d.ledger.unsettled(this.d.institution.id, 0, this.kind)).filter((t) => t.state === 'requested').sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    for (const t of held) await this.d.queue.send(t.id, tag);
    return held.length;
  }

  private get kind(): TransferKind {
    return this.d.kind ?? 'transfer';
  }

  private switchState() {
    return this.d.switches?.state(this.d.institution.id, this.kind === 'collection' ? 'collections' : 'transfers') ?? { state: 'on' as const, decidedBy: null };
  }

  /** The telegram a transfer (2000/100, 당행 or 타행) or a collection (2000/200) goes out as. */
  private telegramOf(t: TransferRow): { message: string; fields: Record<string, FieldInput> } {
    const { profile } = this.d;
    const { withdrawAccount, depositBankCode, depositAccount, amount, recipientName } = t;
    const memo = t.memo.startsWith(SEALED) && this.d.memoSeal ? this.d.memoSeal.open(t.memo.slice(SEALED.length)) : t.memo;
    if (t.kind === 'collection') {
      return { message: profile.message('collection'), fields: profile.toWire('collection', 'request', { withdrawAccount, depositBankCode, depositAccount, amount, memo, payerNo: t.payerNumber ?? '' }) };
    }
    const canonical = { withdrawAccount, depositBankCode, depositAccount, amount, memo, recipientName, ...(this.d.accountPassword ? { accountPassword: this.d.accountPassword } : {}) };
    return { message: profile.message('transfer', { receiving: depositBankCode, contracted: t.bankCode }), fields: profile.toWire('transfer', 'request', canonical) };
  }

  private keepable(raw: Buffer): Buffer {
    return this.d.keepable ? this.d.keepable(raw) : this.d.codec.redactSecrets(raw);
  }

  /** beforeSend of an inquiry: its telegram is committed before it is written. */
  private keep(t: TransferRow, req: SentTelegram): Promise<void> {
    return this.d.ledger.recordTelegram({ transferId: t.id, institution: t.institution, direction: 'out', message: req.message, seqNo: req.seqNo, sendDate: req.sendDate, raw: this.keepable(req.raw), at: new Date() });
  }

  /** Settles what an answer says; `answer`, when given, is kept with the change (see MoveExtras). */
  private async settle(t: TransferRow, from: 'sending' | 'unknown', outcome: Outcome, code: string, message: string, fee: Decimal | null, why: string, answer?: KeptTelegram): Promise<void> {
    const patch = { responseCode: code, responseMessage: message, ...(fee ? { fee } : {}) };
    if (outcome === 'success') return this.finish(t.id, from, 'succeeded', `${why}: ${code} ${message}`, patch, answer);
    // Refused for what it is, or not taken as sent (this code answers the transfer itself): nothing moved.
    if (outcome === 'rejected' || outcome === 'request-error') return this.finish(t.id, from, 'failed', `${why}: ${code} ${message} (${outcome})`, patch, answer);
    // processing, unknown, or a "no record" answer to the transfer itself: only an inquiry can tell.
    if (from === 'sending') return this.becomeUnknown(t, `${why}: ${code} ${message} (${outcome})`, patch, answer);
    return this.askAgain(t, `${why}: ${code} ${message} (${outcome})`);
  }

  /** A final state change, and word to whoever waits on the transfer in this process. */
  private async finish(id: string, from: TransferState, to: TransferState, reason: string, patch: TransferPatch = {}, answer?: KeptTelegram): Promise<void> {
    // Settled, it is no operator's to look at any more (an operator's own inquiry may have settled it).
    const done = await this.d.ledger.move(id, from, to, reason, { ...patch, needsOperator: false }, answer ? { answer } : {});
    if (done) this.d.settled?.(done);
  }

  private async becomeUnknown(t: TransferRow, reason: string, patch = {}, answer?: KeptTelegram): Promise<void> {
    const unknown = await this.d.ledger.move(t.id, 'sending', 'unknown', reason, patch, answer ? { answer } : {});
    if (!unknown) return;
    this.d.settled?.(unknown);
    this.d.logger.warn('transfer.unknown', { transferId: t.id, reason });
    await this.d.queue.inquire(t.id, 1, this.d.institution.inquiryDelayMs);
  }

  private async askAgain(t: TransferRow, reason: string): Promise<void> {
    if (t.inquiries >= this.d.institution.inquiryMaxAttempts) return this.toOperator(t, reason);
    await this.d.queue.inquire(t.id, t.inquiries + 1, this.d.institution.inquiryDelayMs);
  }

  /** Flags an unknown transfer for an operator: nothing else will ask about it or settle it. */
  private async toOperator(t: TransferRow, reason: string): Promise<void> {
    await this.d.ledger.patch(t.id, { needsOperator: true });
    this.d.logger.error('transfer.needs-operator', { transferId: t.id, inquiries: t.inquiries, reason });
  }
}
