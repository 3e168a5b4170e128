import { Decimal } from 'decimal.js';
import type { DataSource } from 'typeorm';
import { EVENT_OF_STATE } from '../domain/events.js';
import type { KeptTelegram, TransferPatch } from '../domain/transfer.js';
import type { TransferState } from '../domain/transfer-state.js';
import type { TransferRow } from './entities.js';
import { transferEventPayloadSql } from './event-store.js';
import { Sql } from './sql.js';

/**
 * The transfer path's writes on PostgreSQL, each for many transfers in one statement (see Coalescer): the
 * rows travel as one array per column and `unnest` turns them back into rows, so the text of each
 * statement is the same whatever the batch's size, and is parsed and planned once per connection.
 * Each statement is one transaction: the changes, their history and their service events, or none.
 */

/** A new transfer as {@link TransferBatches.create} writes it, with the reason of its first event. */
export type NewTransferRow = TransferRow & { readonly reason: string };

/** A claim of a `requested` transfer, and the telegram kept with it (see Ledger.claimAndKeep). */
export interface Claim {
  readonly telegram: Omit<KeptTelegram, 'transferId'> & { readonly transferId: string };
  readonly claim: string;
  /** Claimed only while its payer's consent is registered (collections). */
  readonly underConsent: boolean;
}

/** A state change (see Ledger.move). */
export interface Move {
  readonly id: string;
  readonly from: TransferState;
  readonly to: TransferState;
  readonly reason: string;
  readonly patch: TransferPatch;
  readonly claim: string | null;
  /** The answer that brought it, kept with it whether it applies or not. */
  readonly answer: KeptTelegram | null;
  readonly at: Date;
}

/** `unnest($1::T1[], $2::T2[], …) AS v(c1, c2, …)` for `columns` (name, type), parameters from `first`. */
function unnest(columns: readonly (readonly [string, string])[], first = 1): string {
  return `unnest(${columns.map(([, type], i) => `$${first + i}::${type}[]`).join(', ')}) AS v(${columns.map(([c]) => c).join(', ')})`;
}

const NEW_COLUMNS = [
  ['id', 'varchar'], ['kind', 'varchar'], ['consent_id', 'varchar'], ['payer_number', 'varchar'], ['service', 'varchar'], ['request_id', 'varchar'],
  ['request_hash', 'varchar'], ['institution', 'varchar'], ['bank_code', 'varchar'], ['company_id', 'varchar'], ['withdraw_account', 'varchar'],
  ['deposit_bank_code', 'varchar'], ['deposit_account', 'varchar'], ['amount', 'bigint'], ['memo', 'varchar'], ['recipient_name', 'varchar'],
  ['created_at', 'timestamptz'], ['reason', 'varchar'],
] as const;

export const CLAIM_REASON = 'claimed by a worker; its telegram kept before sending';
const CLAIM_COLUMNS = [
  ['id', 'varchar'], ['claim', 'varchar'], ['seq_no', 'varchar'], ['send_date', 'varchar'], ['at', 'timestamptz'], ['institution', 'varchar'],
  ['direction', 'varchar'], ['message', 'varchar'], ['raw', 'bytea'], ['under_consent', 'boolean'],
] as const;

const TELEGRAM_COLUMNS = [
  ['transfer_id', 'varchar'], ['institution', 'varchar'], ['direction', 'varchar'], ['message', 'varchar'], ['seq_no', 'varchar'], ['send_date', 'varchar'],
  ['raw', 'bytea'], ['at', 'timestamptz'],
] as const;

/** The fields a state change may set: ledger field, column, type. */
const PATCH_COLUMNS = [
  ['seqNo', 'seq_no', 'varchar'], ['sendDate', 'send_date', 'varchar'], ['responseCode', 'response_code', 'varchar'],
  ['responseMessage', 'response_message', 'varchar'], ['fee', 'fee', 'bigint'], ['claimToken', 'claim_token', 'varchar'],
  ['inquiries', 'inquiries', 'integer'], ['noRecordAnswers', 'no_record_answers', 'integer'], ['needsOperator', 'needs_operator', 'boolean'],
] as const satisfies readonly (readonly [keyof TransferPatch, string, string])[];

