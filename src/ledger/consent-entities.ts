import { EntitySchema } from 'typeorm';
import { columnTypes, type DatabaseKind } from './entities.js';

/**
 * The rows of the consent tables (migration 0009). A row is not the domain's Consent
 * (src/domain/consent.ts): it holds the payer's id number and phone sealed, the live payer number that
 * makes a payer number unique among live consents, and the claim of the telegram in flight.
 */
export interface ConsentRow {
  id: string;
  service: string;
  requestId: string;
  requestHash: string;
  institution: string;
  payerNumber: string;
  /** The payer number while the consent is live, NULL once it ended: unique per institution. */
  livePayerNumber: string | null;
  bankCode: string;
  account: string;
  /** Sealed (SecretBox), never in clear. */
  holderIdNo: string;
  /** Sealed (SecretBox), never in clear. */
  phone: string;
  phoneMasked: string;
  state: string;
  callId: string | null;
  arsOutcome: string | null;
  recordingId: string | null;
  recordingSha256: string | null;
  recordingLocation: string | null;
  recordLocation: string | null;
  recordSha256: string | null;
  confirmedAt: Date | null;
  consentType: string | null;
  claimToken: string | null;
  seqNo: string | null;
  sendDate: string | null;
  applicationDate: string | null;
  bankAttempts: number;
  responseCode: string | null;
  responseMessage: string | null;
  registeredAt: Date | null;
  withdrawRequestedAt: Date | null;
  endedAt: Date | null;
  retainUntil: Date | null;
  needsOperator: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** One change of a consent's state, appended and never changed (the audit a regulator may ask for). */
export interface ConsentEventRow {
  id: number;
  consentId: string;
  fromState: string | null;
  toState: string;
  reason: string;
  at: Date;
}

/** A 2000/650 as the bank sent it (secrets overwritten), whether or not it named a consent of ours. */
export interface ConsentNoticeRow {
  id: number;
  institution: string;
  bankCode: string;
  companyId: string;
  message: string;
  sendDate: string;
  seqNo: string;
  payerNumber: string;
  cancels: boolean;
  consentId: string | null;
  fields: string;
  raw: Buffer;
  receivedAt: Date;
}

/** The consent tables, typed for one database: add these to the data source's entities. */
export function consentEntities(kind: DatabaseKind) {
  const t = columnTypes(kind);
  const str = (length: number, name?: string) => ({ type: 'varchar' as const, length, ...(name ? { name } : {}) });
  const opt = (length: number, name: string) => ({ ...str(length, name), nullable: true });
  const time = (name: string, nullable = false) => ({ name, type: t.time, nullable });

  const ConsentEntity = new EntitySchema<ConsentRow>({
    name: 'Consent',
    tableName: 'consents',
    columns: {
      id: { ...str(36), primary: true },
      service: str(64),
      requestId: str(128, 'request_id'),
      requestHash: str(64, 'request_hash'),
      institution: str(32),
      payerNumber: str(20, 'payer_number'),
      livePayerNumber: opt(20, 'live_payer_number'),
      bankCode: str(3, 'bank_code'),
      account: str(32),
      holderIdNo: { name: 'holder_id_no', type: 'text' },
      phone: { type: 'text' },
      phoneMasked: str(20, 'phone_masked'),
      state: str(20),
      callId: opt(200, 'call_id'),
      arsOutcome: opt(16, 'ars_outcome'),
      recordingId: opt(200, 'recording_id'),
      recordingSha256: opt(64, 'recording_sha256'),
      recordingLocation: opt(1000, 'recording_location'),
      recordLocation: opt(1000, 'record_location'),
      recordSha256: opt(64, 'record_sha256'),
      confirmedAt: time('confirmed_at', true),
      consentType: opt(1, 'consent_type'),
      claimToken: opt(36, 'claim_token'),
      seqNo: opt(6, 'seq_no'),
      sendDate: opt(10, 'send_date'),
      applicationDate: opt(10, 'application_date'),
      bankAttempts: { name: 'bank_attempts', type: 'integer' },
      responseCode: opt(8, 'response_code'),
      responseMessage: opt(200, 'response_message'),
      registeredAt: time('registered_at', true),
      withdrawRequestedAt: time('withdraw_requested_at', true),
      endedAt: time('ended_at', true),
      retainUntil: time('retain_until', true),
      needsOperator: { name: 'needs_operator', type: 'boolean' },
      createdAt: time('created_at'),
      updatedAt: time('updated_at'),
    },
    indices: [
      { name: 'ux_consents_request', columns: ['service', 'requestId'], unique: true },
      { name: 'ux_consents_live_payer', columns: ['institution', 'livePayerNumber'], unique: true },
      { name: 'ix_consents_state', columns: ['institution', 'state', 'updatedAt'] },
      { name: 'ix_consents_confirmed', columns: ['confirmedAt'] },
    ],
  });

  const ConsentEventEntity = new EntitySchema<ConsentEventRow>({
    name: 'ConsentEvent',
    tableName: 'consent_events',
    columns: {
      id: { type: 'integer', primary: true, generated: 'increment' },
      consentId: str(36, 'consent_id'),
      fromState: opt(20, 'from_state'),
      toState: str(20, 'to_state'),
      reason: str(300),
      at: { type: t.time },
    },
    indices: [{ name: 'ix_consent_events_consent', columns: ['consentId'] }],
  });

  const ConsentNoticeEntity = new EntitySchema<ConsentNoticeRow>({
    name: 'ConsentNotice',
    tableName: 'consent_notices',
    columns: {
      id: { type: 'integer', primary: true, generated: 'increment' },
      institution: str(32),
      bankCode: str(3, 'bank_code'),
      companyId: str(32, 'company_id'),
      message: str(64),
      sendDate: str(10, 'send_date'),
      seqNo: str(6, 'seq_no'),
      payerNumber: str(20, 'payer_number'),
      cancels: { type: 'boolean' },
      consentId: opt(36, 'consent_id'),
      fields: { type: 'text' },
      raw: { type: t.bytes },
      receivedAt: time('received_at'),
    },
    indices: [
      // The same notice when the bank numbers it the same: kept once, acknowledged every time.
      { name: 'ux_consent_notices', columns: ['institution', 'bankCode', 'companyId', 'message', 'sendDate', 'seqNo'], unique: true },
      { name: 'ix_consent_notices_payer', columns: ['institution', 'payerNumber'] },
    ],
  });

  return { ConsentEntity, ConsentEventEntity, ConsentNoticeEntity };
}
