import { EntitySchema } from 'typeorm';
import type { Decimal } from 'decimal.js';
import { wonTransformer } from './money.js';

import type { KeptTelegram, Notice, Transfer, TransferEvent } from '../domain/transfer.js';

/**
 * The rows of the ledger's tables. Transfers, their events, telegrams and notices are stored as their
 * domain types are (src/domain/transfer.ts); a row type of their own appears here when a table's shape
 * has to differ from the domain's.
 */
export type TransferRow = Transfer;
export type TransferEventRow = TransferEvent;
export type TelegramRow = KeptTelegram & { id: number };
export type NoticeRow = Notice;

export interface SequenceRow {
  scopeDate: string;
  bankCode: string;
  companyId: string;
  /** The next number not yet handed out to any process. */
  nextValue: number;
}

export interface ApiKeyRow {
  id: number;
  /** Names the key in listings and `apikey revoke`: the first 12 hex digits of its hash, not secret. */
  keyId: string;
  service: string;
  keyHash: string;
  /** Largest amount one transfer of this service may move (won). */
  maxAmount: Decimal;
  /** What the key may do, comma-separated (see src/api/scopes.ts). */
  scopes: string;
  createdAt: Date;
  /** Set when the key was revoked: it is refused from then on. */
  revokedAt: Date | null;
}

