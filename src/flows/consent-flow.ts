import { randomUUID } from 'node:crypto';
import { toJsonFields } from '../codec/json-view.js';
import { maskText } from '../codec/mask.js';
import type { TelegramCodec } from '../codec/telegram-codec.js';
import type { DecodedTelegram, FieldInput } from '../codec/values.js';
import type { ResponseCodeTable } from '../codes/response-codes.js';
import { bankName } from '../domain/bank-code.js';
import { ARS_CONSENT_TYPE, type Consent, type ConsentArsOutcome } from '../domain/consent.js';
import { maskPhoneNumber } from '../domain/phone.js';
import type { InstitutionProfile } from '../institution/profile.js';
import { kst, type Clock } from '../link/clock.js';
import type { SentTelegram } from '../link/exchange.js';
import type { Logger } from '../log/logger.js';
import type { ArsCallResult, ArsProvider, EvidenceStore } from './ars-port.js';
import { evidenceKeys, evidenceRecordBytes, recordingType, EVIDENCE_RECORD_FORMAT, type EvidenceRecord } from './consent-evidence.js';
import { consentRequestHash, validateConsent, type ConsentInput } from './consent-input.js';
import type { CollectionsInFlight, ConsentJobs, ConsentPatch, ConsentStore, ConsentTelegram } from './consent-ports.js';
import { retainUntil, type ConsentSettings } from './consent-settings.js';
import { ConsentStateError } from './consent-state-error.js';
import type { InstitutionSettings } from './institution-settings.js';
import { NotNowError } from './not-now-error.js';
import type { Requester } from './ports.js';
import { readRegistrationAnswer, type RegistrationReading } from './registration-answer.js';

export interface ConsentFlowDeps {
  readonly institution: InstitutionSettings;
  /** How the institution's telegrams carry `payerRegistration` (2000/550) and `payerCancelNotice` (2000/650). */
  readonly profile: InstitutionProfile;
  readonly codec: TelegramCodec;
  readonly link: Requester;
  readonly codes: ResponseCodeTable;
  readonly store: ConsentStore;
  readonly jobs: ConsentJobs;
  readonly ars: ArsProvider;
  readonly evidence: EvidenceStore;
  /** Collections of a consent still being sent: a cancellation waits for them (the collections flow's port). */
  readonly collections: CollectionsInFlight;
  readonly settings: ConsentSettings;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** What a 2000/550 is sent for. */
type Step = { readonly action: '1'; readonly from: 'consented' | 'registering'; readonly to: 'registering' } | { readonly action: '2'; readonly from: 'withdrawing'; readonly to: 'withdrawing' };

/**
 * ARS 출금동의 and the registration of the payer at the bank, from a service's request to the bank's word.
 *
 * The consent is persisted (`calling`) before anything happens; the ARS call is placed by a job (retried
 * while the provider is down: the provider starts one call per consent however often it is asked); its
 * result comes by the provider's signed callback or, if that is lost, by polling, and a result changes the
 * consent only while it is `calling` (a duplicate changes nothing). A confirmation is kept as evidence (the
 * recording and a record of what was consented, in the evidence store, their SHA-256 on the consent) before
 * the consent becomes `consented`; then the payer's account is registered at the bank (2000/550 신규), whose
 * answer makes it `registered` or `refused`.
 *
 * Every 2000/550 is kept, with the claim that makes it the only one in flight for its consent, before a
 * byte is written. An answer that never comes is asked again by sending the same registration again — which
 * a transfer must never be: a transfer sent twice moves money twice, whereas a registration is a state at
 * the bank keyed by the payer number; the bank answers a repeat for the same account "registered" (or a
 * refusal meaning "already registered", read as such), and no money moves by it either way.
 *
 * A withdrawal takes effect on our side first: the consent leaves `registered` in one statement, and the
 * collections flow claims a collection only while its consent is `registered`, so none is sent after it.
 * The cancellation (2000/550 해지) follows once no collection of the consent is in flight. Before anything
 * reached the bank, a withdrawal simply ends the consent. The bank's own cancellation (2000/650) ends it
 * too, persisted before the link acknowledges the notice.
 */
export class ConsentFlow {
  constructor(private readonly d: ConsentFlowDeps) {}

