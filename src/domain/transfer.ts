import type { Decimal } from 'decimal.js';
import type { TransferState } from './transfer-state.js';

/**
 * What moves the money: a `transfer` pays from our parent account (2000/100); a `collection` (집금,
 * 2000/200) takes it from a payer's registered account into ours, under the payer's consent.
 */
export type TransferKind = 'transfer' | 'collection';

/**
 * A transfer: what a service asked for, where it stands, what the bank said. A collection is one too, with
 * the accounts the other way round (withdraw: the payer's; deposit: our parent account).
 */
export interface Transfer {
  id: string;
  kind: TransferKind;
  /** The payer's consent a collection is made under, and its 납부자번호 (null for a transfer). */
  consentId: string | null;
  payerNumber: string | null;
  service: string;
  requestId: string;
  /** SHA-256 of the canonical request body: same id + different body = conflict. */
  requestHash: string;
  institution: string;
  bankCode: string;
  companyId: string;
  withdrawAccount: string;
  depositBankCode: string;
  depositAccount: string;
  amount: Decimal;
  fee: Decimal | null;
  memo: string;
  recipientName: string;
  state: TransferState;
  /** 전문번호 and send date of the 2000/100, once persisted (before its bytes are written). */
  seqNo: string | null;
  sendDate: string | null;
  responseCode: string | null;
  responseMessage: string | null;
  /** The claim of the worker sending it (state `sending`); see migration 0002. */
  claimToken: string | null;
  inquiries: number;
  noRecordAnswers: number;
  needsOperator: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** One move of a transfer, with why. */
export interface TransferEvent {
  id: number;
  transferId: string;
  fromState: TransferState | null;
  toState: TransferState;
  reason: string;
  at: Date;
}

/** A telegram as kept: the bytes that crossed a link (secrets overwritten), and what they belong to. */
export interface KeptTelegram {
  transferId: string | null;
  institution: string;
  direction: 'out' | 'in';
  message: string;
  seqNo: string | null;
  sendDate: string | null;
  raw: Buffer;
  at: Date;
}

/** What a state change carries besides the fields it sets. */
export interface MoveExtras {
  /** Moved only while this worker's claim is still the one on the transfer. */
  readonly claim?: string;
  /**
   * The answer that brought the change, kept in the same transaction: kept whether or not the change
   * applies, and never acted on without being kept.
   */
  readonly answer?: KeptTelegram;
}

/** A notice a bank sent us (deposit, failure), stored once. */
export interface Notice {
  id: number;
  institution: string;
  bankCode: string;
  companyId: string;
  message: string;
  sendDate: string;
  seqNo: string;
  /** Decoded fields as JSON (amounts as strings). */
  fields: string;
  raw: Buffer;
  transferId: string | null;
  receivedAt: Date;
}


/**
 * A transfer as accepted, before anything happened to it; `route` says why it goes to its institution.
 * Without a kind it is a transfer.
 */
export type NewTransfer = Omit<
  Transfer,
  'id' | 'kind' | 'consentId' | 'payerNumber' | 'state' | 'seqNo' | 'sendDate' | 'responseCode' | 'responseMessage' | 'fee' | 'claimToken' | 'inquiries' | 'noRecordAnswers' | 'needsOperator' | 'createdAt' | 'updatedAt'
> & { readonly kind?: TransferKind; readonly consentId?: string | null; readonly payerNumber?: string | null; readonly route?: string };

/** Fields a state change may set along with the state. */
export type TransferPatch = Partial<Pick<Transfer, 'seqNo' | 'sendDate' | 'responseCode' | 'responseMessage' | 'fee' | 'claimToken' | 'inquiries' | 'noRecordAnswers' | 'needsOperator'>>;
