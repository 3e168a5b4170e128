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

/** A column of a batch: its name in the statement, its PostgreSQL type, and its value in one row. */
type Column<R> = readonly [name: string, type: string, value: (row: R) => unknown];

/**
 * `unnest($1::T1[], $2::T2[], …) AS v(c1, c2, …)` over `rows`, and its parameters: one array per column.
 * Names and values come from one list, so that they cannot drift apart.
 */
function unnest<R>(columns: readonly Column<R>[], rows: readonly R[]): { readonly from: string; readonly values: unknown[][] } {
  return {
    from: `unnest(${columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')}) AS v(${columns.map(([name]) => name).join(', ')})`,
    values: columns.map(([, , value]) => rows.map(value)),
  };
}

const won = (v: Decimal | null | undefined) => (v instanceof Decimal ? v.toFixed(0) : v ?? null);

/** Columns of `transfers` a new row takes from its input; the rest start as every new transfer does. */
const NEW_COLUMNS: readonly Column<NewTransferRow>[] = [
  ['id', 'varchar', (r) => r.id], ['kind', 'varchar', (r) => r.kind], ['consent_id', 'varchar', (r) => r.consentId], ['payer_number', 'varchar', (r) => r.payerNumber],
  ['service', 'varchar', (r) => r.service], ['request_id', 'varchar', (r) => r.requestId], ['request_hash', 'varchar', (r) => r.requestHash],
  ['institution', 'varchar', (r) => r.institution], ['bank_code', 'varchar', (r) => r.bankCode], ['company_id', 'varchar', (r) => r.companyId],
  ['withdraw_account', 'varchar', (r) => r.withdrawAccount], ['deposit_bank_code', 'varchar', (r) => r.depositBankCode], ['deposit_account', 'varchar', (r) => r.depositAccount],
  ['amount', 'bigint', (r) => won(r.amount)], ['memo', 'varchar', (r) => r.memo], ['recipient_name', 'varchar', (r) => r.recipientName],
];
const NEW_EXTRA: readonly Column<NewTransferRow>[] = [['created_at', 'timestamptz', (r) => r.createdAt], ['reason', 'varchar', (r) => r.reason.slice(0, 300)]];

/** A telegram's columns, `transfer_id` first. */
const TELEGRAM_COLUMNS: readonly Column<KeptTelegram>[] = [
  ['transfer_id', 'varchar', (t) => t.transferId], ['institution', 'varchar', (t) => t.institution], ['direction', 'varchar', (t) => t.direction],
  ['message', 'varchar', (t) => t.message], ['seq_no', 'varchar', (t) => t.seqNo], ['send_date', 'varchar', (t) => t.sendDate],
  ['raw', 'bytea', (t) => t.raw], ['at', 'timestamptz', (t) => t.at],
];
const TELEGRAM_NAMES = TELEGRAM_COLUMNS.map(([name]) => name).join(', ');

export const CLAIM_REASON = 'claimed by a worker; its telegram kept before sending';
const CLAIM_COLUMNS: readonly Column<Claim>[] = [
  ...TELEGRAM_COLUMNS.map(([name, type, value]): Column<Claim> => [name, type, (c) => value(c.telegram)]),
  ['claim', 'varchar', (c) => c.claim], ['under_consent', 'boolean', (c) => c.underConsent],
];

/** The fields a state change may set: ledger field, column, type. */
const PATCH_COLUMNS = [
  ['seqNo', 'seq_no', 'varchar'], ['sendDate', 'send_date', 'varchar'], ['responseCode', 'response_code', 'varchar'],
  ['responseMessage', 'response_message', 'varchar'], ['fee', 'fee', 'bigint'], ['claimToken', 'claim_token', 'varchar'],
  ['inquiries', 'inquiries', 'integer'], ['noRecordAnswers', 'no_record_answers', 'integer'], ['needsOperator', 'needs_operator', 'boolean'],
] as const satisfies readonly (readonly [keyof TransferPatch, string, string])[];

const MOVE_COLUMNS: readonly Column<Move>[] = [
  ['id', 'varchar', (m) => m.id], ['from_state', 'varchar', (m) => m.from], ['to_state', 'varchar', (m) => m.to],
  ['reason', 'varchar', (m) => m.reason.slice(0, 300)], ['at', 'timestamptz', (m) => m.at], ['claim', 'varchar', (m) => m.claim],
  // Each patchable field twice: whether this change sets it, and to what.
  ...PATCH_COLUMNS.flatMap(([field, c, type]): Column<Move>[] => [
    [`set_${c}`, 'boolean', (m) => field in m.patch],
    [c, type, (m) => (field === 'fee' ? won(m.patch.fee) : m.patch[field] ?? null)],
  ]),
  // The answer kept with it (all null without one).
  ...TELEGRAM_COLUMNS.slice(1).map(([name, type, value]): Column<Move> => [`answer_${name}`, type, (m) => (m.answer ? value(m.answer) : null)]),
];

/** States whose arrival the calling service is told of, through the outbox (src/domain/events.ts). */
const SERVICE_EVENT_STATES = Object.keys(EVENT_OF_STATE).map((s) => `'${s}'`).join(', ');