  /**
   * Validates and persists a consent request and queues its ARS call. The same (service, requestId) with the
   * same body returns the stored consent; another body is a ConsentRequestConflictError; a payer number
   * with a live consent is a PayerNumberTakenError.
   *
   * @throws ValidationError naming the field; nothing is written then.
   */
  async start(service: string, input: ConsentInput): Promise<{ consent: Consent; created: boolean }> {
    const { institution: inst, profile, codec } = this.d;
    const { phone } = validateConsent(input, inst.bankCode, profile, codec);
    const result = await this.d.store.create({
      service,
      requestId: input.requestId,
      requestHash: consentRequestHash(inst.id, input),
      institution: inst.id,
      payerNumber: input.payerNumber,
      bankCode: input.bankCode,
      account: input.account,
      holderIdNo: input.holderIdNo,
      phone,
      phoneMasked: maskPhoneNumber(phone),
    });
    // Queued after it is committed. If Redis fails here, the sweep queues it (see recover).
    const c = result.consent;
    if (c.state === 'calling' && c.callId === null) await this.d.jobs.add('call', c.id, 'first');
    this.d.logger.info('consent.accepted', { consentId: c.id, created: result.created, state: c.state, payerNo: c.payerNumber });
    return result;
  }

  /**
   * The payer (through the service) withdraws the consent. From `registered` it becomes `withdrawing` in
   * one statement (no collection is sent after it) and the cancellation is queued; before anything reached
   * the bank (`calling`, `consented`) it is `withdrawn` at once, without a telegram (an ARS call still
   * ringing is left to end: its result no longer changes anything); while the registration is on its way,
   * the wish is kept and applied the moment the bank answers. Asking again changes nothing.
   *
   * @throws ConsentStateError (409) for a consent that ended otherwise (declined, refused, cancelled at the bank).
   */
  async withdraw(id: string): Promise<Consent> {
    const { store } = this.d;
    // A few rounds at most: each failed conditional change means the consent just moved (its call ended,
    // its registration was answered), and the next round sees where to.
    for (let round = 0; round < 5; round++) {
      const c = await store.get(id);
      if (!c) throw new Error(`consent ${id} vanished`);
      const now = this.d.clock();
      switch (c.state) {
        case 'calling':
        case 'consented': {
          const done = await store.move(id, c.state, 'withdrawn', `withdrawn by ${c.service} before anything reached the bank`, { withdrawRequestedAt: now, ...this.ended(now) });
          if (done) return this.withdrawn(done);
          break;
        }
        case 'registering':
          if (await store.requestWithdrawal(id, now)) {
            this.d.logger.info('consent.withdraw-pending', { consentId: id, note: 'applied when the registration is answered' });
            return (await store.get(id))!;
          }
          break;
        case 'registered': {
          const moved = await store.move(id, 'registered', 'withdrawing', `withdrawn by ${c.service}: no collection from here on`, { withdrawRequestedAt: now, bankAttempts: 0 });
          if (moved) {
            await this.d.jobs.add('cancel', id, 'first');
            return this.withdrawn(moved);
          }
          break;
        }
        case 'withdrawing':
          // Asked again: the cancellation may have lost its job (Redis); queueing it once more is harmless.
          await this.d.jobs.add('cancel', id, 'first');
          return c;
        case 'withdrawn':
          return c;
        default:
          throw new ConsentStateError(id, c.state, 'there is nothing left to withdraw');
      }
    }
    throw new Error(`consent ${id} kept changing while being withdrawn`);
  }

  // ---- the ARS call ------------------------------------------------------------------------------

