import { randomUUID } from 'node:crypto';
import { maskText } from '../codec/mask.js';
import type { TransferState } from '../domain/transfer-state.js';
import { accountProblem } from '../domain/account.js';
import { bankCodeProblem } from '../domain/bank-code.js';
import { systemClock, type Clock } from '../link/clock.js';
import type { Logger } from '../log/logger.js';
import { OneWonCodes } from './one-won-code.js';
import { OneWonConflictError } from './one-won-conflict-error.js';
import { OneWonLimitError } from './one-won-limit-error.js';
import { memoOf, typedCode } from './one-won-memo.js';
import { OneWonNotFoundError } from './one-won-not-found-error.js';
import { oneWonTransferRequestId, type HolderNameCheck, type OneWonFailure, type OneWonStore, type OneWonVerification, type TransferCheck, type TransferStarter } from './one-won-ports.js';
import { oneWonSettings, type OneWonSettings } from './one-won-settings.js';
import { OneWonSettingsError } from './one-won-settings-error.js';
import { OneWonUnavailableError } from './one-won-unavailable-error.js';
import { loadOneWonWords } from './one-won-words.js';
import type { ServiceIdentity } from './transfer-flow.js';
import { ValidationError } from './validation-error.js';

/** A one-won verification as a service asks for it. */
export interface OneWonStartInput {
  /** The caller's id for this verification: the same id with the same body returns the same verification. */
  readonly requestId: string;
  readonly bankCode: string;
  readonly account: string;
  /** The holder's name, when known: checked with the bank first (name inquiry) if the settings say so. */
  readonly holderName?: string;
}

/**
 * Where a verification stands, as callers see it:
 * - `pending`: its 1 won's outcome is not known yet (requested, sending, or unknown and being inquired);
 * - `awaiting-code`: the 1 won arrived; the code is awaited;
 * - `verified`, `locked`, `expired`, `failed`: final.
 */
export type OneWonState = 'pending' | 'awaiting-code' | 'verified' | 'expired' | 'locked' | 'failed';

/** What a confirm answers: `mismatch` is a wrong code with attempts left. */
export type OneWonResult = 'verified' | 'mismatch' | 'expired' | 'locked' | 'pending' | 'failed';

/** A verification as its service may see it: never the code, the account masked. */
export interface OneWonStatus {
  readonly id: string;
  readonly requestId: string;
  readonly state: OneWonState;
  readonly bankCode: string;
  readonly account: string;
  readonly expiresAt: Date;
  readonly attemptsLeft: number;
  /** Why it failed: the bank's code and reason, or ours. */
  readonly failure: OneWonFailure | null;
  readonly createdAt: Date;
}

export interface OneWonConfirmation {
  readonly id: string;
  readonly result: OneWonResult;
  readonly attemptsLeft: number;
  readonly expiresAt: Date;
  readonly failure: OneWonFailure | null;
}

export interface OneWonFlowDeps {
  /** Checked and completed with defaults by {@link oneWonSettings}. */
  readonly settings: Partial<OneWonSettings> & Pick<OneWonSettings, 'secret'>;
  readonly store: OneWonStore;
  readonly transfers: TransferStarter;
  /** The transfer flow's own checks, run before anything is kept. */
  readonly check: TransferCheck;
  /** The name inquiry; without it, holder names are passed on to the transfer but not checked first. */
  readonly names?: HolderNameCheck;
  /** Code words; the shipped list when not given (and codeKind is `word`). */
  readonly words?: readonly string[];
  readonly clock?: Clock;
  readonly logger: Logger;
}

const HOLDER_NAME_CHARS = 30;

/**
 * 1원 인증: proves that a user holds an account by sending it 1 won with a short code in the memo, which
 * the user types back.
 *
 * Money safety: the 1 won is a transfer like any other, asked of the transfer flow under a request id
 * derived from the verification, so it is sent once, and an unknown outcome is settled by inquiry, never
 * by sending again. The verification reads its transfer through: `pending` while the transfer's outcome
 * is not known, `failed` when it failed, and codes are compared only once it succeeded. `verified` takes
 * the right code, a succeeded transfer, attempts left and the validity not passed — all four in the one
 * conditional write that records it. Only a keyed hash of the code is kept; no log line, error or answer
 * carries the code.
 *
 * Once final, a verification answers every confirm with its final state and counts nothing: a confirm
 * repeated after `verified` (a lost answer) is `verified` again, with any code — the account was proven,
 * and a typo after the fact does not unprove it.
 */
