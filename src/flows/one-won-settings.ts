import type { OneWonCodeKind, OneWonLimits } from './one-won-ports.js';
import { OneWonSettingsError } from './one-won-settings-error.js';

/** How one-won verifications are made and limited. */
export interface OneWonSettings extends OneWonLimits {
  /**
   * `digits`: 4 digits (1 in 10,000 per guess). `word`: a word of the shipped list (1 in a few hundred per
   * guess: with 5 attempts a blind guesser wins about once in 90 tries; lower maxAttempts for words).
   */
  readonly codeKind: OneWonCodeKind;
  /** Printed before the code in the memo (적요), e.g. `인증`: the holder tells it from other deposits. */
  readonly memoPrefix: string;
  /** The memo in full-width forms (１２３４), for institutions whose banks reject half-width memos. */
  readonly fullWidth: boolean;
  /** How long a code is accepted, from the start: at most 15 minutes (the regulator's guideline). */
  readonly validityMs: number;
  /** Wrong codes before the verification is locked. */
  readonly maxAttempts: number;
  /** Ask the bank for the holder's name first (6000/100) when the caller gives one. */
  readonly checkHolderName: boolean;
  /** The HMAC key of codes, accounts and requests (from the environment): at least 32 characters. */
  readonly secret: string;
}

/** Everything but the secret, which has no default. */
export const ONE_WON_DEFAULTS: Omit<OneWonSettings, 'secret'> = {
  codeKind: 'digits',
  memoPrefix: '인증',
  fullWidth: false,
  validityMs: 600_000,
  maxAttempts: 5,
  perAccountPerHour: 3,
  perServicePerDay: 5_000,
  perServicePerSecond: 20,
  checkHolderName: true,
};

/** The regulator's guideline: a one-won code lives at most 15 minutes. */
export const MAX_VALIDITY_MS = 900_000;

/** The shortest secret taken: an HMAC key that a database dump cannot be searched with. */
const MIN_SECRET_CHARS = 32;

/**
 * The settings with defaults filled in, each checked: a {@link OneWonSettingsError} names the first
 * that cannot be used (a validity above 15 minutes, a limit that is not a whole number ≥ 1, a short secret).
 */
export function oneWonSettings(given: Partial<OneWonSettings> & Pick<OneWonSettings, 'secret'>): OneWonSettings {
  const s: OneWonSettings = { ...ONE_WON_DEFAULTS, ...given };
  if (s.codeKind !== 'digits' && s.codeKind !== 'word') throw new OneWonSettingsError('codeKind', `must be "digits" or "word", not ${JSON.stringify(s.codeKind)}`);
  if (typeof s.memoPrefix !== 'string' || [...s.memoPrefix].length > 7) throw new OneWonSettingsError('memoPrefix', 'must be text of at most 7 characters');
  wholeNumber('validityMs', s.validityMs, 1_000, MAX_VALIDITY_MS, 'at most 15 minutes (the regulator\'s guideline)');
  wholeNumber('maxAttempts', s.maxAttempts, 1, 10);
  wholeNumber('perAccountPerHour', s.perAccountPerHour, 1, 1_000_000);
  wholeNumber('perServicePerDay', s.perServicePerDay, 1, 100_000_000);
  wholeNumber('perServicePerSecond', s.perServicePerSecond, 1, 1_000_000);
  if (typeof s.secret !== 'string' || s.secret.length < MIN_SECRET_CHARS) throw new OneWonSettingsError('secret', `must be at least ${MIN_SECRET_CHARS} characters (e.g. 32 random bytes, base64)`);
  return s;
}

function wholeNumber(setting: string, v: unknown, min: number, max: number, why = ''): void {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new OneWonSettingsError(setting, `must be a whole number from ${min} to ${max}${why ? `: ${why}` : ''}`);
  }
}