  /** The `call` job: asks the provider to call the payer (again: the provider makes one call per consent). */
  async placeCall(id: string): Promise<void> {
    const c = await this.mine(id);
    if (!c || c.state !== 'calling') return;
    if (c.callId !== null) return this.d.jobs.add('poll', id, this.pollTag(c), this.d.settings.pollMs);
    if (this.calledTooLong(c)) {
      await this.decline(c, 'failed', `the ARS provider could not be reached within ${Math.round(this.d.settings.callTimeoutMs / 1_000)} s: no call was made`);
      return;
    }
    const secrets = await this.d.store.secrets(id);
    if (!secrets) return;
    // ArsUnavailableError (and ArsProviderError) propagate: the job is retried with backoff.
    const { callId } = await this.d.ars.startCall({
      consentId: id,
      phone: secrets.phone,
      script: { company: this.d.settings.companyName, bankName: bankName(c.bankCode) ?? c.bankCode, accountMasked: maskText('account', c.account), payerNumber: c.payerNumber },
      ...(this.d.settings.callbackUrl ? { callbackUrl: this.d.settings.callbackUrl } : {}),
    });
    if (!(await this.d.store.patch(id, 'calling', { callId }))) return;
    this.d.logger.info('consent.calling', { consentId: id, callId });
    await this.d.jobs.add('poll', id, this.pollTag(c), this.d.settings.pollMs);
  }

  /** The `poll` job: what became of the call, in case its callback was lost. */
  async poll(id: string): Promise<void> {
    const c = await this.mine(id);
    if (!c || c.state !== 'calling' || c.callId === null) return;
    const result = await this.d.ars.result(c.callId);
    if (result) return this.callResult(result);
    if (this.calledTooLong(c)) return this.decline(c, 'expired', `no result from the ARS provider within ${Math.round(this.d.settings.callTimeoutMs / 1_000)} s: no consent is assumed`);
    // Touched, so that the sweep sees the chain of polls alive and adds none of its own.
    await this.d.store.patch(id, 'calling', {});
    await this.d.jobs.add('poll', id, this.pollTag(c), this.d.settings.pollMs);
  }

  /**
   * A call's result, from the provider's callback (verified) or a poll. Changes the consent only while it
   * is `calling` and only for its own call: a duplicate, or a result for a consent withdrawn meanwhile,
   * changes nothing. A confirmation is kept as evidence before the consent becomes `consented`; if keeping
   * it fails, this throws and the consent stays `calling` (the callback is answered 5xx, the poll retried).
   */
  async callResult(r: ArsCallResult): Promise<void> {
    const c = await this.d.store.get(r.consentId);
    if (!c) {
      this.d.logger.warn('consent.ars-result-unmatched', { consentId: r.consentId, callId: r.callId });
      return;
    }
    if (c.callId !== null && c.callId !== r.callId) {
      this.d.logger.error('consent.ars-result-other-call', { consentId: c.id, callId: r.callId, expected: c.callId });
      return;
    }
    if (c.state !== 'calling') return;
    if (r.outcome !== 'confirmed') return this.decline(c, r.outcome, `the ARS call ended ${r.outcome}: no consent`, r.callId);
    if (!r.recordingId) return this.decline(c, 'failed', 'the payer confirmed, but the provider has no recording of it: without evidence there is no consent', r.callId);
    const evidence = await this.keepEvidence(c, r, r.recordingId);
    if (!evidence) return;
    const moved = await this.d.store.move(c.id, 'calling', 'consented', 'the payer confirmed by ARS; evidence kept', evidence);
    if (!moved) return;
    this.d.logger.info('consent.consented', { consentId: c.id, callId: r.callId, recordingId: r.recordingId, recordingSha256: evidence.recordingSha256 });
    await this.d.jobs.add('register', c.id, 'first');
  }

