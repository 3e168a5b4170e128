import { FirmbankError } from '../errors/firmbank-error.js';

/**
 * - `FB_FILE_INVALID`: the bytes are not a file of the spec (layout, order, charset, trailer totals).
 * - `FB_FILE_UNREADABLE`: the file could not be opened or read at all.
 * - `FB_FILE_UNWRITABLE`: a record or header given to the writer cannot be written as the spec says.
 */
export type BankFileErrorCode = 'FB_FILE_INVALID' | 'FB_FILE_UNREADABLE' | 'FB_FILE_UNWRITABLE';

export interface BankFileErrorAt {
  /** The file's name as given by the caller (a path, or `opts.name` for a stream). */
  readonly file: string;
  /** 1-based record number (the header is 1); for a missing record, the number it would have had. */
  readonly recordNo: number | null;
  /** Byte offset in the file of the problem (of the record, or of the field inside it). */
  readonly byteOffset: number | null;
  readonly field?: string;
  /** Hex of the bytes around the problem, masked fields shown as `**`. */
  readonly context?: string;
}

/**
 * A bank file that cannot be read (or written): names the file, the record number, the byte offset, the
 * field when one is at fault, and what is wrong, in words an operator can act on. The byte context never
 * shows an account or a name: masked fields are `**`, as in the codec's errors.
 */
export class BankFileError extends FirmbankError {
  declare readonly code: BankFileErrorCode;
  readonly file: string;
  readonly recordNo: number | null;
  readonly byteOffset: number | null;
  readonly field: string | undefined;
  readonly context: string | undefined;
  /** What is wrong, without the location prefix. */
  readonly reason: string;

  constructor(code: BankFileErrorCode, reason: string, at: BankFileErrorAt) {
    const where = [
      at.recordNo !== null ? `record ${at.recordNo}` : '',
      at.field ? `field ${at.field}` : '',
      at.byteOffset !== null ? `byte ${at.byteOffset}` : '',
    ].filter(Boolean);
    super(code, `${at.file}${where.length ? ` (${where.join(', ')})` : ''}: ${reason}${at.context ? ` [${at.context}]` : ''}`);
    this.file = at.file;
    this.recordNo = at.recordNo;
    this.byteOffset = at.byteOffset;
    this.field = at.field;
    this.context = at.context;
    this.reason = reason;
  }
}