const MOVE_COLUMNS = [
  ['id', 'varchar'], ['from_state', 'varchar'], ['to_state', 'varchar'], ['reason', 'varchar'], ['at', 'timestamptz'], ['claim', 'varchar'],
  // Each patchable field twice: whether this change sets it, and to what.
  ...PATCH_COLUMNS.flatMap(([, c, type]) => [[`set_${c}`, 'boolean'], [c, type]] as const),
  // The answer kept with it (all null without one).
  ...TELEGRAM_COLUMNS.filter(([c]) => c !== 'transfer_id').map(([c, type]) => [`answer_${c}`, type] as const),
] as const;

/** States whose arrival the calling service is told of, through the outbox (src/domain/events.ts). */
const SERVICE_EVENT_STATES = Object.keys(EVENT_OF_STATE).map((s) => `'${s}'`).join(', ');

const won = (v: Decimal | null | undefined) => (v instanceof Decimal ? v.toFixed(0) : v ?? null);

export class TransferBatches {
  private readonly sql: Sql;

  constructor(private readonly ds: DataSource) {
    this.sql = new Sql(ds);
  }

  /** Inserts new transfers (state `requested`) with their first events; for each, whether it was new. */
  async create(rows: readonly NewTransferRow[]): Promise<boolean[]> {
    const cols = NEW_COLUMNS.map(([c]) => c).filter((c) => c !== 'reason' && c !== 'created_at');
    const values: unknown[][] = [
      rows.map((r) => r.id), rows.map((r) => r.kind), rows.map((r) => r.consentId), rows.map((r) => r.payerNumber), rows.map((r) => r.service),
      rows.map((r) => r.requestId), rows.map((r) => r.requestHash), rows.map((r) => r.institution), rows.map((r) => r.bankCode), rows.map((r) => r.companyId),
      rows.map((r) => r.withdrawAccount), rows.map((r) => r.depositBankCode), rows.map((r) => r.depositAccount), rows.map((r) => won(r.amount)),
      rows.map((r) => r.memo), rows.map((r) => r.recipientName), rows.map((r) => r.createdAt), rows.map((r) => r.reason.slice(0, 300)),
    ];
    const inserted = await this.sql.rows(
      this.ds,
      `WITH v AS (SELECT * FROM ${unnest(NEW_COLUMNS)}),
       t AS (INSERT INTO transfers (${cols.join(', ')}, state, inquiries, no_record_answers, needs_operator, created_at, updated_at)
             SELECT ${cols.join(', ')}, 'requested', 0, 0, false, created_at, created_at FROM v ON CONFLICT (service, request_id) DO NOTHING RETURNING id)
       INSERT INTO transfer_events (transfer_id, from_state, to_state, reason, at) SELECT v.id, NULL, 'requested', v.reason, v.created_at FROM t JOIN v ON v.id = t.id RETURNING transfer_id`,
      values,
    );
    const created = new Set(inserted.map((r) => String(r['transfer_id'])));
    return rows.map((r) => created.has(r.id));
  }

  /** Keeps telegrams (answers, notices, session telegrams: see TrafficKeeper). */
  async keep(ts: readonly KeptTelegram[]): Promise<void> {
    const values: unknown[][] = [
      ts.map((t) => t.transferId), ts.map((t) => t.institution), ts.map((t) => t.direction), ts.map((t) => t.message),
      ts.map((t) => t.seqNo), ts.map((t) => t.sendDate), ts.map((t) => t.raw), ts.map((t) => t.at),
    ];
    await this.sql.rows(this.ds, `INSERT INTO telegrams (transfer_id, institution, direction, message, seq_no, send_date, raw, at) SELECT * FROM ${unnest(TELEGRAM_COLUMNS)}`, values);
  }