  /** The recording and the evidence record, in the evidence store; what the consent row keeps of them. */
  private async keepEvidence(c: Consent, r: ArsCallResult, recordingId: string): Promise<ConsentPatch | null> {
    const secrets = await this.d.store.secrets(c.id);
    if (!secrets) return null;
    const bytes = await this.d.ars.recording(recordingId);
    const keys = evidenceKeys(c.id, bytes);
    const recording = await this.d.evidence.put(keys.recording, bytes);
    const record: EvidenceRecord = {
      format: EVIDENCE_RECORD_FORMAT,
      consentId: c.id,
      service: c.service,
      institution: c.institution,
      companyId: this.d.institution.companyId,
      payerNumber: c.payerNumber,
      bankCode: c.bankCode,
      account: c.account,
      phone: secrets.phone,
      consentType: ARS_CONSENT_TYPE,
      confirmedAt: r.completedAt.toISOString(),
      ars: { callId: r.callId, recordingId, outcome: 'confirmed' },
      recording: { location: recording.location, sha256: recording.sha256, bytes: bytes.length, contentType: recordingType(bytes).contentType },
      script: { company: this.d.settings.companyName, bankName: bankName(c.bankCode) ?? c.bankCode, accountMasked: maskText('account', c.account), payerNumber: c.payerNumber },
    };
    const kept = await this.d.evidence.put(keys.record, evidenceRecordBytes(record));
    return {
      callId: r.callId,
      arsOutcome: 'confirmed',
      recordingId,
      recordingSha256: recording.sha256,
      recordingLocation: recording.location,
      recordLocation: kept.location,
      recordSha256: kept.sha256,
      confirmedAt: r.completedAt,
      consentType: ARS_CONSENT_TYPE,
    };
  }

  private async decline(c: Consent, outcome: ConsentArsOutcome, reason: string, callId?: string): Promise<void> {
    const moved = await this.d.store.move(c.id, 'calling', 'declined', reason, { arsOutcome: outcome, ...(callId ? { callId } : {}), ...this.ended(this.d.clock()) });
    if (moved) this.d.logger.info('consent.declined', { consentId: c.id, outcome, reason });
  }

  /** A consent `calling` for longer than the call may take. */
  private calledTooLong(c: Consent): boolean {
    return this.d.clock().getTime() - c.createdAt.getTime() >= this.d.settings.callTimeoutMs;
  }

  /** The tag of the next poll: one per poll period since the consent began, so that chains of polls merge. */
  private pollTag(c: Consent): string {
    return `p${Math.floor((this.d.clock().getTime() - c.createdAt.getTime()) / this.d.settings.pollMs) + 1}`;
  }

  // ---- the bank: registration and cancellation (2000/550) ---------------------------------------

  /** The `register` job: 2000/550 신규, first time or again after an answer that never came. */
  async register(id: string): Promise<void> {
    const c = await this.mine(id);
    if (!c || (c.state !== 'consented' && c.state !== 'registering')) return;
    return this.toBank(c, { action: '1', from: c.state, to: 'registering' });
  }

  /** The `cancel` job: 2000/550 해지, once no collection of the consent is in flight. */
  async cancel(id: string): Promise<void> {
    const c = await this.mine(id);
    if (!c || c.state !== 'withdrawing') return;
    const inFlight = await this.d.collections.collectionsInFlight(id);
    if (inFlight > 0) throw new NotNowError(`${inFlight} collection(s) of consent ${id} still being sent: the cancellation goes after their answers`, this.d.settings.collectionWaitMs);
    return this.toBank(c, { action: '2', from: 'withdrawing', to: 'withdrawing' });
  }