export class OneWonFlow {
  private readonly settings: OneWonSettings;
  private readonly codes: OneWonCodes;
  private readonly clock: Clock;

  constructor(private readonly d: OneWonFlowDeps) {
    this.settings = oneWonSettings(d.settings);
    this.codes = new OneWonCodes(this.settings.secret, this.settings.codeKind === 'word' ? (d.words ?? loadOneWonWords()) : []);
    this.clock = d.clock ?? systemClock;
  }

  /**
   * Throws a {@link OneWonSettingsError} when the longest memo these settings can make does not fit a
   * transfer to `bankCode` (the institution's own bank, checked at start).
   */
  assertMemoFits(bankCode: string): void {
    const longest = this.settings.codeKind === 'digits' ? '0000' : [...(this.d.words ?? loadOneWonWords())].sort((a, b) => b.length - a.length)[0]!;
    this.checkTransfer({ bankCode, account: '1000000000', memo: memoOf(this.settings.memoPrefix, longest, this.settings.fullWidth) });
  }

  /**
   * Starts a verification: limits taken and the verification kept (one transaction), the holder's name
   * asked first when given and the settings say so, then its 1 won handed to the transfer flow.
   *
   * @throws ValidationError naming the field; OneWonLimitError (a limit refused it: nothing kept);
   *   OneWonConflictError (the request id was used for another account); OneWonUnavailableError, or the
   *   transfer flow's refusal (bank closed, switched off …), when it could not go ahead: nothing kept.
   */
  async start(caller: ServiceIdentity, input: OneWonStartInput): Promise<{ verification: OneWonStatus; created: boolean }> {
    const { bankCode, account, requestId } = input;
    const holderName = checkStart(input);
    const s = this.settings;
    const id = randomUUID();
    const code = this.codes.generate(s.codeKind);
    const memo = memoOf(s.memoPrefix, code, s.fullWidth);
    // Everything the transfer flow would refuse is refused now, before anything is kept or counted.
    this.checkTransfer({ bankCode, account, memo, ...(holderName ? { recipientName: holderName } : {}) });

    const now = this.clock();
    const requestHash = this.codes.requestHashOf(bankCode, account, holderName);
    const opening = await this.d.store.open(
      {
        id,
        service: caller.service,
        requestId,
        requestHash,
        bankCode,
        accountKey: this.codes.accountKeyOf(bankCode, account),
        accountMasked: maskText('account', account),
        codeKind: s.codeKind,
        codeHash: this.codes.hashCode(id, code),
        maxAttempts: s.maxAttempts,
        createdAt: now,
        expiresAt: new Date(now.getTime() + s.validityMs),
      },
      s,
    );
    if (opening.kind === 'refused') {
      this.d.logger.warn('one-won.refused', { service: caller.service, limit: opening.limit });
      throw new OneWonLimitError(opening.limit, s[opening.limit], opening.retryInMs);
    }
    if (opening.kind === 'existing') {
      if (opening.verification.requestHash !== requestHash) throw new OneWonConflictError(requestId, opening.verification.id);
      return { verification: await this.status(caller, opening.verification.id), created: false };
    }

    if (holderName !== undefined && s.checkHolderName && this.d.names && !(await this.nameMatches(id, bankCode, account, holderName))) {
      return { verification: await this.status(caller, id), created: true };
    }
    const t = await this.sendOneWon(caller, id, { bankCode, account, amount: '1', memo, ...(holderName ? { recipientName: holderName } : {}) });
    this.d.logger.info('one-won.started', { verificationId: id, transferId: t.transferId, service: caller.service });
    // A 1 won just accepted is not settled yet (nothing to read through); one kept earlier may be.
    const unsettled = t.state === 'requested' || t.state === 'sending' || t.state === 'unknown';
    return { verification: unsettled ? this.view(opening.verification, 'pending') : await this.status(caller, id), created: true };
  }

