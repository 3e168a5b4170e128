import { FirmbankError } from '../errors/firmbank-error.js';

export type DecodeErrorCode =
  | 'FB_DECODE_LENGTH'
  | 'FB_DECODE_UNKNOWN_MESSAGE'
  | 'FB_DECODE_INVALID_BYTES'
  | 'FB_DECODE_INVALID_VALUE';

/**
 * Bytes that are not a telegram of the spec. Names the message (when known), the field, the byte
 * offset, and carries a hex view of the bytes around it with masked fields blanked out.
 */
export class DecodeError extends FirmbankError {
  declare readonly code: DecodeErrorCode;
  readonly messageName: string | undefined;
  readonly field: string | undefined;
  readonly offset: number | undefined;
  /** Hex of the bytes around the problem, masked where the field is masked. */
  readonly context: string | undefined;

  constructor(code: DecodeErrorCode, detail: string, at: { message?: string; field?: string; offset?: number; context?: string } = {}) {
    const where = [at.message, at.field].filter(Boolean).join('.');
    const pos = at.offset === undefined ? '' : ` at offset ${at.offset}`;
    super(code, `cannot decode${where ? ' ' + where : ''}${pos}: ${detail}${at.context ? ` [${at.context}]` : ''}`);
    this.messageName = at.message;
    this.field = at.field;
    this.offset = at.offset;
    this.context = at.context;
  }
}