  private async toBank(c: Consent, step: Step): Promise<void> {
    const { store, profile, settings } = this.d;
    const what = step.action === '1' ? 'registration' : 'cancellation';
    if (c.needsOperator) return;
    if (c.bankAttempts >= settings.bankMaxAttempts) return this.toOperator(c, `${c.bankAttempts} ${what} telegrams without an answer`);
    this.waitIfBlocked();
    const secrets = await store.secrets(c.id);
    if (!secrets) return;
    const claim = randomUUID();
    const applicationDate = kst(this.d.clock()).date;
    let claimed = false;
    const canonical: Record<string, FieldInput> = {
      bankCode: c.bankCode,
      account: c.account,
      action: step.action,
      applicationDate,
      checkIdNo: 'Y',
      idNo: secrets.holderIdNo,
      payerNo: c.payerNumber,
      consentType: ARS_CONSENT_TYPE,
      ...(settings.orgCode ? { orgCode: settings.orgCode } : {}),
    };
    const attempt = c.bankAttempts + 1;
    const outcome = await this.d.link.request(profile.message('payerRegistration'), profile.toWire('payerRegistration', 'request', canonical), {
      beforeSend: async (req) => {
        const reason = `${what} #${attempt} kept before sending (${req.sendDate} #${req.seqNo})`;
        if (!(await store.claimAndKeep(c.id, step.from, step.to, claim, this.staleBefore(), this.kept(req), reason))) throw new Error('another worker has it, or it moved');
        claimed = true;
      },
    });
    switch (outcome.status) {
      case 'not-sent':
        if (outcome.cause === 'breaker') throw new NotNowError(outcome.reason, this.d.link.blockedFor?.()?.retryInMs ?? 1_000);
        if (!claimed) {
          // Someone else holds it (or it moved): theirs to finish. Anything else is worth a retry.
          if (outcome.cause === 'before-send') return;
          throw new Error(`${what} of consent ${c.id} not sent, will retry: ${outcome.reason}`);
        }
        await store.release(c.id, claim);
        throw new Error(`${what} of consent ${c.id} not sent, will retry: ${outcome.reason}`); // the queue retries with backoff
      case 'unknown':
        return this.askAgain(c, claim, attempt, `${what} #${attempt} not answered: ${outcome.reason}`);
      case 'answered': {
        const answer = profile.fromWire('payerRegistration', 'answer', outcome.response.fields);
        const reading = readRegistrationAnswer(this.d.codes, this.d.codec.spec.session!.successCodes, c.bankCode, outcome.responseCode, answer, step.action === '1' && attempt > 1);
        return step.action === '1' ? this.registrationAnswered(c, claim, attempt, applicationDate, reading) : this.cancellationAnswered(c, claim, attempt, applicationDate, reading);
      }
    }
  }

  private async registrationAnswered(c: Consent, claim: string, attempt: number, applicationDate: string, r: RegistrationReading): Promise<void> {
    const { store } = this.d;
    const said = { responseCode: r.code, responseMessage: r.message.slice(0, 200), applicationDate };
    if (r.kind === 'unknown') return this.askAgain(c, claim, attempt, `registration #${attempt} answered ${r.code} ${r.message}: no word on it`);
    if (r.kind === 'no') {
      const refused = await store.move(c.id, 'registering', 'refused', `the bank refused the registration: ${r.code} ${r.message}`, { ...said, ...this.ended(this.d.clock()) }, claim);
      if (refused) this.d.logger.warn('consent.refused', { consentId: c.id, responseCode: r.code, reason: r.message });
      return;
    }
    const settled = await store.settleRegistration(c.id, claim, `the bank registered the payer: ${r.code} ${r.message}`, { ...said, registeredAt: this.d.clock() });
    if (!settled) return;
    this.d.logger.info('consent.registered', { consentId: c.id, state: settled.state, payerNo: c.payerNumber });
    // The payer withdrew while the registration was on its way: it is cancelled right away.
    if (settled.state === 'withdrawing') await this.d.jobs.add('cancel', c.id, 'first');
  }

