/**
 * The character sets a spec may declare. Lengths in specs are byte counts in this charset.
 *
 * - `euc-kr`: strict KS X 1001 (both bytes in 0xA1–0xFE): 2,350 Hangul syllables and symbols.
 * - `cp949`: Microsoft's Unified Hangul Code, EUC-KR plus the 8,822 remaining syllables (똠, 햏, 뷁 …).
 */
export type CharsetName = 'euc-kr' | 'cp949';

export const CHARSET_NAMES: readonly CharsetName[] = ['euc-kr', 'cp949'];

/** Result of encoding into a field: bytes written, or where it failed and why. */
export type EncodeResult =
  | { ok: true; written: number }
  | { ok: false; reason: 'unencodable'; index: number; char: string }
  | { ok: false; reason: 'too-long'; needed: number };

/** Result of decoding a byte range: the text, or the offset (relative to start) of the bad byte. */
export type DecodeResult = { ok: true; text: string } | { ok: false; at: number };

/**
 * A byte-exact, strict charset. Never substitutes `?` or U+FFFD: what it cannot represent is reported.
 */
export interface Charset {
  readonly name: CharsetName;
  /** Writes `text` at `buf[offset..offset+max)`; never writes past `max` nor cuts a character. */
  encodeInto(text: string, buf: Uint8Array, offset: number, max: number): EncodeResult;
  /** Decodes `buf[start..end)`. */
  decode(buf: Uint8Array, start: number, end: number): DecodeResult;
  /** Byte length of `text`, or -1 if some character cannot be encoded. */
  byteLength(text: string): number;
}
