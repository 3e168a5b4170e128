import type { OneWonCodeKind } from './one-won-ports.js';

/** ASCII `!`…`~` → U+FF01…U+FF5E, and the space → the ideographic space: every character 2 bytes in EUC-KR. */
export function toFullWidth(text: string): string {
  return text.replace(/[\x20-\x7e]/g, (c) => (c === ' ' ? '\u3000' : String.fromCharCode(c.charCodeAt(0) + 0xfee0)));
}

/** The memo (적요) that carries a code: the prefix, then the code, full-width when the settings say so. */
export function memoOf(prefix: string, code: string, fullWidth: boolean): string {
  const memo = prefix + code;
  return fullWidth ? toFullWidth(memo) : memo;
}

/**
 * The code in what a user typed: compatibility forms folded (full-width digits, decomposed Hangul), spaces
 * and hyphens dropped, and the memo's prefix too when the user copied it along. Undefined when it cannot
 * be a code of `kind` at all (that is bad input, not a wrong code: it costs no attempt).
 */
export function typedCode(kind: OneWonCodeKind, typed: string, prefix: string): string | undefined {
  let code = typed.normalize('NFKC').replace(/[\s-]/g, '');
  const p = prefix.normalize('NFKC').replace(/\s/g, '');
  if (p !== '' && code.startsWith(p) && code.length > p.length) code = code.slice(p.length);
  if (kind === 'digits') return /^\d{4}$/.test(code) ? code : undefined;
  return /^[\uac00-\ud7a3]{2,3}$/.test(code) ? code : undefined;
}