  /**
   * Any word from the bank on a cancellation ends the consent `withdrawn`. "Done" is the plain case; a
   * refusal too, because the withdrawal took effect on our side when the consent left `registered` (no
   * collection is ever sent for it again), and what the bank refuses — "not registered", "already
   * cancelled", "account mismatch" — leaves nothing for a repeat of the same telegram to change: for "not
   * registered", there is nothing to cancel. A refusal is logged for an operator all the same, as the
   * bank's register may still name the payer number.
   */
  private async cancellationAnswered(c: Consent, claim: string, attempt: number, applicationDate: string, r: RegistrationReading): Promise<void> {
    if (r.kind === 'unknown') return this.askAgain(c, claim, attempt, `cancellation #${attempt} answered ${r.code} ${r.message}: no word on it`);
    const why = r.kind === 'yes' ? `the bank cancelled the registration: ${r.code} ${r.message}` : `the bank refused the cancellation (${r.code} ${r.message}); withdrawn on our side all the same`;
    const done = await this.d.store.move(c.id, 'withdrawing', 'withdrawn', why, { responseCode: r.code, responseMessage: r.message.slice(0, 200), applicationDate, ...this.ended(this.d.clock()) }, claim);
    if (!done) return;
    if (r.kind === 'no') this.d.logger.warn('consent.cancel-refused', { consentId: c.id, responseCode: r.code, reason: r.message, note: "withdrawn on our side; the bank's register may still name the payer number" });
    else this.d.logger.info('consent.withdrawn', { consentId: c.id });
  }

  /** The answer never came: let go of the claim and send the same telegram again later (see the class comment). */
  private async askAgain(c: Consent, claim: string, attempt: number, reason: string): Promise<void> {
    await this.d.store.release(c.id, claim);
    this.d.logger.warn('consent.bank-unknown', { consentId: c.id, attempt, reason });
    if (attempt >= this.d.settings.bankMaxAttempts) return this.toOperator(c, reason);
    await this.d.jobs.add(c.state === 'withdrawing' ? 'cancel' : 'register', c.id, `a${attempt + 1}`, this.d.settings.bankRetryMs);
  }

  /** Flags a consent for an operator: nothing sends its telegram again. No collection goes meanwhile. */
  private async toOperator(c: Consent, reason: string): Promise<void> {
    await this.d.store.patch(c.id, c.state === 'consented' ? 'registering' : c.state, { needsOperator: true });
    this.d.logger.error('consent.needs-operator', { consentId: c.id, state: c.state, attempts: c.bankAttempts, reason });
  }

  /** beforeSend: the telegram as it is kept (its secrets overwritten). */
  private kept(req: SentTelegram): ConsentTelegram {
    return { institution: this.d.institution.id, message: req.message, seqNo: req.seqNo, sendDate: req.sendDate, raw: this.d.codec.redactSecrets(req.raw), at: new Date() };
  }

  /** A claim older than any attempt can last is taken for dead (its worker is gone). */
  private staleBefore(): Date {
    return new Date(this.d.clock().getTime() - (this.d.institution.requestTimeoutMs * 3 + 10_000));
  }

  /** Throws {@link NotNowError} while the link takes no traffic (its breaker is open): the job waits. */
  private waitIfBlocked(): void {
    const block = this.d.link.blockedFor?.();
    if (block) throw new NotNowError(block.reason, block.retryInMs);
  }

  // ---- the bank's cancellation (2000/650) -------------------------------------------------------

