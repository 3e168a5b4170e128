import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../flows/validation-error.js';

/** The cost of scrypt: N (CPU and memory, a power of two), r (block size), p (parallelism). */
export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/**
 * What new hashes cost: about 32 MiB and a few tens of milliseconds each, so a stolen table is slow to
 * guess at. Stored hashes name their own parameters, so raising these later still verifies old ones.
 */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };

const SALT_BYTES = 16;
const KEY_BYTES = 64;

/**
 * The dearest parameters a stored hash may name: a hash is ours, but one edited in the database must not
 * make a login take gigabytes.
 */
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

/** Passwords longer than this are refused outright: scrypt would take them, but nobody types them. */
export const MAX_PASSWORD_CHARS = 1_024;

/** At least this many characters for a password an operator chooses. */
export const MIN_PASSWORD_CHARS = 12;

const STORED = /^scrypt\$(\d{1,8})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

function derive(password: string, salt: Buffer, params: ScryptParams, length: number): Promise<Buffer> {
  // Node refuses when 128·N·r reaches maxmem (32 MiB by default, which N = 2^15, r = 8 reaches exactly).
  const maxmem = 256 * params.N * params.r + 1024 * 1024;
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, length, { N: params.N, r: params.r, p: params.p, maxmem }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/**
 * The stored form of `password`: `scrypt$N$r$p$saltB64$hashB64`, with a fresh 16-byte salt and a 64-byte
 * key. Passwords are NFC-normalised first, so the same password typed on another keyboard still matches.
 * @param params the cost; only tests pass cheaper ones.
 */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params, KEY_BYTES);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/**
 * Whether `password` is the one `stored` was made from, compared in constant time. A stored value that is
 * not a hash this file makes (or names parameters past the limits) matches nothing.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = STORED.exec(stored);
  if (!m || typeof password !== 'string' || password.length > MAX_PASSWORD_CHARS) return false;
  const params = { N: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  const powerOfTwo = params.N > 1 && (params.N & (params.N - 1)) === 0;
  if (!powerOfTwo || params.N > MAX_N || params.r < 1 || params.r > MAX_R || params.p < 1 || params.p > MAX_P) return false;
  const salt = Buffer.from(m[4]!, 'base64');
  const expected = Buffer.from(m[5]!, 'base64');
  if (expected.length < 16) return false;
  const key = await derive(password, salt, params, expected.length);
  return timingSafeEqual(key, expected);
}

/** RFC 4648 base32: no case to get wrong, no 0/O or 1/l to mix up. */
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * A one-time password: 20 characters of base32 (100 random bits), shown once to the admin who made it and
 * good only until it is changed at first login.
 */
export function oneTimePassword(): string {
  // 256 is a multiple of 32: the low five bits of each byte are uniform.
  return [...randomBytes(20)].map((b) => BASE32[b & 31]).join('');
}

/**
 * Refuses a password an operator chooses that is too easy: shorter than {@link MIN_PASSWORD_CHARS}, longer
 * than {@link MAX_PASSWORD_CHARS}, or made of one kind of character only (all lower-case letters, all
 * digits …). Length matters far more than variety; the variety rule only stops the laziest choices.
 * @throws ValidationError `FB_VALIDATION` naming the field `next` (the new password); it never quotes it.
 */
export function checkPasswordStrength(password: string): void {
  if (typeof password !== 'string' || password.length < MIN_PASSWORD_CHARS) throw new ValidationError('next', `the new password must have at least ${MIN_PASSWORD_CHARS} characters`);
  if (password.length > MAX_PASSWORD_CHARS) throw new ValidationError('next', `the new password must have at most ${MAX_PASSWORD_CHARS} characters`);
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((c) => c.test(password)).length;
  if (classes < 2) throw new ValidationError('next', 'the new password must mix at least two kinds of characters (lower-case, upper-case, digits, others)');
}
