import { randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';
import type { DataSource, EntityManager } from 'typeorm';
import { isUniqueViolation } from './db-errors.js';
import type { NoticeRow, TelegramRow, TransferEventRow, TransferRow } from './entities.js';
import { IdempotencyConflictError } from './idempotency-conflict-error.js';
import { EVENT_OF_STATE } from '../domain/events.js';
import { canMove, type TransferState } from '../domain/transfer-state.js';
import { transferEventPayloadSql } from './event-store.js';
import type { KeptTelegram, MoveExtras, NewTransfer, TransferKind, TransferPatch } from '../domain/transfer.js';
import { setFacts } from '../tracing/span-attributes.js';
import { withSpan } from '../tracing/with-span.js';
import { Sql, readTime, textOrNull } from './sql.js';
import { inTransaction } from './writes.js';
import { Coalescer } from './coalescer.js';
import { CLAIM_REASON, TransferBatches, type Claim, type Move, type NewTransferRow } from './transfer-batches.js';

/** Ledger field → column, for the fields a state change may set. */
const COLUMN: Readonly<Record<keyof TransferPatch, string>> = {
  seqNo: 'seq_no',
  sendDate: 'send_date',
  responseCode: 'response_code',
  responseMessage: 'response_message',
  fee: 'fee',
  claimToken: 'claim_token',
  inquiries: 'inquiries',
  noRecordAnswers: 'no_record_answers',
  needsOperator: 'needs_operator',
};

const TRANSFER_COLUMNS = [
  'id', 'kind', 'consent_id', 'payer_number', 'service', 'request_id', 'request_hash', 'institution', 'bank_code', 'company_id', 'withdraw_account', 'deposit_bank_code',
  'deposit_account', 'amount', 'memo', 'recipient_name', 'state', 'inquiries', 'no_record_answers', 'needs_operator', 'created_at', 'updated_at',
] as const;

export type { NewTransfer, TransferPatch } from '../domain/transfer.js';

/**
 * The ledger: transfers and every change of their state, the telegrams that carried them, notices.
 * Every write here is committed before the caller acts on it (sends a telegram, answers a bank, answers
 * an API call). State changes are conditional on the state they leave, so two workers can never both move
 * the same transfer.
 */
export class Ledger {
  private readonly sql: Sql;
  private readonly moved: ((t: TransferRow, from: TransferState, to: TransferState) => void)[] = [];
  /** On PostgreSQL, the transfer path's statements for many transfers at once (null on SQLite: one writer). */
  private readonly batched: {
    readonly create: Coalescer<NewTransferRow, boolean>;
    readonly get: Coalescer<string, TransferRow | null>;
    readonly claim: Coalescer<Claim, boolean>;
    readonly move: Coalescer<Move, TransferRow | null>;
    readonly keep: (ts: readonly Omit<TelegramRow, 'id'>[]) => Promise<void>;
  } | null;

  constructor(readonly ds: DataSource) {
    this.sql = new Sql(ds);
    const b = this.sql.postgres ? new TransferBatches(ds) : null;
    // A transfer appears at most once in a batch (by id, or by request id for new ones): see Coalescer.
    this.batched = b && {
      create: new Coalescer((rows) => b.create(rows), { key: (r) => `${r.service}\u0000${r.requestId}` }),
      get: new Coalescer((ids) => b.get(ids, transferFromRow)),
      claim: new Coalescer((claims) => b.claim(claims), { key: (c) => c.telegram.transferId }),
      move: new Coalescer((moves) => b.move(moves, transferFromRow), { key: (m) => m.id }),
      keep: (ts) => b.keep(ts),
    };
  }

  /** Told of every state change this ledger made, after it committed (metrics count them). */
  onMove(listener: (t: TransferRow, from: TransferState, to: TransferState) => void): void {
    this.moved.push(listener);
  }

  /**
   * Persists a new transfer (state `requested`), or returns the one already stored under the same
   * (service, request id) if its body is the same. A different body is an {@link IdempotencyConflictError}.
   */
  async createTransfer(input: NewTransfer): Promise<{ transfer: TransferRow; created: boolean }> {
    const now = new Date();
    const { route, kind, consentId, payerNumber, ...fields } = input;
    const row: TransferRow = { ...fields, kind: kind ?? 'transfer', consentId: consentId ?? null, payerNumber: payerNumber ?? null, id: randomUUID(), state: 'requested', claimToken: null, inquiries: 0, noRecordAnswers: 0, needsOperator: false, fee: null, seqNo: null, sendDate: null, responseCode: null, responseMessage: null, createdAt: now, updatedAt: now };
    const reason = `accepted from ${input.service}${route ? `, ${route}` : ''}`.slice(0, 300);
    const created = this.batched ? await this.batched.create.call({ ...row, reason }) : await this.createOne(row, reason);
    if (created) return { transfer: row, created: true };
    const existing = await this.one('SELECT * FROM transfers WHERE service = $1 AND request_id = $2', [input.service, input.requestId]);
    if (!existing) throw new Error(`ledger: request id ${input.requestId} of ${input.service} is taken but not found`);
    if (existing.requestHash !== input.requestHash) throw new IdempotencyConflictError(input.service, input.requestId, existing.id);
    return { transfer: existing, created: false };
  }

  /** SQLite: the row and its first event in one transaction, or nothing if the request id is taken. */
  private createOne(row: TransferRow, reason: string): Promise<boolean> {
    const values = [row.id, row.kind, row.consentId, row.payerNumber, row.service, row.requestId, row.requestHash, row.institution, row.bankCode, row.companyId, row.withdrawAccount, row.depositBankCode, row.depositAccount, row.amount, row.memo, row.recipientName, 'requested', 0, 0, false, row.createdAt, row.updatedAt];
    const insert = `INSERT INTO transfers (${TRANSFER_COLUMNS.join(', ')}) VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')})`;
    return inTransaction(this.ds, async (m) => {
      try {
        await this.sql.rows(m, insert, values);
      } catch (e) {
        if (isUniqueViolation(e)) return false;
        throw e;
      }
      await this.sql.rows(m, `INSERT INTO transfer_events (transfer_id, from_state, to_state, reason, at) VALUES ($1, NULL, 'requested', $2, $3)`, [row.id, reason, row.createdAt]);
      return true;
    });
  }

  /** One transfer by id. */
  get(id: string): Promise<TransferRow | null> {
    return this.batched ? this.batched.get.call(id) : this.one('SELECT * FROM transfers WHERE id = $1', [id]);
  }

  /** A service's transfer by its request id (through `ux_transfers_request`). */
  byRequest(service: string, requestId: string): Promise<TransferRow | null> {
    return this.one('SELECT * FROM transfers WHERE service = $1 AND request_id = $2', [service, requestId]);
  }

  /** A consent's collections being sent right now (its withdrawal waits for them: see ConsentFlow). */
  async collectionsInFlight(consentId: string): Promise<number> {
    const rows = await this.sql.rows(this.ds, `SELECT COUNT(*) AS n FROM transfers WHERE consent_id = $1 AND state = 'sending'`, [consentId]);
    return Number(rows[0]?.['n'] ?? 0);
  }

  /**
   * Transfers are read with plain SQL and one mapper, whatever the query: one place decides how each
   * database hands back amounts, booleans and times.
   */
  private async one(text: string, params: unknown[]): Promise<TransferRow | null> {
    const rows = await this.sql.rows(this.ds, text, params);
    return rows.length === 1 ? transferFromRow(rows[0]!) : null;
  }

  /** Transfers not yet settled and not changed for `minAgeMs`: what a sweep or a restart must pick up. */
  async unsettled(institution: string, minAgeMs = 0, kind?: TransferKind): Promise<TransferRow[]> {
    const rows = await this.sql.rows(
      this.ds,
      `SELECT * FROM transfers WHERE institution = $1 AND state IN ('requested', 'sending', 'unknown') AND updated_at <= $2${kind ? ' AND kind = $3' : ''}`,
      kind ? [institution, new Date(Date.now() - minAgeMs), kind] : [institution, new Date(Date.now() - minAgeMs)],
    );
    return rows.map(transferFromRow);
  }

  /** The transfer a bank means by its 전문번호 (failure notices, inquiries). */
  findBySeq(institution: string, bankCode: string, companyId: string, sendDate: string, seqNo: string): Promise<TransferRow | null> {
    return this.one('SELECT * FROM transfers WHERE institution = $1 AND bank_code = $2 AND company_id = $3 AND send_date = $4 AND seq_no = $5', [
      institution,
      bankCode,
      companyId,
      sendDate,
      seqNo,
    ]);
  }

  /**
   * Moves a transfer from `from` to `to` (and sets `patch`), recording why; returns the transfer as it now
   * is. Returns null if the transfer was not in `from` any more (someone else moved it), or, with a claim,
   * if the worker's claim is no longer the one on it: the caller must not act as if it had moved it. An
   * answer in `extras` is kept in the same transaction, whether the move applies or not.
   */
  async move(id: string, from: TransferState, to: TransferState, reason: string, patch: TransferPatch = {}, extras: MoveExtras = {}): Promise<TransferRow | null> {
    const t = await withSpan('ledger.move', { transferId: id, stateFrom: from, stateTo: to }, async (span) => {
      const moved = await this.moveRow(id, from, to, reason, patch, extras).catch(async (e: unknown) => {
        // A change the database refused still leaves its answer kept (kept twice, at worst, if the refusal
        // was a lost reply to a commit): every telegram received is kept.
        if (extras.answer) await this.recordTelegram(extras.answer).catch(() => {});
        throw e;
      });
      setFacts(span, { outcome: moved ? 'moved' : 'not-in-state' });
      return moved;
    });
    if (t) for (const l of this.moved) l(t, from, to);
    return t;
  }

  private async moveRow(id: string, from: TransferState, to: TransferState, reason: string, patch: TransferPatch, { claim, answer }: MoveExtras): Promise<TransferRow | null> {
    if (!canMove(from, to)) throw new Error(`ledger: ${from} → ${to} is not a transfer state change`);
    const now = new Date();
    if (this.batched) return this.batched.move.call({ id, from, to, reason, patch, claim: claim ?? null, answer: answer ?? null, at: now });
    // SQLite: the change, its history and its service event in one transaction (the batched statement's
    // steps, one transfer at a time).
    const params: unknown[] = [to, now, id, from, claim ?? null];
    const update = `UPDATE transfers SET state = $1, updated_at = $2${setClause(patch, params)}
      WHERE id = $3 AND state = $4 AND ($5 IS NULL OR claim_token = $5) RETURNING *`;
    return inTransaction(this.ds, async (m) => {
      if (answer) await this.insertTelegram(m, answer);
      const rows = await this.sql.rows(m, update, params);
      if (rows.length !== 1) return null;
      await this.sql.rows(m, `INSERT INTO transfer_events (transfer_id, from_state, to_state, reason, at) VALUES ($1, $2, $3, $4, $5)`, [id, from, to, reason.slice(0, 300), now]);
      // A state the calling service is told about goes into the outbox with the change (src/domain/events.ts).
      if (EVENT_OF_STATE[to] !== undefined) {
        await this.sql.rows(m, `INSERT INTO events (service, type, aggregate, payload, occurred_at) SELECT t.service, t.kind || '.' || t.state, 'transfer:' || t.id, ${transferEventPayloadSql(false, 't')}, $2 FROM transfers t WHERE t.id = $1`, [id, now]);
      }
      return transferFromRow(rows[0]!);
    });
  }

  /** Sets fields without a state change (inquiry counters, the operator flag). */
  async patch(id: string, patch: TransferPatch): Promise<void> {
    const params: unknown[] = [id, new Date()];
    const text = `UPDATE transfers SET updated_at = $2${setClause(patch, params)} WHERE id = $1`;
    await inTransaction(this.ds, (m) => this.sql.rows(m, text, params));
  }

  /**
   * Claims a `requested` transfer for this worker and keeps its 2000/100 (with its 전문번호 and date), in
   * one step, right before the bytes go out. Returns false if the transfer is not `requested` any more
   * (another worker has it, or it settled): then nothing may be written.
   */
  async claimAndKeep(t: Omit<TelegramRow, 'id'>, claim: string, underConsent = false): Promise<boolean> {
    if (t.transferId === null) throw new Error('ledger: a claimed telegram names its transfer');
    const telegram = { ...t, transferId: t.transferId };
    if (this.batched) return this.batched.claim.call({ telegram, claim, underConsent });
    // A collection is claimed only while its payer's consent is registered: a withdrawal moves the consent
    // out of `registered` first, in a statement of its own, so no collection is claimed after it. On
    // PostgreSQL (TransferBatches.claim) the consent row is share-locked too: a withdrawal committing while
    // the claim runs is waited for (and then seen), and a withdrawal after it waits for the claim to commit —
    // so the withdrawal's count of collections in flight (ConsentFlow.cancel) always includes this one.
    // SQLite runs one writer at a time.
    const consent = underConsent ? ` AND EXISTS (SELECT 1 FROM consents c WHERE c.id = transfers.consent_id AND c.state = 'registered')` : '';
    const update = `UPDATE transfers SET state = 'sending', claim_token = $5, seq_no = $1, send_date = $2, updated_at = $3 WHERE id = $4 AND state = 'requested'${consent} RETURNING id`;
    return inTransaction(this.ds, async (m) => {
      if ((await this.sql.rows(m, update, [t.seqNo, t.sendDate, t.at, t.transferId, claim])).length !== 1) return false;
      await this.sql.rows(m, `INSERT INTO transfer_events (transfer_id, from_state, to_state, reason, at) VALUES ($1, 'requested', 'sending', $2, $3)`, [t.transferId, CLAIM_REASON, t.at]);
      await this.insertTelegram(m, t);
      return true;
    });
  }

  private insertTelegram(m: EntityManager, t: KeptTelegram): Promise<unknown> {
    return this.sql.rows(m, `INSERT INTO telegrams (transfer_id, institution, direction, message, seq_no, send_date, raw, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [t.transferId, t.institution, t.direction, t.message, t.seqNo, t.sendDate, t.raw, t.at]);
  }

  recordTelegram(t: Omit<TelegramRow, 'id'>): Promise<void> {
    return this.recordTelegrams([t]);
  }

  /** Several telegrams in one statement (the gateway batches what crosses its links). */
  async recordTelegrams(ts: readonly Omit<TelegramRow, 'id'>[]): Promise<void> {
    if (ts.length === 0) return;
    if (this.batched) return this.batched.keep(ts);
    await inTransaction(this.ds, async (m) => {
      for (const t of ts) await this.insertTelegram(m, t);
    });
  }

  /**
   * When a transfer's own telegram (its send date and 전문번호) was kept, right before its bytes were
   * written; null when none was.
   */
  async sentAt(transferId: string): Promise<Date | null> {
    const rows = await this.sql.rows(
      this.ds,
      `SELECT k.at FROM telegrams k JOIN transfers t ON t.id = k.transfer_id
        WHERE k.transfer_id = $1 AND k.direction = 'out' AND k.send_date = t.send_date AND k.seq_no = t.seq_no
        ORDER BY k.id LIMIT 1`,
      [transferId],
    );
    return rows[0] ? readTime(rows[0]['at']) : null;
  }

  /**
   * The telegrams of a transfer: those kept with it (its 2000/100, its inquiries) and the answers to them,
   * which carry the same send date and 전문번호 (the bank's notices, numbered by the bank, are not among them).
   */
  async telegrams(transferId: string): Promise<TelegramRow[]> {
    const rows = await this.sql.rows(
      this.ds,
      `SELECT * FROM telegrams WHERE transfer_id = $1
         OR (transfer_id IS NULL AND direction = 'in' AND EXISTS (
           SELECT 1 FROM telegrams o WHERE o.transfer_id = $1 AND o.institution = telegrams.institution AND o.send_date = telegrams.send_date AND o.seq_no = telegrams.seq_no)
         -- a bank's notice numbers itself; its number may equal our 전문번호 that day, and it is not an answer
         AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.institution = telegrams.institution AND n.message = telegrams.message AND n.send_date = telegrams.send_date AND n.seq_no = telegrams.seq_no))
       ORDER BY id`,
      [transferId],
    );
    return rows.map((r) => ({
      id: Number(r['id']),
      transferId: textOrNull(r['transfer_id']),
      institution: String(r['institution']),
      direction: String(r['direction']) as 'in' | 'out',
      message: String(r['message']),
      seqNo: textOrNull(r['seq_no']),
      sendDate: textOrNull(r['send_date']),
      raw: Buffer.from(r['raw'] as Uint8Array),
      at: readTime(r['at']),
    }));
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

  /**
   * Transfers named by a stored failure notice that are still `succeeded` or `unknown`: a notice that came
   * while its transfer was being sent, or before a crash let it be applied. The sweep reverses them.
   */
  async unreversed(institution: string, failureNotice: string): Promise<string[]> {
    const rows = await this.sql.rows(
      this.ds,
      `SELECT t.id FROM notices n JOIN transfers t ON t.id = n.transfer_id
       WHERE n.institution = $1 AND n.message = $2 AND t.state IN ('succeeded', 'unknown')`,
      [institution, failureNotice],
    );
    return rows.map((r) => String(r['id']));
  }

  notices(institution: string): Promise<NoticeRow[]> {
    return this.ds.getRepository<NoticeRow>('Notice').find({ where: { institution }, order: { id: 'ASC' } });
  }
}

/** `, column = $n …` for the fields of `patch`, appending their values to `params`. */
function setClause(patch: TransferPatch, params: unknown[]): string {
  return (Object.keys(patch) as (keyof TransferPatch)[])
    .map((k) => {
      params.push(patch[k] ?? null);
      return `, ${COLUMN[k]} = $${params.length}`;
    })
    .join('');
}



/** A raw `transfers` row (either database) as the ledger's type. */
export function transferFromRow(r: Record<string, unknown>): TransferRow {
  const won = (v: unknown) => (v === null || v === undefined ? null : new Decimal(String(v)));
  return {
    id: String(r['id']),
    kind: String(r['kind'] ?? 'transfer') as TransferRow['kind'],
    consentId: textOrNull(r['consent_id']),
    payerNumber: textOrNull(r['payer_number']),
    service: String(r['service']),
    requestId: String(r['request_id']),
    requestHash: String(r['request_hash']),
    institution: String(r['institution']),
    bankCode: String(r['bank_code']),
    companyId: String(r['company_id']),
    withdrawAccount: String(r['withdraw_account']),
    depositBankCode: String(r['deposit_bank_code']),
    depositAccount: String(r['deposit_account']),
    amount: won(r['amount'])!,
    fee: won(r['fee']),
    memo: String(r['memo']),
    recipientName: String(r['recipient_name']),
    state: String(r['state']) as TransferState,
    seqNo: textOrNull(r['seq_no']),
    sendDate: textOrNull(r['send_date']),
    responseCode: textOrNull(r['response_code']),
    responseMessage: textOrNull(r['response_message']),
    claimToken: textOrNull(r['claim_token']),
    inquiries: Number(r['inquiries']),
    noRecordAnswers: Number(r['no_record_answers']),
    needsOperator: r['needs_operator'] === true || r['needs_operator'] === 1,
    createdAt: readTime(r['created_at']),
    updatedAt: readTime(r['updated_at']),
  };
}
