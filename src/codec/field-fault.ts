/**
 * Raised by a single field's encoder or decoder; the telegram codec turns it into an {@link EncodeError}
 * or {@link DecodeError} carrying the message, field and offset. Kept internal so that field code stays
 * free of message-level context.
 */
export class FieldFault {
  constructor(
    readonly kind: 'too-long' | 'unencodable' | 'invalid-value' | 'invalid-bytes',
    readonly detail: string,
    /** Byte offset inside the field, when known. */
    readonly at = 0,
  ) {}
}