  /**
   * Checks a code the user typed. Attempts are counted only while codes are accepted (the 1 won arrived,
   * the validity has not passed): a confirm while `pending` answers `pending` and costs nothing.
   *
   * @throws OneWonNotFoundError for an unknown id or another service's; ValidationError (`code`) for
   *   what cannot be a code at all.
   */
  async confirm(caller: ServiceIdentity, id: string, typed: string): Promise<OneWonConfirmation> {
    let v = await this.own(caller, id);
    if (typeof typed !== 'string') throw new ValidationError('code', 'is required');
    const code = typedCode(v.codeKind, typed, this.settings.memoPrefix);
    if (code === undefined) throw new ValidationError('code', v.codeKind === 'digits' ? 'must be the 4 digits printed in the memo of the 1 won' : 'must be the 2–3 syllable Hangul word printed in the memo of the 1 won');
    // A conditional write that finds the verification moved on is answered from where it now is; that is
    // a final state (attempts are only ever used up, validities only ever pass), so this ends.
    for (;;) {
      const now = this.clock();
      const current = await this.settle(v, now);
      v = current.v;
      if (current.state !== 'awaiting-code') return this.answer(v, current.state);
      const right = this.codes.matches(v.id, code, v.codeHash);
      const moved = right ? await this.d.store.verify(v.id, now) : await this.d.store.miss(v.id, now);
      if (moved) {
        const result = moved.state === 'verified' ? 'verified' : moved.state === 'locked' ? 'locked' : 'mismatch';
        const details = { verificationId: v.id, service: v.service, result, attemptsLeft: attemptsLeft(moved) };
        if (result === 'locked') this.d.logger.warn('one-won.confirmed', details);
        else this.d.logger.info('one-won.confirmed', details);
        return this.answer(moved, result);
      }
      v = (await this.d.store.get(v.id)) ?? v;
    }
  }

  /** Where a verification stands, its 1 won read through. @throws OneWonNotFoundError */
  async status(caller: ServiceIdentity, id: string): Promise<OneWonStatus> {
    const { v, state } = await this.settle(await this.own(caller, id), this.clock());
    return this.view(v, state);
  }

  /** The caller's own verification; another service's does not exist, as far as this caller can tell. */
  private async own(caller: ServiceIdentity, id: string): Promise<OneWonVerification> {
    const v = typeof id === 'string' && id.length <= 64 ? await this.d.store.get(id) : null;
    if (!v || v.service !== caller.service) throw new OneWonNotFoundError(String(id));
    return v;
  }

  /**
   * Brings a verification up to date with the clock and its transfer: a passed validity is written as
   * `expired` (final, whatever the transfer does later), a failed or reversed 1 won as `failed`.
   */
  private async settle(v: OneWonVerification, now: Date): Promise<{ v: OneWonVerification; state: OneWonState }> {
    if (v.state !== 'open') return { v, state: v.state };
    if (now.getTime() >= v.expiresAt.getTime()) return this.finalAfter(v, await this.d.store.expire(v.id, now), 'expired', now);
    // None (yet): its start is under way, or was interrupted before the transfer flow kept anything.
    const t = await this.d.transfers.get(v.service, oneWonTransferRequestId(v.id));
    if (!t) return { v, state: 'pending' };
    if (t.state === 'failed' || t.state === 'reversed') {
      const failure = { code: t.responseCode, message: t.responseMessage ?? (t.state === 'reversed' ? 'the bank returned the 1 won (failure notice)' : 'the 1 won could not be delivered') };
      return this.finalAfter(v, await this.d.store.fail(v.id, failure, now), 'failed', now);
    }
    return { v, state: t.state === 'succeeded' ? 'awaiting-code' : 'pending' };
  }

  /** The verification after a conditional move to `state`: the moved row, or (it moved first) as it now is. */
  private async finalAfter(v: OneWonVerification, moved: OneWonVerification | null, state: OneWonState, now: Date): Promise<{ v: OneWonVerification; state: OneWonState }> {
    if (moved) return { v: moved, state };
    const again = await this.d.store.get(v.id);
    return again && again.state !== 'open' ? { v: again, state: again.state } : this.settle(again ?? v, now);
  }