  /**
   * A 2000/650 from the bank (the payer went to the bank): kept, and the payer number's live consent ended
   * `cancelled-at-bank`, in one transaction, before this resolves — the link acknowledges only then. A
   * notice naming no consent of ours is kept all the same and acknowledged (the bank resending it forever
   * would tell us nothing more), and logged as an error for an operator. A 신청구분 "1" (a registration at
   * a 국민 counter) changes nothing here: it is kept for an operator, as its consent evidence is the bank's.
   */
  readonly payerCancelled = async (notice: DecodedTelegram, raw: Buffer): Promise<void> => {
    const { profile, codec, institution: inst } = this.d;
    const session = codec.spec.session!;
    const f = notice.fields;
    const c = profile.fromWire('payerCancelNotice', 'request', f);
    const payerNumber = String(c['payerNo'] ?? '').trim();
    const registration = String(c['action'] ?? '').trim() === '1';
    const kept = codec.redactSecrets(raw);
    const now = this.d.clock();
    const result = await this.d.store.recordCancelNotice(
      {
        institution: inst.id,
        bankCode: profile.bankCodes.fromWire(String(f[session.bankCode])),
        companyId: String(f[session.companyId]),
        message: notice.message,
        sendDate: String(f[session.sendDate]),
        seqNo: String(f[session.seqNo]),
        payerNumber,
        cancels: !registration,
        fields: JSON.stringify(toJsonFields(codec.message(notice.message), kept === raw ? f : codec.decode(kept).fields)),
        raw: kept,
      },
      'the payer cancelled at the bank (2000/650)',
      this.ended(now),
    );
    const facts = { payerNo: payerNumber, sendDate: String(f[session.sendDate]), seqNo: String(f[session.seqNo]), fresh: result.fresh };
    if (registration) this.d.logger.warn('consent.bank-registration-notice', { ...facts, note: 'a registration made at the bank: kept for an operator, nothing changed' });
    else if (!result.consent) this.d.logger.error('consent.cancel-notice-unmatched', { ...facts, note: 'kept and acknowledged; no live consent has this payer number' });
    else {
      if (String(c['account'] ?? '').trim() !== result.consent.account) this.d.logger.warn('consent.cancel-notice-account', { ...facts, consentId: result.consent.id, note: 'the notice names another account than the consent; cancelled all the same' });
      this.d.logger.info('consent.cancelled-at-bank', { ...facts, consentId: result.consent.id });
    }
  };

  // ---- recovery ---------------------------------------------------------------------------------

  /**
   * Puts every consent a stopped process (or a lost job) left behind back on its way: run at start and
   * then periodically. Each gets the job its state needs; the jobs decide from the state again when they run.
   */
  async recover(sweep: number, minAgeMs: number): Promise<number> {
    const rows = await this.d.store.unsettled(this.d.institution.id, minAgeMs);
    const tag = `sweep${sweep}`;
    for (const c of rows) {
      if (c.needsOperator) continue;
      switch (c.state) {
        case 'calling':
          // A chain of polls touches the consent each time: one unchanged this long has lost its chain.
          if (c.callId === null) await this.d.jobs.add('call', c.id, tag);
          else if (this.d.clock().getTime() - c.updatedAt.getTime() >= 3 * this.d.settings.pollMs) await this.d.jobs.add('poll', c.id, tag);
          break;
        case 'consented':
        case 'registering':
          await this.d.jobs.add('register', c.id, tag);
          break;
        case 'withdrawing':
          await this.d.jobs.add('cancel', c.id, tag);
          break;
        default:
          break;
      }
    }
    return rows.length;
  }

  // ---- helpers ----------------------------------------------------------------------------------

  /** A consent of this flow's institution (another's jobs are not ours to run), or null. */
  private async mine(id: string): Promise<Consent | null> {
    const c = await this.d.store.get(id);
    if (c && c.institution !== this.d.institution.id) {
      this.d.logger.error('consent.wrong-institution', { consentId: id, institution: c.institution, flow: this.d.institution.id });
      return null;
    }
    return c;
  }

  /** What a final state change sets: when it ended, and until when it is kept. */
  private ended(now: Date): ConsentPatch {
    return { endedAt: now, retainUntil: retainUntil(now, this.d.settings.retentionYears) };
  }

  /** A withdrawal that took effect (withdrawn, or withdrawing), logged. */
  private withdrawn(c: Consent): Consent {
    this.d.logger.info('consent.withdraw', { consentId: c.id, state: c.state });
    return c;
  }
}
