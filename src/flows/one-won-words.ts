import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { charsetFor } from '../encoding/korean-charset.js';
import { projectRoot } from '../paths.js';
import { OneWonSettingsError } from './one-won-settings-error.js';

/** The shipped list of code words. */
export const ONE_WON_WORDS_FILE = join(projectRoot(), 'specs/one-won-words.txt');

const HANGUL_FIRST = 0xac00;
const HANGUL_LAST = 0xd7a3;
/**
 * Medial vowels people confuse when they type what they read: ㅐ/ㅔ, ㅒ/ㅖ, ㅙ/ㅚ/ㅞ, ㅢ. Their index in a
 * syllable's code ((code − 0xAC00) % 588 / 28).
 */
const CONFUSABLE_VOWELS = new Set([1, 3, 5, 7, 10, 11, 15, 19]);

/** Why `word` cannot be a code word, or undefined when it can. */
export function codeWordProblem(word: string): string | undefined {
  const syllables = [...word];
  if (syllables.length < 2 || syllables.length > 3) return 'must be 2 or 3 syllables';
  for (const s of syllables) {
    const c = s.codePointAt(0)!;
    if (c < HANGUL_FIRST || c > HANGUL_LAST) return `"${s}" is not a Hangul syllable`;
    if (CONFUSABLE_VOWELS.has(Math.floor(((c - HANGUL_FIRST) % 588) / 28))) return `"${s}" has a vowel people confuse when typing (ㅐ ㅒ ㅔ ㅖ ㅙ ㅚ ㅞ ㅢ)`;
  }
  // Strict KS X 1001: a bank that speaks EUC-KR must print it, not a `?`.
  if (charsetFor('euc-kr').firstUnencodable(word) >= 0) return 'is not in EUC-KR (KS X 1001)';
  return undefined;
}

/**
 * The code words of `file`: one a line, `#` comments and blank lines skipped. Every word is checked
 * ({@link codeWordProblem}), and duplicates refused: a {@link OneWonSettingsError} names the line.
 */
export function loadOneWonWords(file = ONE_WON_WORDS_FILE): readonly string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new OneWonSettingsError('words', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const words: string[] = [];
  const seen = new Set<string>();
  text.split('\n').forEach((raw, i) => {
    const word = raw.trim().normalize('NFC');
    if (word === '' || word.startsWith('#')) return;
    const problem = codeWordProblem(word) ?? (seen.has(word) ? 'appears twice' : undefined);
    if (problem) throw new OneWonSettingsError('words', `${file} line ${i + 1}: "${word}" ${problem}`);
    seen.add(word);
    words.push(word);
  });
  if (words.length < 100) throw new OneWonSettingsError('words', `${file} has ${words.length} words; at least 100 are needed for codes worth guessing`);
  return words;
}