  /** Transfers by id, in the order asked; null for an id not found. */
  async get(ids: readonly string[], fromRow: (r: Record<string, unknown>) => TransferRow): Promise<(TransferRow | null)[]> {
    const rows = await this.sql.rows(this.ds, 'SELECT * FROM transfers WHERE id = ANY($1::varchar[])', [ids]);
    const byId = new Map(rows.map((r) => [String(r['id']), fromRow(r)]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  /**
   * Claims transfers still `requested` and keeps their telegrams, in one statement; for each, whether it
   * was claimed. A collection's claim also needs its consent registered, share-locked as in Ledger.claimAndKeep.
   */
  async claim(claims: readonly Claim[]): Promise<boolean[]> {
    const t = claims.map((c) => c.telegram);
    const values: unknown[][] = [
      t.map((x) => x.transferId), claims.map((c) => c.claim), t.map((x) => x.seqNo), t.map((x) => x.sendDate), t.map((x) => x.at),
      t.map((x) => x.institution), t.map((x) => x.direction), t.map((x) => x.message), t.map((x) => x.raw), claims.map((c) => c.underConsent),
    ];
    const rows = await this.sql.rows(
      this.ds,
      `WITH v AS (SELECT * FROM ${unnest(CLAIM_COLUMNS)}),
       u AS (UPDATE transfers SET state = 'sending', claim_token = v.claim, seq_no = v.seq_no, send_date = v.send_date, updated_at = v.at FROM v
             WHERE transfers.id = v.id AND transfers.state = 'requested'
               AND (NOT v.under_consent OR EXISTS (SELECT 1 FROM consents c WHERE c.id = transfers.consent_id AND c.state = 'registered' FOR SHARE))
             RETURNING transfers.id),
       e AS (INSERT INTO transfer_events (transfer_id, from_state, to_state, reason, at) SELECT v.id, 'requested', 'sending', '${CLAIM_REASON}', v.at FROM u JOIN v ON v.id = u.id)
       INSERT INTO telegrams (transfer_id, institution, direction, message, seq_no, send_date, raw, at)
       SELECT v.id, v.institution, v.direction, v.message, v.seq_no, v.send_date, v.raw, v.at FROM u JOIN v ON v.id = u.id RETURNING transfer_id`,
      values,
    );
    const claimed = new Set(rows.map((r) => String(r['transfer_id'])));
    return t.map((x) => claimed.has(x.transferId));
  }

  /**
   * State changes, each conditional on the state it leaves (and on the claim, when given), with their
   * history and service events; for each, the transfer as it now is, or null if it had moved on.
   */
  async move(moves: readonly Move[], fromRow: (r: Record<string, unknown>) => TransferRow): Promise<(TransferRow | null)[]> {
    const values: unknown[][] = [
      moves.map((m) => m.id), moves.map((m) => m.from), moves.map((m) => m.to), moves.map((m) => m.reason.slice(0, 300)), moves.map((m) => m.at), moves.map((m) => m.claim),
      ...PATCH_COLUMNS.flatMap(([field]) => [moves.map((m) => field in m.patch), moves.map((m) => (field === 'fee' ? won(m.patch.fee) : m.patch[field] ?? null))]),
      ...(['institution', 'direction', 'message', 'seqNo', 'sendDate', 'raw', 'at'] as const).map((f) => moves.map((m) => m.answer?.[f] ?? null)),
    ];
    const set = PATCH_COLUMNS.map(([, c]) => `${c} = CASE WHEN v.set_${c} THEN v.${c} ELSE transfers.${c} END`).join(', ');
    const rows = await this.sql.rows(
      this.ds,
      `WITH v AS (SELECT * FROM ${unnest(MOVE_COLUMNS)}),
       t AS (UPDATE transfers SET state = v.to_state, updated_at = v.at, ${set} FROM v
             WHERE transfers.id = v.id AND transfers.state = v.from_state AND (v.claim IS NULL OR transfers.claim_token = v.claim)
             RETURNING transfers.*, v.from_state AS moved_from, v.reason AS moved_because),
       e AS (INSERT INTO transfer_events (transfer_id, from_state, to_state, reason, at) SELECT id, moved_from, state, moved_because, updated_at FROM t),
       k AS (INSERT INTO telegrams (transfer_id, institution, direction, message, seq_no, send_date, raw, at)
             SELECT id, answer_institution, answer_direction, answer_message, answer_seq_no, answer_send_date, answer_raw, answer_at FROM v WHERE answer_raw IS NOT NULL),
       o AS (INSERT INTO events (service, type, aggregate, payload, occurred_at)
             SELECT t.service, t.kind || '.' || t.state, 'transfer:' || t.id, ${transferEventPayloadSql(true, 't')}, t.updated_at FROM t WHERE t.state IN (${SERVICE_EVENT_STATES}))
       SELECT * FROM t`,
      values,
    );
    const byId = new Map(rows.map((r) => [String(r['id']), fromRow(r)]));
    return moves.map((m) => byId.get(m.id) ?? null);
  }
}
