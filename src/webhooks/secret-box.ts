import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SecretBoxError } from './secret-box-error.js';

const IV_BYTES = 12; // the size GCM is specified for; any other is hashed into one
const TAG_BYTES = 16;
/** Bound into every seal: a value sealed for another purpose or format version does not open as this one. */
const AAD = Buffer.from('firmbank secret-box v1', 'utf8');
const B64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Encrypts secrets that must be kept (webhook endpoint secrets: a service is shown its secret once, we
 * need it at every delivery) so that none is at rest in clear. AES-256-GCM: a fresh random IV per seal,
 * and an authentication tag, so that a changed byte or the wrong key is an error rather than garbage
 * taken for a secret. A sealed value is not bound to the row it is stored in: copied to another
 * endpoint's row it opens there too (it reveals nothing, but it is not refused).
 *
 * Sealed form: `v1:<iv>:<tag>:<ciphertext>`, each part base64url without padding; the version leaves room
 * for a later format (a key id for key rotation, say) next to values already stored.
 *
 * The key is held in a private field: it does not show in `console.log`, `util.inspect` or JSON.
 */
export class SecretBox {
  readonly #key: Buffer;
  readonly #setting: string;

  /**
   * @param key 32 bytes in base64 (or base64url), e.g. from `openssl rand -base64 32`.
   * @param setting Where the key came from, for the error message (never the key itself).
   * @throws SecretBoxError when `key` is not exactly 32 bytes of base64.
   */
  constructor(key: string, setting = 'FIRMBANK_SECRET_KEY') {
    // Buffer.from(…, 'base64') skips what is not base64 and stops at padding: check the text ourselves,
    // so that a truncated or mangled key is refused instead of quietly becoming another key.
    const text = key.trim();
    const bytes = /^[A-Za-z0-9+/_-]{43}=?$/.test(text) ? Buffer.from(text, 'base64') : null;
    const canonical = bytes?.toString('base64url') === text.replace(/=$/, '').replace(/\+/g, '-').replace(/\//g, '_');
    if (!bytes || bytes.length !== 32 || !canonical) {
      throw new SecretBoxError(`${setting} must be 32 random bytes in base64 (44 characters, e.g. from \`openssl rand -base64 32\`); the value given is ${text.length} characters long`);
    }
    this.#key = bytes;
    this.#setting = setting;
  }

  /** Encrypts `plain` (any string, sealed as UTF-8) under a fresh IV: the same secret never seals twice alike. */
  seal(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(AAD);
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), ciphertext].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join(':');
  }

  /**
   * The string `sealed` was made from.
   *
   * @throws SecretBoxError when `sealed` is not of the `v1:` form, was changed, or was sealed under another key.
   */
  open(sealed: string): string {
    const parts = sealed.split(':');
    const [version, iv64, tag64, data64] = parts;
    if (parts.length !== 4 || version !== 'v1') throw new SecretBoxError('sealed secret is not of the form v1:<iv>:<tag>:<ciphertext>');
    // Canonical base64url only: the spare bits of a last character would otherwise let a changed text
    // open as the same value, and a stored value must be exactly what was sealed.
    const canonical = (p: string | undefined) => p !== undefined && B64URL.test(p) && Buffer.from(p, 'base64url').toString('base64url') === p;
    if (![iv64, tag64, data64].every(canonical)) throw new SecretBoxError('sealed secret has a part that is not canonical base64url');
    const iv = Buffer.from(iv64!, 'base64url');
    const tag = Buffer.from(tag64!, 'base64url');
    // Checked here as well as by authTagLength: Node would otherwise accept a truncated tag, and a 4-byte
    // tag can be forged by trying.
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretBoxError('sealed secret has an IV or tag of the wrong length');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(AAD);
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(Buffer.from(data64!, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError(`sealed secret does not open: it was changed, or sealed under another key (is ${this.#setting} the key it was sealed with?)`);
    }
  }
}

/** A new webhook endpoint secret: `whsec_` and 32 random bytes in base64url (256 bits, as HMAC-SHA256 wants). */
export function generateEndpointSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}
