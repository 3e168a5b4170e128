import type { TelegramCodec } from '../codec/telegram-codec.js';
import type { TelegramSpec } from '../spec/types.js';
import type { BankOutcome } from './bank-record.js';

/**
 * What follows each record on disk.
 * - `none`: records are concatenated (KFTC CMS).
 * - `lf` / `crlf`: every record is followed by that line ending (the last one may end the file without it).
 * - `any`: reading takes whichever the first record has (none, LF or CRLF) and holds every other record
 *   to it; writing writes CRLF.
 */
export type LineEnding = 'none' | 'lf' | 'crlf' | 'any';

export const LINE_ENDINGS: readonly LineEnding[] = ['none', 'lf', 'crlf', 'any'];

/** The role of a message in the file. */
export type RecordRole = 'header' | 'data' | 'trailer';

/**
 * One trailer field and what it must equal, computed from the records while reading (and written by the
 * writer): `count` of data records or of all records (header and trailer included), or `sum` of a data
 * field, optionally only over data records whose `where` fields hold one of the listed wire values.
 */
export interface TrailerCheck {
  /** Trailer field that holds the total. */
  readonly field: string;
  readonly count?: 'data' | 'records';
  /** Data field summed (an amount or digits, whole units). */
  readonly sum?: string;
  /**
   * Data field → wire values; a record matches when the field's bytes are one of the values padded with
   * spaces to the field's width (give digit fields at full width). Every listed field must match (AND).
   */
  readonly where?: Readonly<Record<string, readonly string[]>>;
  /** Words for error messages: what the check counts. */
  readonly describe: string;
}

/** Date forms a canonical date may take in a field. MMDD takes its year from the file date (header). */
export type DateFormat = 'YYYYMMDD' | 'YYMMDD' | 'MMDD';

/** Where a canonical value lives: a field of the data record (or of the header), or a slice of one. */
export interface FieldSource {
  readonly record: 'data' | 'header';
  readonly field: string;
  /** First byte of the slice inside the field (0 = the field's start). */
  readonly from: number;
  /** Bytes of the slice; undefined = the whole field from `from`. */
  readonly length: number | undefined;
  /** Dates only. Undefined for a `date` field (YYYYMMDD by type). */
  readonly format?: DateFormat;
}

/** The result flag: wire value → outcome. Any other value (blank included) is `unknown`, never guessed. */
export interface OutcomeSource {
  readonly field: string;
  /** Wire value → outcome, in the order written in the spec (the first value of an outcome is the one written). */
  readonly values: ReadonlyMap<string, Exclude<BankOutcome, 'unknown'>>;
  /**
   * A data field the bank fills with the amount it actually moved (실제이체금액): a record flagged as
   * succeeded whose paid amount differs from its amount is `unknown`, not succeeded. Written as the amount
   * for a succeeded record.
   */
  readonly paidAmount?: string;
}

/** How a data record becomes a canonical record, and back. */
export interface RecordMapping {
  readonly sendDate?: FieldSource;
  readonly seqNo?: FieldSource;
  readonly bankTxId?: FieldSource;
  readonly bankCode?: FieldSource;
  readonly account?: FieldSource;
  readonly amount: FieldSource;
  readonly fee?: FieldSource;
  readonly outcome?: OutcomeSource;
  readonly code?: FieldSource;
  readonly fileDate?: FieldSource;
}

/** Canonical fields a mapping may name, with the kind of value each holds. */
export const CANONICAL_FIELDS = {
  sendDate: 'date',
  seqNo: 'digits',
  bankTxId: 'text',
  bankCode: 'digits',
  account: 'text',
  amount: 'digits',
  fee: 'digits',
  code: 'text',
  fileDate: 'date',
} as const;

export type CanonicalField = keyof typeof CANONICAL_FIELDS;

/** A data-record numbering field: the writer numbers data records from 1; `check` makes the reader insist. */
export interface RecordSequence {
  readonly field: string;
  readonly check: boolean;
}

/** The `file:` section of a bank-file spec, validated. */
export interface FileLayout {
  readonly recordLength: number;
  readonly lineEnding: LineEnding;
  readonly header: string;
  readonly data: readonly string[];
  readonly trailer: string;
  readonly checks: readonly TrailerCheck[];
  readonly records: RecordMapping;
  readonly sequence?: RecordSequence;
}

/** A loaded bank-file spec: the record layouts (an ordinary telegram spec), its codec, and the file rules. */
export interface BankFileSpec {
  /** Where it was loaded from, for error messages. */
  readonly file: string;
  readonly telegram: TelegramSpec;
  readonly codec: TelegramCodec;
  readonly layout: FileLayout;
}
