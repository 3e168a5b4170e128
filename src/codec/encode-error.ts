import { FirmbankError } from '../errors/firmbank-error.js';

export type EncodeErrorCode =
  | 'FB_ENCODE_UNKNOWN_MESSAGE'
  | 'FB_ENCODE_UNKNOWN_FIELD'
  | 'FB_ENCODE_TOO_LONG'
  | 'FB_ENCODE_UNENCODABLE'
  | 'FB_ENCODE_INVALID_VALUE';

/**
 * A value that cannot be written into a telegram. Names the message, the field and its byte offset;
 * the message never contains the value of a masked field.
 */
export class EncodeError extends FirmbankError {
  declare readonly code: EncodeErrorCode;
  readonly messageName: string;
  readonly field: string | undefined;
  readonly offset: number | undefined;

  constructor(code: EncodeErrorCode, detail: string, at: { message: string; field?: string; offset?: number }) {
    const where = at.field === undefined ? `${at.message}` : `${at.message}.${at.field} (offset ${at.offset})`;
    super(code, `cannot encode ${where}: ${detail}`);
    this.messageName = at.message;
    this.field = at.field;
    this.offset = at.offset;
  }
}
