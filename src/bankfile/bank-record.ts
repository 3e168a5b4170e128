import type { Decimal } from 'decimal.js';
import type { FieldInput } from '../codec/values.js';

export type BankOutcome = 'succeeded' | 'failed' | 'unknown';

/**
 * One data record of a bank file in the institution-neutral form: what reconciliation compares with the
 * ledger. Institution field names live only in the spec's `records:` mapping.
 */
export interface BankRecord {
  /** 1-based record number in the file (header is 1). */
  readonly recordNo: number;
  /** Send date of the transaction, YYYY-MM-DD, when the file carries it (from the record or the header). */
  readonly sendDate: string | null;
  /** Our 전문번호 / reference echoed by the bank (digits, as written), when the file carries it. */
  readonly seqNo: string | null;
  /** The bank's own transaction number, when the file carries one. */
  readonly bankTxId: string | null;
  /** Receiving bank code as written in the file (2 or 3 digits) and the account, when present. */
  readonly bankCode: string | null;
  readonly account: string | null;
  /** Whole won as a decimal string ("12000"). */
  readonly amount: string;
  readonly fee: string | null;
  readonly outcome: BankOutcome;
  /** The bank's result code (불능코드), trimmed; null when blank. */
  readonly code: string | null;
  /** The file's own date (header), YYYY-MM-DD. */
  readonly fileDate: string | null;
}

/**
 * What the writer takes for one data record: a {@link BankRecord}, or anything shaped like one. Canonical
 * values the file has no place for are not written (they read back as null); `recordNo` and `fileDate` are
 * the writer's to set (a `fileDate` or header-borne `sendDate` that differs from the header's is refused).
 */
export interface BankRecordInput {
  readonly recordNo?: number;
  readonly sendDate?: string | null;
  readonly seqNo?: string | null;
  readonly bankTxId?: string | null;
  readonly bankCode?: string | null;
  readonly account?: string | null;
  readonly amount: string | Decimal | bigint | number;
  readonly fee?: string | Decimal | bigint | number | null;
  readonly outcome?: BankOutcome;
  readonly code?: string | null;
  readonly fileDate?: string | null;
  /** Which data message to write, when the spec has more than one (default: the first). */
  readonly message?: string;
  /** Other fields of the data record by spec name (a memo, a 거래구분), written as given. */
  readonly fields?: Readonly<Record<string, FieldInput>>;
}
