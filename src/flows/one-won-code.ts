import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { OneWonCodeKind } from './one-won-ports.js';

/**
 * The secrets of one-won verifications: codes drawn from a CSPRNG, and keyed hashes (HMAC-SHA256) of
 * codes, accounts and requests. One secret from the environment; a key of its own is derived from it
 * for each use, so that a hash of one kind can never be taken for another.
 *
 * A code's hash is bound to its verification's id: the same code in two verifications hashes differently,
 * and without the secret a database dump says nothing of any code (10,000 digit codes would otherwise be
 * a lookup table away).
 */
export class OneWonCodes {
  private readonly codeKey: Buffer;
  private readonly accountKey: Buffer;
  private readonly requestKey: Buffer;

  /** @param words the code words (loadOneWonWords), needed for `word` codes. */
  constructor(
    secret: string,
    private readonly words: readonly string[] = [],
  ) {
    const derive = (label: string) => createHmac('sha256', secret).update(`firmbank one-won ${label}`).digest();
    this.codeKey = derive('code');
    this.accountKey = derive('account');
    this.requestKey = derive('request');
  }

  /** A new code: four digits (0000–9999, every one equally likely) or a word of the list. */
  generate(kind: OneWonCodeKind): string {
    if (kind === 'digits') return String(randomInt(0, 10_000)).padStart(4, '0');
    if (this.words.length === 0) throw new Error('one-won: word codes need the word list');
    return this.words[randomInt(0, this.words.length)]!;
  }

  /** The keyed hash kept in place of the code (hex). */
  hashCode(verificationId: string, code: string): string {
    return this.mac(this.codeKey, verificationId, code);
  }

  /** Whether `code` is the one `hash` was made of, compared in constant time. */
  matches(verificationId: string, code: string, hash: string): boolean {
    const expected = Buffer.from(hash, 'hex');
    const given = Buffer.from(this.hashCode(verificationId, code), 'hex');
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  /** The keyed hash of an account (hex): the key the per-account limit counts, never the account. */
  accountKeyOf(bankCode: string, account: string): string {
    return this.mac(this.accountKey, bankCode, account);
  }

  /** The keyed hash of what a start asks (hex): the same request id must come with the same one. */
  requestHashOf(bankCode: string, account: string, holderName: string | undefined): string {
    return this.mac(this.requestKey, bankCode, account, holderName ?? '');
  }

  /** HMAC of the parts, each length-prefixed so that no two lists of parts give the same input. */
  private mac(key: Buffer, ...parts: string[]): string {
    const h = createHmac('sha256', key);
    for (const p of parts) h.update(`${Buffer.byteLength(p)}:${p};`);
    return h.digest('hex');
  }
}