/** A reconciliation run as stored: its figures as JSON. */
export interface ReconRunRow {
  id: number;
  institution: string;
  businessDate: string;
  file: string | null;
  status: string;
  figures: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

export interface ReconBreakRow {
  id: number;
  institution: string;
  businessDate: string;
  category: string;
  subject: string;
  transferId: string | null;
  service: string | null;
  ours: string | null;
  bank: string | null;
  detail: string;
  status: string;
  firstRunId: number;
  lastRunId: number;
  resolvedBy: string | null;
  resolution: string | null;
  resolvedAt: Date | null;
}

/** The bank's totals telegram for a day, as answered (canonical fields as JSON). */
export interface BankDayTotalsRow {
  institution: string;
  businessDate: string;
  fields: string;
  askedAt: Date;
}

export interface DayCloseRow {
  service: string;
  businessDate: string;
  succeededCount: number;
  succeededAmount: Decimal;
  failedCount: number;
  fees: Decimal;
  reversedCount: number;
  reversedAmount: Decimal;
  unknownCount: number;
  unknownAmount: Decimal;
  net: Decimal;
  adjustments: Decimal;
  closedAt: Date;
}

/** A change to a closed day, carried into a later one (`businessDate`). */
export interface DayAdjustmentRow {
  id: number;
  service: string;
  businessDate: string;
  ofDate: string;
  amount: Decimal;
  detail: string;
  at: Date;
}

/** An event in the outbox: `position` is null until the sequencer numbers it (see EventStore). */
export interface EventRow {
  id: number;
  service: string;
  type: string;
  aggregate: string;
  payload: string;
  position: number | null;
  occurredAt: Date;
}

/** A service's webhook endpoint; secrets sealed (SecretBox), never in clear. */
export interface WebhookEndpointRow {
  id: number;
  service: string;
  url: string;
  /** Event types, comma-separated. */
  types: string;
  secret: string;
  previousSecret: string | null;
  previousUntil: Date | null;
  cursor: number;
  createdAt: Date;
  disabledAt: Date | null;
}

/** One event to one endpoint: pending until delivered, or dead after 24 hours of failures. */
export interface WebhookDeliveryRow {
  id: number;
  endpointId: number;
  eventId: number;
  position: number;
  aggregate: string;
  status: string;
  attempts: number;
  firstAt: Date;
  nextAt: Date;
  claimedUntil: Date | null;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
}

/** A switch as stored (migration 0007): a switch without a row is on. See src/domain/switches.ts. */
export interface SwitchRow {
  scope: string;
  flow: string;
  state: string;
  version: number;
  changedAt: Date;
  changedBy: string;
  reason: string;
}

/** One set of a switch, appended and never changed. */
export interface SwitchChangeRow {
  id: number;
  scope: string;
  flow: string;
  fromState: string;
  toState: string;
  changedBy: string;
  reason: string;
  changedAt: Date;
  version: number;
}

/** The two databases the ledger runs on: PostgreSQL in production, SQLite embedded. */
export type DatabaseKind = 'postgres' | 'sqlite';

/** Column types that differ between the two. */
export function columnTypes(kind: DatabaseKind): { time: 'timestamptz' | 'datetime'; bytes: 'bytea' | 'blob' } {
  return kind === 'postgres' ? { time: 'timestamptz', bytes: 'bytea' } : { time: 'datetime', bytes: 'blob' };
}

/** The ledger's tables, typed for one database. */
export function ledgerEntities(kind: DatabaseKind) {
  const t = columnTypes(kind);
  /**
   * The migrations give every non-null time column `DEFAULT CURRENT_TIMESTAMP`; the entities say the same
   * (TypeORM's own createDate/updateDate defaults would be `now()` / `datetime('now')`). The Ledger still
   * writes created_at/updated_at itself; createDate/updateDate stay for what TypeORM writes. (TypeORM
   * compares this as `now()` on PostgreSQL, which reports `CURRENT_TIMESTAMP`: see ALLOWANCES in
   * test/schema.test.ts.)
   */
  const now = () => 'CURRENT_TIMESTAMP';
  const created = { type: t.time, createDate: true, default: now } as const;

  const TransferEntity = new EntitySchema<TransferRow>({
    name: 'Transfer',
    tableName: 'transfers',
    columns: {
      id: { type: 'varchar', length: 36, primary: true },
      kind: { type: 'varchar', length: 16, default: 'transfer' },
      consentId: { name: 'consent_id', type: 'varchar', length: 36, nullable: true },
      payerNumber: { name: 'payer_number', type: 'varchar', length: 20, nullable: true },
      service: { type: 'varchar', length: 64 },
      requestId: { name: 'request_id', type: 'varchar', length: 128 },
      requestHash: { name: 'request_hash', type: 'varchar', length: 64 },
      institution: { type: 'varchar', length: 32 },
      bankCode: { name: 'bank_code', type: 'varchar', length: 3 },
      companyId: { name: 'company_id', type: 'varchar', length: 32 },
      withdrawAccount: { name: 'withdraw_account', type: 'varchar', length: 32 },
      depositBankCode: { name: 'deposit_bank_code', type: 'varchar', length: 3 },
      depositAccount: { name: 'deposit_account', type: 'varchar', length: 32 },
      amount: { type: 'bigint', transformer: wonTransformer },
      fee: { type: 'bigint', nullable: true, transformer: wonTransformer },
      memo: { type: 'varchar', length: 64 },
      recipientName: { name: 'recipient_name', type: 'varchar', length: 64 },
      state: { type: 'varchar', length: 16 },
      seqNo: { name: 'seq_no', type: 'varchar', length: 6, nullable: true },
      sendDate: { name: 'send_date', type: 'varchar', length: 10, nullable: true },
      responseCode: { name: 'response_code', type: 'varchar', length: 8, nullable: true },
      responseMessage: { name: 'response_message', type: 'varchar', length: 200, nullable: true },
      claimToken: { name: 'claim_token', type: 'varchar', length: 36, nullable: true },
      // `int` as in migration 0001 (TypeORM compares it as `integer` on SQLite: see test/schema.test.ts)
      inquiries: { type: 'int', default: 0 },
      noRecordAnswers: { name: 'no_record_answers', type: 'int', default: 0 },
      // The migration's `default: false` is written into the DDL as the SQL literal `false` on both
      // databases; a boolean `false` here would be compared as SQLite's `0`.
      needsOperator: { name: 'needs_operator', type: 'boolean', default: () => 'false' },
      createdAt: { name: 'created_at', ...created },
      updatedAt: { name: 'updated_at', type: t.time, updateDate: true, default: now },
    },
    indices: [
      { name: 'ux_transfers_request', columns: ['service', 'requestId'], unique: true },
      { name: 'ix_transfers_state', columns: ['state'] },
      // how a bank's 전문번호 finds its transfer (Ledger.findBySeq)
      { name: 'ix_transfers_seq', columns: ['institution', 'bankCode', 'companyId', 'sendDate', 'seqNo'] },
      // keyset order of the transfer listing (migration 0004)
      { name: 'ix_transfers_created_id', columns: ['createdAt', 'id'] },
      // a service's day, summed by its day close (migration 0005)
      { name: 'ix_transfers_service_day', columns: ['service', 'sendDate'] },
      // a consent's collections in flight, waited for by its withdrawal (migration 0010)
      { name: 'ix_transfers_consent', columns: ['consentId', 'state'] },
    ],
  });

  const TransferEventEntity = new EntitySchema<TransferEventRow>({
    name: 'TransferEvent',
    tableName: 'transfer_events',
    columns: {
      id: { type: 'integer', primary: true, generated: 'increment' },
      transferId: { name: 'transfer_id', type: 'varchar', length: 36 },
      fromState: { name: 'from_state', type: 'varchar', length: 16, nullable: true },
      toState: { name: 'to_state', type: 'varchar', length: 16 },
      reason: { type: 'varchar', length: 300 },
      at: { ...created },
    },
    indices: [{ name: 'ix_transfer_events_transfer', columns: ['transferId'] }],
  });

  const TelegramEntity = new EntitySchema<TelegramRow>({
    name: 'Telegram',
    tableName: 'telegrams',
    columns: {
      id: { type: 'integer', primary: true, generated: 'increment' },
      transferId: { name: 'transfer_id', type: 'varchar', length: 36, nullable: true },
      institution: { type: 'varchar', length: 32 },
      direction: { type: 'varchar', length: 3 },
      message: { type: 'varchar', length: 64 },
      seqNo: { name: 'seq_no', type: 'varchar', length: 6, nullable: true },
      sendDate: { name: 'send_date', type: 'varchar', length: 10, nullable: true },
      raw: { type: t.bytes },
      // the Ledger always writes it; the migration gave it the same default as every other time column
      at: { type: t.time, default: now },
    },
    indices: [{ name: 'ix_telegrams_transfer', columns: ['transferId'] }],
  });

  const NoticeEntity = new EntitySchema<NoticeRow>({
    name: 'Notice',
    tableName: 'notices',
    columns: {
      id: { type: 'integer', primary: true, generated: 'increment' },
      institution: { type: 'varchar', length: 32 },
      bankCode: { name: 'bank_code', type: 'varchar', length: 3 },
      companyId: { name: 'company_id', type: 'varchar', length: 32 },
      message: { type: 'varchar', length: 64 },
      sendDate: { name: 'send_date', type: 'varchar', length: 10 },
      seqNo: { name: 'seq_no', type: 'varchar', length: 6 },
      fields: { type: 'text' },
      raw: { type: t.bytes },
      transferId: { name: 'transfer_id', type: 'varchar', length: 36, nullable: true },
      receivedAt: { name: 'received_at', ...created },
    },
    // A notice is the same notice when the bank numbers it the same: stored once (migration 0001).
    indices: [{ name: 'ux_notices', columns: ['institution', 'bankCode', 'companyId', 'message', 'sendDate', 'seqNo'], unique: true }],
  });

  const SequenceEntity = new EntitySchema<SequenceRow>({
    name: 'Sequence',
    tableName: 'sequences',
    columns: {
      scopeDate: { name: 'scope_date', type: 'varchar', length: 10, primary: true },
      bankCode: { name: 'bank_code', type: 'varchar', length: 3, primary: true },
      companyId: { name: 'company_id', type: 'varchar', length: 32, primary: true },
      nextValue: { name: 'next_value', type: 'int' },
    },
  });

  const ApiKeyEntity = new EntitySchema<ApiKeyRow>({
    name: 'ApiKey',
    tableName: 'api_keys',
    columns: {
      id: { type: 'integer', primary: true, generated: 'increment' },
      // unique through the index ux_api_keys_key_id (migration 0003), not a column constraint
      keyId: { name: 'key_id', type: 'varchar', length: 16 },
      service: { type: 'varchar', length: 64 },
      keyHash: { name: 'key_hash', type: 'varchar', length: 64, unique: true },
      maxAmount: { name: 'max_amount', type: 'bigint', transformer: wonTransformer },
      // keys made before migration 0003 keep what they could do then
      scopes: { type: 'varchar', length: 200, default: 'transfers,verifications' },
      createdAt: { name: 'created_at', ...created },
      revokedAt: { name: 'revoked_at', type: t.time, nullable: true },
    },
    indices: [{ name: 'ux_api_keys_key_id', columns: ['keyId'], unique: true }],
  });

  // The nightly batch's tables (migration 0005): times written by the batch, no defaults.
  const money = { type: 'bigint', transformer: wonTransformer } as const;
  const ReconRunEntity = new EntitySchema<ReconRunRow>({
    name: 'ReconRun',
    tableName: 'recon_runs',
    columns: {
      id: { type: 'integer', primary: true, generated: 'increment' },
      institution: { type: 'varchar', length: 32 },
      businessDate: { name: 'business_date', type: 'varchar', length: 10 },
      file: { type: 'varchar', length: 300, nullable: true },
      status: { type: 'varchar', length: 16 },
      figures: { type: 'text', nullable: true },
      startedAt: { name: 'started_at', type: t.time },
      finishedAt: { name: 'finished_at', type: t.time, nullable: true },
    },
    indices: [{ name: 'ix_recon_runs_day', columns: ['institution', 'businessDate'] }],
  });

  const ReconBreakEntity = new EntitySchema<ReconBreakRow>({
    name: 'ReconBreak',
    tableName: 'recon_breaks',
    columns: {
      id: { type: 'integer', primary: true, generated: 'increment' },
      institution: { type: 'varchar', length: 32 },
      businessDate: { name: 'business_date', type: 'varchar', length: 10 },
      category: { type: 'varchar', length: 24 },
      subject: { type: 'varchar', length: 64 },
      transferId: { name: 'transfer_id', type: 'varchar', length: 36, nullable: true },
      service: { type: 'varchar', length: 64, nullable: true },
      ours: { type: 'varchar', length: 200, nullable: true },
      bank: { type: 'varchar', length: 200, nullable: true },
      detail: { type: 'varchar', length: 500 },
      status: { type: 'varchar', length: 16 },
      firstRunId: { name: 'first_run_id', type: 'integer' },
      lastRunId: { name: 'last_run_id', type: 'integer' },
      resolvedBy: { name: 'resolved_by', type: 'varchar', length: 64, nullable: true },
      resolution: { type: 'varchar', length: 500, nullable: true },
      resolvedAt: { name: 'resolved_at', type: t.time, nullable: true },
    },
    indices: [{ name: 'ux_recon_breaks', columns: ['institution', 'businessDate', 'category', 'subject'], unique: true }],
  });

  const BankDayTotalsEntity = new EntitySchema<BankDayTotalsRow>({
    name: 'BankDayTotals',
    tableName: 'bank_day_totals',
    columns: {
      institution: { type: 'varchar', length: 32, primary: true },
      businessDate: { name: 'business_date', type: 'varchar', length: 10, primary: true },
      fields: { type: 'text' },
      askedAt: { name: 'asked_at', type: t.time },
    },
  });

  const DayCloseEntity = new EntitySchema<DayCloseRow>({
    name: 'DayClose',
    tableName: 'day_closes',
    columns: {
      service: { type: 'varchar', length: 64, primary: true },
      businessDate: { name: 'business_date', type: 'varchar', length: 10, primary: true },
      succeededCount: { name: 'succeeded_count', type: 'integer' },
      succeededAmount: { name: 'succeeded_amount', ...money },
      failedCount: { name: 'failed_count', type: 'integer' },
      fees: { ...money },
      reversedCount: { name: 'reversed_count', type: 'integer' },
      reversedAmount: { name: 'reversed_amount', ...money },
      unknownCount: { name: 'unknown_count', type: 'integer' },
      unknownAmount: { name: 'unknown_amount', ...money },
      net: { ...money },
      adjustments: { ...money },
      closedAt: { name: 'closed_at', type: t.time },
    },
  });

  const DayAdjustmentEntity = new EntitySchema<DayAdjustmentRow>({
    name: 'DayAdjustment',
    tableName: 'day_adjustments',
    columns: {
      id: { type: 'integer', primary: true, generated: 'increment' },
      service: { type: 'varchar', length: 64 },
      businessDate: { name: 'business_date', type: 'varchar', length: 10 },
      ofDate: { name: 'of_date', type: 'varchar', length: 10 },
      amount: { ...money },
      detail: { type: 'varchar', length: 300 },
      at: { type: t.time },
    },
    indices: [{ name: 'ix_day_adjustments_service', columns: ['service', 'ofDate'] }],
  });

  // Events for the services (migration 0006).
  const EventEntity = new EntitySchema<EventRow>({
    name: 'Event',
    tableName: 'events',
    columns: {
      id: { type: 'integer', primary: true, generated: 'increment' },
      service: { type: 'varchar', length: 64 },
      type: { type: 'varchar', length: 40 },
      aggregate: { type: 'varchar', length: 64 },
      payload: { type: 'text' },
      position: { type: 'integer', nullable: true },
      occurredAt: { name: 'occurred_at', type: t.time },
    },
    indices: [
      { name: 'ux_events_position', columns: ['position'], unique: true },
      { name: 'ix_events_service_position', columns: ['service', 'position'] },
      { name: 'ix_events_aggregate', columns: ['aggregate'] },
    ],
  });

  const WebhookEndpointEntity = new EntitySchema<WebhookEndpointRow>({
    name: 'WebhookEndpoint',
    tableName: 'webhook_endpoints',
    columns: {
      id: { type: 'integer', primary: true, generated: 'increment' },
      service: { type: 'varchar', length: 64 },
      url: { type: 'varchar', length: 2048 },
      types: { type: 'varchar', length: 300 },
      secret: { type: 'text' },
      previousSecret: { name: 'previous_secret', type: 'text', nullable: true },
      previousUntil: { name: 'previous_until', type: t.time, nullable: true },
      cursor: { type: 'integer' },
      createdAt: { name: 'created_at', type: t.time },
      disabledAt: { name: 'disabled_at', type: t.time, nullable: true },
    },
    indices: [{ name: 'ix_webhook_endpoints_service', columns: ['service'] }],
  });

  const WebhookDeliveryEntity = new EntitySchema<WebhookDeliveryRow>({
    name: 'WebhookDelivery',
    tableName: 'webhook_deliveries',
    columns: {
      id: { type: 'integer', primary: true, generated: 'increment' },
      endpointId: { name: 'endpoint_id', type: 'integer' },
      eventId: { name: 'event_id', type: 'integer' },
      position: { type: 'integer' },
      aggregate: { type: 'varchar', length: 64 },
      status: { type: 'varchar', length: 16 },
      attempts: { type: 'integer' },
      firstAt: { name: 'first_at', type: t.time },
      nextAt: { name: 'next_at', type: t.time },
      claimedUntil: { name: 'claimed_until', type: t.time, nullable: true },
      lastStatus: { name: 'last_status', type: 'integer', nullable: true },
      lastError: { name: 'last_error', type: 'varchar', length: 300, nullable: true },
      deliveredAt: { name: 'delivered_at', type: t.time, nullable: true },
    },
    indices: [
      { name: 'ux_webhook_deliveries', columns: ['endpointId', 'eventId'], unique: true },
      { name: 'ix_webhook_deliveries_due', columns: ['status', 'nextAt'] },
      { name: 'ix_webhook_deliveries_lane', columns: ['endpointId', 'aggregate', 'position'] },
      { name: 'ix_webhook_deliveries_claimed', columns: ['endpointId', 'claimedUntil'] },
    ],
  });

  // Runtime switches and their audit (migration 0007): times written by the store, no defaults.
  const SwitchEntity = new EntitySchema<SwitchRow>({
    name: 'Switch',
    tableName: 'switches',
    columns: {
      scope: { type: 'varchar', length: 32, primary: true },
      flow: { type: 'varchar', length: 16, primary: true },
      state: { type: 'varchar', length: 8 },
      version: { type: 'integer' },
      changedAt: { name: 'changed_at', type: t.time },
      changedBy: { name: 'changed_by', type: 'varchar', length: 64 },
      reason: { type: 'varchar', length: 500 },
    },
  });

  const SwitchChangeEntity = new EntitySchema<SwitchChangeRow>({
    name: 'SwitchChange',
    tableName: 'switch_changes',
    columns: {
      id: { type: 'integer', primary: true, generated: 'increment' },
      scope: { type: 'varchar', length: 32 },
      flow: { type: 'varchar', length: 16 },
      fromState: { name: 'from_state', type: 'varchar', length: 8 },
      toState: { name: 'to_state', type: 'varchar', length: 8 },
      changedBy: { name: 'changed_by', type: 'varchar', length: 64 },
      reason: { type: 'varchar', length: 500 },
      changedAt: { name: 'changed_at', type: t.time },
      version: { type: 'integer' },
    },
    indices: [{ name: 'ix_switch_changes_switch', columns: ['scope', 'flow', 'id'] }],
  });

  return {
    EventEntity,
    WebhookEndpointEntity,
    WebhookDeliveryEntity,
    TransferEntity,
    TransferEventEntity,
    TelegramEntity,
    NoticeEntity,
    SequenceEntity,
    ApiKeyEntity,
    ReconRunEntity,
    ReconBreakEntity,
    BankDayTotalsEntity,
    DayCloseEntity,
    DayAdjustmentEntity,
    SwitchEntity,
    SwitchChangeEntity,
  };
}

export type LedgerEntities = ReturnType<typeof ledgerEntities>;
