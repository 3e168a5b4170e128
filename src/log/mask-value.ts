import { errorText } from './error-details.js';
import type { MaskRule } from './masked-keys.js';

/** What a secret becomes in a log line. */
export const REDACTED = '[redacted]';

/**
 * An account number as logs show it: every character but the last 4 becomes `*` (4 or fewer: all of
 * them). The same rule as maskText('account') in src/codec/mask.ts, repeated here because the log is a
 * foundation layer and may not import the codec; test/logs.test.ts checks the two agree.
 * Masking a masked value changes nothing, so callers that already mask lose nothing.
 */
export function maskAccount(text: string): string {
  const chars = [...text.trimEnd()];
  return chars.length <= 4 ? '*'.repeat(chars.length) : '*'.repeat(chars.length - 4) + chars.slice(-4).join('');
}

/** A person's name as logs show it: its first character, then `*`s (`홍**`); maskText('name') in src/codec. */
export function maskName(text: string): string {
  const chars = [...text.trimEnd()];
  return chars.length === 0 ? '' : chars[0] + '*'.repeat(Math.max(chars.length - 1, 1));
}

/**
 * A URL with its credentials hidden: the password of the user part (up to the last `@`, so that an
 * unencoded `@` in a password still hides it whole: showing too little of a URL is better than showing a
 * secret) and any `password=` parameter become `***`. The configuration's maskUrl is this function.
 */
export function maskUrlCredentials(url: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0];
  if (!scheme) return url;
  let rest = url.slice(scheme.length);
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    const colon = userinfo.indexOf(':');
    if (colon >= 0) rest = `${userinfo.slice(0, colon)}:***${rest.slice(at)}`;
  }
  return scheme + rest.replace(/([?&](?:password|sslpassword)=)[^&#]*/gi, '$1***');
}

/**
 * A run of digits, hyphens allowed inside (`110-123-456789`), not touching letters, digits or hyphens on
 * either side: so that a hex id, a UUID's last group or a longer number is not taken for one.
 */
const DIGIT_RUN = /(?<![\w-])\d[\d-]{8,}\d(?![\w-])/g;
/** Our API keys (`fbk_…`), webhook secrets (`whsec_…`), and an Authorization header's credentials. */
const API_KEY = /\b(fbk|whsec)_[A-Za-z0-9_-]+/g;
const AUTH_HEADER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
/** `scheme://user:password@` anywhere in a text. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/]*:)[^\s@]*@/gi;

/**
 * Free text (an error message, a reason) with what must not be logged taken out, as a last line of
 * defence: callers mask the fields they log, but a message they pass on was written by someone else. A
 * database driver's error quotes the failing row (`Key (account)=(110123456789) already exists`), a
 * bank's refusal may echo the request. So:
 *
 * - a digit run of 10 to 16 digits (hyphens allowed) is masked like an account number: accounts are 6 to
 *   16 digits, but shorter runs are mostly amounts, sequence numbers, ports and dates, which operators
 *   need, and an account of fewer than 10 digits is rare. Amounts of a billion won and more, and epoch
 *   milliseconds, are masked too, which costs little in an error message;
 * - `fbk_…` API keys, `whsec_…` secrets and `Bearer …` / `Basic …` credentials become `[redacted]`;
 * - URL passwords become `***`.
 *
 * Names in free text cannot be told from other words, and are not looked for.
 */
export function scrubText(text: string): string {
  // Most messages hold none of these: the tests are cheaper than the replacements.
  let out = text;
  if (/\d{4}/.test(out)) out = out.replace(DIGIT_RUN, maskDigitRun);
  if (out.includes('_')) out = out.replace(API_KEY, `$1_${REDACTED}`);
  if (/bearer|basic/i.test(out)) out = out.replace(AUTH_HEADER, `$1 ${REDACTED}`);
  if (out.includes('://')) out = out.replace(URL_PASSWORD, '$1***@');
  return out;
}

function maskDigitRun(run: string): string {
  const digits = run.replace(/-/g, '').length;
  if (digits < 10 || digits > 16) return run;
  let keep = 4;
  let out = '';
  for (let i = run.length - 1; i >= 0; i--) {
    const c = run[i]!;
    if (c === '-') out = c + out;
    else out = (keep-- > 0 ? c : '*') + out;
  }
  return out;
}

/**
 * `value` hidden by `rule` (see {@link MaskRule}). `null`, `undefined` and the empty string stay as they are:
 * they say a field is absent or blank, not what it holds. A value that is not text where text is expected
 * (an object, a Buffer) becomes `[redacted]`; under a free-text key, an Error becomes its one-line text
 * and other objects are left to the caller to walk.
 */
export function maskValue(rule: MaskRule, value: unknown): unknown {
  if (value === null || value === undefined || value === '') return value;
  switch (rule) {
    case 'account':
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' ? maskAccount(String(value)) : REDACTED;
    case 'name':
      return typeof value === 'string' ? maskName(value) : REDACTED;
    case 'secret':
      return REDACTED;
    case 'url':
      return typeof value === 'string' ? maskUrlCredentials(value) : REDACTED;
    case 'text': {
      if (typeof value === 'string') return scrubText(value);
      if (value instanceof Error) return scrubText(errorText(value));
      // Any other object is walked key by key by the caller (redactDetails), like one under any other key.
      if (typeof value === 'object') return value;
      // A number stays a number, unless it is one an account could be.
      const text = String(value);
      const scrubbed = scrubText(text);
      return scrubbed === text ? value : scrubbed;
    }
  }
}
