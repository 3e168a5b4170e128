import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { isUniqueViolation } from './db-errors.js';
import type { NoticeRow, TelegramRow, TransferEventRow, TransferRow } from './entities.js';
import { IdempotencyConflictError } from './idempotency-conflict-error.js';
import { canMove, type TransferState } from './transfer-state.js';
import { inTransaction } from './writes.js';

export type NewTransfer = Omit<
  TransferRow,
  'id' | 'state' | 'seqNo' | 'sendDate' | 'responseCode' | 'responseMessage' | 'fee' | 'claimToken' | 'inquiries' | 'noRecordAnswers' | 'needsOperator' | 'createdAt' | 'updatedAt'
>;

/** Fields a state change may set along with the state. */
export type TransferPatch = Partial<Pick<TransferRow, 'seqNo' | 'sendDate' | 'responseCode' | 'responseMessage' | 'fee' | 'claimToken' | 'inquiries' | 'noRecordAnswers' | 'needsOperator'>>;

/**
 * The ledger: transfers and every change of their state, the telegrams that carried them, notices.
 * Every write here is committed before the caller acts on it (sends a telegram, answers a bank, answers
 * an API call). State changes are conditional on the state they leave, so two workers can never both move
 * the same transfer.
 */
export class Ledger {
  constructor(readonly ds: DataSource) {}

  /**
   * Persists a new transfer (state `requested`), or returns the one already stored under the same
   * (service, request id) if its body is the same. A different body is an {@link IdempotencyConflictError}.
   */
  async createTransfer(input: NewTransfer): Promise<{ transfer: TransferRow; created: boolean }> {
    const id = randomUUID();
    try {
      const transfer = await inTransaction(this.ds, async (m) => {
        const now = new Date();
        const row: TransferRow = { ...input, id, state: 'requested', claimToken: null, inquiries: 0, noRecordAnswers: 0, needsOperator: false, fee: null, seqNo: null, sendDate: null, responseCode: null, responseMessage: null, createdAt: now, updatedAt: now };
        await m.insert('Transfer', row);
        await this.event(m, id, null, 'requested', `accepted from ${input.service}`);
        return row;
      });
      return { transfer: (await this.get(transfer.id))!, created: true };
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      const existing = await this.ds.getRepository<TransferRow>('Transfer').findOneBy({ service: input.service, requestId: input.requestId });
      if (!existing) throw e;
      if (existing.requestHash !== input.requestHash) throw new IdempotencyConflictError(input.service, input.requestId, existing.id);
      return { transfer: existing, created: false };
    }
  }

  get(id: string): Promise<TransferRow | null> {
    return this.ds.getRepository<TransferRow>('Transfer').findOneBy({ id });
  }

  /** Transfers not yet settled: what a restarted gateway must pick up. */
  unsettled(institution: string): Promise<TransferRow[]> {
    return this.ds
      .getRepository<TransferRow>('Transfer')
      .createQueryBuilder('t')
      .where('t.institution = :institution AND t.state IN (:...states)', { institution, states: ['requested', 'sending', 'unknown'] })
      .getMany();
  }

  /** The transfer a bank means by its 전문번호 (failure notices, inquiries). */
  findBySeq(institution: string, bankCode: string, companyId: string, sendDate: string, seqNo: string): Promise<TransferRow | null> {
    return this.ds.getRepository<TransferRow>('Transfer').findOneBy({ institution, bankCode, companyId, sendDate, seqNo });
  }

  /**
   * Moves a transfer from `from` to `to` (and sets `patch`), recording why. Returns false if the transfer
   * was not in `from` any more (someone else moved it), or, with `claim`, if the worker's claim is no longer
   * the one on it: the caller must not act as if it had moved it.
   */
  async move(id: string, from: TransferState, to: TransferState, reason: string, patch: TransferPatch = {}, claim?: string): Promise<boolean> {
    if (!canMove(from, to)) throw new Error(`ledger: ${from} → ${to} is not a transfer state change`);
    return inTransaction(this.ds, async (m) => {
      const q = m
        .createQueryBuilder()
        .update('Transfer')
        .set({ ...patch, state: to, updatedAt: new Date() })
        .where('id = :id AND state = :from', { id, from });
      const result = await (claim === undefined ? q : q.andWhere('claim_token = :claim', { claim })).execute();
      if (result.affected !== 1) return false;
      await this.event(m, id, from, to, reason);
      return true;
    });
  }

  /** Sets fields without a state change (inquiry counters, the operator flag). */
  async patch(id: string, patch: TransferPatch): Promise<void> {
    await inTransaction(this.ds, (m) => m.update('Transfer', { id }, { ...patch, updatedAt: new Date() }));
  }

  /**
   * Keeps a request telegram before its bytes go out: the telegram row, and for the transfer's own
   * 2000/100 (`claim` given) its 전문번호 and date — only while the sending worker's claim holds, so a
   * worker that lost its claim cannot send. From then on the transfer can be asked about.
   */
  async keepRequest(t: Omit<TelegramRow, 'id'>, claim?: string): Promise<void> {
    await inTransaction(this.ds, async (m) => {
      await m.insert('Telegram', t);
      if (claim !== undefined && t.transferId) {
        const r = await m.update('Transfer', { id: t.transferId, state: 'sending', claimToken: claim }, { seqNo: t.seqNo, sendDate: t.sendDate, updatedAt: new Date() });
        if (r.affected !== 1) throw new Error(`transfer ${t.transferId} is no longer this worker's to send`);
      }
    });
  }

  async recordTelegram(t: Omit<TelegramRow, 'id'>): Promise<void> {
    await inTransaction(this.ds, (m) => m.insert('Telegram', t));
  }

  telegrams(transferId: string): Promise<TelegramRow[]> {
    return this.ds.getRepository<TelegramRow>('Telegram').find({ where: { transferId }, order: { id: 'ASC' } });
  }

  events(transferId: string) {
    return this.ds.getRepository<TransferEventRow>('TransferEvent').find({ where: { transferId }, order: { id: 'ASC' } });
  }

  /**
   * Stores a bank's notice once (by institution, bank, company, message, date and number); true if it is
   * new, false if the bank sent it again. Either way it is safely stored when this resolves.
   */
  async recordNotice(n: Omit<NoticeRow, 'id' | 'receivedAt'>): Promise<boolean> {
    try {
      await inTransaction(this.ds, (m) => m.insert('Notice', n));
      return true;
    } catch (e) {
      if (isUniqueViolation(e)) return false;
      throw e;
    }
  }

  notices(institution: string): Promise<NoticeRow[]> {
    return this.ds.getRepository<NoticeRow>('Notice').find({ where: { institution }, order: { id: 'ASC' } });
  }

  private async event(m: EntityManager, transferId: string, from: TransferState | null, to: TransferState, reason: string): Promise<void> {
    await m.insert('TransferEvent', { transferId, fromState: from, toState: to, reason: reason.slice(0, 300) });
  }
}