export class TransferBatches {
  private readonly sql: Sql;

  constructor(private readonly ds: DataSource) {
    this.sql = new Sql(ds);
  }

  /** Inserts new transfers (state `requested`) with their first events; for each, whether it was new. */
  async create(rows: readonly NewTransferRow[]): Promise<boolean[]> {
    const { from, values } = unnest([...NEW_COLUMNS, ...NEW_EXTRA], rows);
    const cols = NEW_COLUMNS.map(([name]) => name).join(', ');
    const inserted = await this.sql.rows(
      this.ds,
      `WITH v AS (SELECT * FROM ${from}),
       t AS (INSERT INTO transfers (${cols}, state, inquiries, no_record_answers, needs_operator, created_at, updated_at)
             SELECT ${cols}, 'requested', 0, 0, false, created_at, created_at FROM v ON CONFLICT (service, request_id) DO NOTHING RETURNING id)
       INSERT INTO transfer_events (transfer_id, from_state, to_state, reason, at) SELECT v.id, NULL, 'requested', v.reason, v.created_at FROM t JOIN v ON v.id = t.id RETURNING transfer_id`,
      values,
    );
    const created = new Set(inserted.map((r) => String(r['transfer_id'])));
    return rows.map((r) => created.has(r.id));
  }

  /** Keeps telegrams (answers, notices, session telegrams: see TrafficKeeper). */
  async keep(ts: readonly KeptTelegram[]): Promise<void> {
    const { from, values } = unnest(TELEGRAM_COLUMNS, ts);
    await this.sql.rows(this.ds, `INSERT INTO telegrams (${TELEGRAM_NAMES}) SELECT * FROM ${from}`, values);
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
    const { from, values } = unnest(CLAIM_COLUMNS, claims);
    const rows = await this.sql.rows(
      this.ds,
      `WITH v AS (SELECT * FROM ${from}),
       u AS (UPDATE transfers SET state = 'sending', claim_token = v.claim, seq_no = v.seq_no, send_date = v.send_date, updated_at = v.at FROM v
             WHERE transfers.id = v.transfer_id AND transfers.state = 'requested'
               AND (NOT v.under_consent OR EXISTS (SELECT 1 FROM consents c WHERE c.id = transfers.consent_id AND c.state = 'registered' FOR SHARE))
             RETURNING transfers.id),
       e AS (INSERT INTO transfer_events (transfer_id, from_state, to_state, reason, at) SELECT u.id, 'requested', 'sending', '${CLAIM_REASON}', v.at FROM u JOIN v ON v.transfer_id = u.id)
       INSERT INTO telegrams (${TELEGRAM_NAMES}) SELECT ${TELEGRAM_COLUMNS.map(([name]) => `v.${name}`).join(', ')} FROM u JOIN v ON v.transfer_id = u.id RETURNING transfer_id`,
      values,
    );
    const claimed = new Set(rows.map((r) => String(r['transfer_id'])));
    return claims.map((c) => claimed.has(c.telegram.transferId));
  }

  /**
   * State changes, each conditional on the state it leaves (and on the claim, when given), with their
   * history and service events; for each, the transfer as it now is, or null if it had moved on.
   */
  async move(moves: readonly Move[], fromRow: (r: Record<string, unknown>) => TransferRow): Promise<(TransferRow | null)[]> {
    const { from, values } = unnest(MOVE_COLUMNS, moves);
    const set = PATCH_COLUMNS.map(([, c]) => `${c} = CASE WHEN v.set_${c} THEN v.${c} ELSE transfers.${c} END`).join(', ');
    const rows = await this.sql.rows(
      this.ds,
      `WITH v AS (SELECT * FROM ${from}),
       t AS (UPDATE transfers SET state = v.to_state, updated_at = v.at, ${set} FROM v
             WHERE transfers.id = v.id AND transfers.state = v.from_state AND (v.claim IS NULL OR transfers.claim_token = v.claim)
             RETURNING transfers.*, v.from_state AS moved_from, v.reason AS moved_because),
       e AS (INSERT INTO transfer_events (transfer_id, from_state, to_state, reason, at) SELECT id, moved_from, state, moved_because, updated_at FROM t),
       k AS (INSERT INTO telegrams (${TELEGRAM_NAMES})
             SELECT id, ${TELEGRAM_COLUMNS.slice(1).map(([name]) => `answer_${name}`).join(', ')} FROM v WHERE answer_raw IS NOT NULL),
       o AS (INSERT INTO events (service, type, aggregate, payload, occurred_at)
             SELECT t.service, t.kind || '.' || t.state, 'transfer:' || t.id, ${transferEventPayloadSql(true, 't')}, t.updated_at FROM t WHERE t.state IN (${SERVICE_EVENT_STATES}))
       SELECT * FROM t`,
      values,
    );
    const byId = new Map(rows.map((r) => [String(r['id']), fromRow(r)]));
    return moves.map((m) => byId.get(m.id) ?? null);
  }
}
