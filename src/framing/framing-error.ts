import { FirmbankError } from '../errors/firmbank-error.js';

export type FramingErrorCode = 'FB_FRAME_BAD_LENGTH' | 'FB_FRAME_TOO_LONG' | 'FB_FRAME_TOO_SHORT';

/**
 * Bytes on a stream that are not a frame: the stream can no longer be trusted, so the connection that
 * carried them is closed (and nothing else). Carries a hex dump of the offending bytes.
 */
export class FramingError extends FirmbankError {
  declare readonly code: FramingErrorCode;
  /** Hex of the bytes where the frame should have started (up to 32). */
  readonly hex: string;
  /**
   * Frames completed in the same read before the bad bytes: good telegrams (a bank's answer, say) that the
   * reader still hands on before it closes the connection — dropping them would make an answer unknown.
   */
  complete: Buffer[] = [];

  constructor(code: FramingErrorCode, detail: string, bytes: Uint8Array) {
    const hex = Buffer.from(bytes.subarray(0, 32)).toString('hex').replace(/(..)(?!$)/g, '$1 ');
    super(code, `bad frame: ${detail} [${hex}${bytes.length > 32 ? ' …' : ''}]`);
    this.hex = hex;
  }
}