  /**
   * The name inquiry before the 1 won. A mismatch or an account the bank refuses fails the verification
   * (it still counts against the limits: the name inquiry must not be a free oracle); no answer at all
   * abandons it, as if it had never been asked. True when the 1 won may go.
   */
  private async nameMatches(id: string, bankCode: string, account: string, name: string): Promise<boolean> {
    let answer;
    try {
      answer = await this.d.names!.verify({ bankCode, account, name });
    } catch (e) {
      await this.d.store.abandon(id);
      throw e;
    }
    if (answer.status === 'verified' || answer.status === 'found') return true;
    if (answer.status === 'unavailable') {
      await this.d.store.abandon(id);
      throw new OneWonUnavailableError(`the holder-name inquiry was not answered (${answer.message})`);
    }
    const failure = answer.status === 'mismatch' ? { code: answer.responseCode, message: 'the holder name does not match the account' } : { code: answer.responseCode, message: answer.message };
    this.d.logger.info('one-won.name-refused', { verificationId: id, status: answer.status });
    // Failed, or (should anything have moved it meanwhile) final some other way: no 1 won either way.
    await this.d.store.fail(id, failure, this.clock());
    return false;
  }

  /**
   * Hands the 1 won to the transfer flow. When the transfer flow throws, the ledger decides what
   * happened: a transfer kept under the request id is the verification's (it will be sent, or inquired
   * about, like any other); none means nothing will be sent, and the verification is abandoned with its
   * limits given back before the error goes on to the caller.
   */
  private async sendOneWon(caller: ServiceIdentity, id: string, t: { bankCode: string; account: string; amount: '1'; memo: string; recipientName?: string }): Promise<{ transferId: string | null; state: TransferState }> {
    const requestId = oneWonTransferRequestId(id);
    try {
      return await this.d.transfers.start(caller, { requestId, ...t });
    } catch (e) {
      // Should the ledger not answer either, the verification stays: `pending` until it expires (a
      // transfer kept meanwhile is found by the next reader, see settle).
      const kept = await this.d.transfers.get(caller.service, requestId).catch(() => undefined);
      if (kept === undefined) throw e;
      if (kept === null) {
        await this.d.store.abandon(id);
        throw e;
      }
      this.d.logger.warn('one-won.start-error', { verificationId: id, error: e instanceof Error ? e.message : String(e) });
      return { transferId: null, state: kept.state };
    }
  }

  /** Runs the transfer flow's checks, naming the caller's fields (the memo is ours: a setting at fault). */
  private checkTransfer(t: { bankCode: string; account: string; memo: string; recipientName?: string }): void {
    try {
      this.d.check.check({ ...t, amount: '1' });
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      // Never the memo itself in the message: it holds the code.
      if (e.field === 'memo') throw new OneWonSettingsError('memoPrefix', `a memo of the prefix and a ${this.settings.codeKind} code does not fit a transfer to bank ${t.bankCode}: shorten the prefix or turn fullWidth off`);
      if (e.field === 'recipientName') throw new ValidationError('holderName', e.reason);
      throw e;
    }
  }

  private view(v: OneWonVerification, state: OneWonState): OneWonStatus {
    return { id: v.id, requestId: v.requestId, state, bankCode: v.bankCode, account: v.accountMasked, expiresAt: v.expiresAt, attemptsLeft: attemptsLeft(v), failure: v.failure, createdAt: v.createdAt };
  }

  private answer(v: OneWonVerification, result: OneWonResult): OneWonConfirmation {
    return { id: v.id, result, attemptsLeft: attemptsLeft(v), expiresAt: v.expiresAt, failure: v.failure };
  }
}

function attemptsLeft(v: OneWonVerification): number {
  return v.state === 'locked' ? 0 : Math.max(0, v.maxAttempts - v.attempts);
}

/** Checks a start's fields (for callers that did not come through the API's schema); returns the holder name, trimmed. */
function checkStart(input: OneWonStartInput): string | undefined {
  if (typeof input.requestId !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(input.requestId)) throw new ValidationError('requestId', 'must be 1–128 printable ASCII characters');
  const badBank = typeof input.bankCode === 'string' ? bankCodeProblem(input.bankCode) : 'is required';
  if (badBank) throw new ValidationError('bankCode', badBank);
  const badAccount = typeof input.account === 'string' ? accountProblem(input.account) : 'is required';
  if (badAccount) throw new ValidationError('account', badAccount);
  if (input.holderName === undefined) return undefined;
  if (typeof input.holderName !== 'string') throw new ValidationError('holderName', 'must be text');
  const name = input.holderName.trim();
  if (name === '' || [...name].length > HOLDER_NAME_CHARS) throw new ValidationError('holderName', `must be 1–${HOLDER_NAME_CHARS} characters`);
  return name;
}
