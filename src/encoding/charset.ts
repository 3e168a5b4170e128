/**
 * The character sets a spec may declare. Lengths in specs are byte counts in this charset.
 *
 * - `euc-kr`: strict KS X 1001 (both bytes in 0xA1–0xFE): 2,350 Hangul syllables and symbols.
 * - `cp949`: Microsoft's Unified Hangul Code, EUC-KR plus the 8,822 remaining syllables (똠, 햏, 뷁 …).
 */
export type CharsetName = 'euc-kr' | 'cp949';

export const CHARSET_NAMES: readonly CharsetName[] = ['euc-kr', 'cp949'];

/** {@link Charset.encodeInto} result: a character the charset cannot hold. */
export const UNENCODABLE = -1;
/** {@link Charset.encodeInto} result: the text needs more bytes than the room given. */
export const TOO_LONG = -2;

/**
 * A byte-exact, strict charset. Never substitutes `?` or U+FFFD: what it cannot represent is reported.
 * Results are plain numbers and strings (no result objects) because these run once per field per telegram.
 */
export interface Charset {
  readonly name: CharsetName;
  /**
   * Writes `text` at `buf[offset..offset+max)`; never writes past `max` nor cuts a character.
   * Returns the bytes written, or {@link UNENCODABLE} / {@link TOO_LONG}.
   */
  encodeInto(text: string, buf: Uint8Array, offset: number, max: number): number;
  /** Decodes `buf[start..end)`: the text, or the offset (relative to start) of the first bad byte. */
  decode(buf: Uint8Array, start: number, end: number): string | number;
  /** Byte length of `text`, or -1 if some character cannot be encoded. */
  byteLength(text: string): number;
  /** Index in `text` of the first character that cannot be encoded, or -1. */
  firstUnencodable(text: string): number;
}
