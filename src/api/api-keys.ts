import { createHash, randomBytes } from 'node:crypto';
import type { Decimal } from 'decimal.js';
import { IsNull, type DataSource } from 'typeorm';
import type { ApiKeyRow } from '../ledger/entities.js';
import { inTransaction } from '../ledger/writes.js';
import type { ServiceIdentity } from '../flows/transfer-flow.js';
import { DEFAULT_SCOPES, scopesFromColumn, type Scope } from './scopes.js';
import { TtlLru } from './ttl-lru.js';

const hash = (key: string) => createHash('sha256').update(key).digest('hex');

/** How every key this code makes looks: anything else is refused without a database lookup. */
const KEY_FORMAT = /^fbk_[A-Za-z0-9_-]{32}$/;

/** The key's non-secret name: the first 12 hex digits of its SHA-256 (what migration 0003 gave old keys). */
export function keyIdOf(key: string): string {
  return hash(key).slice(0, 12);
}

/** Who is calling: the service, its per-transfer limit, the key used and what that key may do. */
export interface ApiCaller extends ServiceIdentity {
  readonly keyId: string;
  readonly scopes: readonly Scope[];
}

/** A key as operators see it: never the key, never its hash. */
export interface ApiKeyListing {
  readonly keyId: string;
  readonly service: string;
  readonly scopes: readonly Scope[];
  readonly maxAmount: Decimal;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
}

/** How long `identify` trusts what it looked up. A key revoked by another process dies within the first. */
export const KEY_CACHE = {
  /** A valid key. */
  positiveMs: 30_000,
  /** A key that matched nothing: short, so a key made meanwhile works soon. */
  negativeMs: 5_000,
  /** Entries at most, whatever unauthenticated callers present. */
  maxEntries: 10_000,
} as const;

const listing = (row: ApiKeyRow): ApiKeyListing => ({
  keyId: row.keyId,
  service: row.service,
  scopes: scopesFromColumn(row.scopes),
  maxAmount: row.maxAmount,
  createdAt: row.createdAt,
  revokedAt: row.revokedAt,
});

/**
 * Per-service API keys. Only a SHA-256 of each key is stored; the key itself is shown once, when made.
 * Keys are long random strings, so a plain hash (no salt, no slow KDF) is the right tool: there is
 * nothing to guess.
 */
export class ApiKeys {
  private readonly cache = new TtlLru<string, ApiCaller | null>(KEY_CACHE.maxEntries);
  /** Bumped by every revocation, so a lookup that raced one does not cache what it read before it. */
  private generation = 0;

  constructor(private readonly ds: DataSource) {}

  /**
   * Makes a key for `service`, allowed to move at most `maxAmount` won per transfer and to do what
   * `scopes` says (by default transfers and verifications); returns the key, which is shown only this once.
   */
  async create(service: string, maxAmount: Decimal, scopes: readonly Scope[] = DEFAULT_SCOPES): Promise<string> {
    const key = `fbk_${randomBytes(24).toString('base64url')}`;
    await inTransaction(this.ds, (m) => m.insert('ApiKey', { keyId: keyIdOf(key), service, keyHash: hash(key), maxAmount, scopes: [...new Set(scopes)].join(',') }));
    return key;
  }

  /** How many keys exist, revoked ones included. */
  async count(): Promise<number> {
    return this.ds.getRepository<ApiKeyRow>('ApiKey').count();
  }

  /** Every key, oldest first, revoked ones included. */
  async list(): Promise<ApiKeyListing[]> {
    const rows = await this.ds.getRepository<ApiKeyRow>('ApiKey').find({ order: { id: 'ASC' } });
    return rows.map(listing);
  }

  /**
   * Revokes the key named `keyId`: returns it as it now stands and whether it was revoked already (it
   * then keeps its first revocation time), or null when no key has that id. This process refuses it at
   * once; other processes within {@link KEY_CACHE}.positiveMs.
   */
  async revoke(keyId: string): Promise<{ key: ApiKeyListing; alreadyRevoked: boolean } | null> {
    const repo = this.ds.getRepository<ApiKeyRow>('ApiKey');
    const before = await repo.findOneBy({ keyId });
    if (!before) return null;
    if (!before.revokedAt) await inTransaction(this.ds, (m) => m.update('ApiKey', { keyId, revokedAt: IsNull() }, { revokedAt: new Date() }));
    this.generation++;
    this.cache.deleteWhere((c) => c?.keyId === keyId);
    const after = (await repo.findOneBy({ keyId }))!;
    return { key: listing(after), alreadyRevoked: before.revokedAt !== null };
  }

  /** The caller a presented key belongs to, or null (unknown, malformed or revoked). Cached briefly. */
  async identify(key: string): Promise<ApiCaller | null> {
    if (!KEY_FORMAT.test(key)) return null;
    const h = hash(key);
    const hit = this.cache.get(h);
    if (hit !== undefined) return hit;
    const generation = this.generation;
    const row = await this.ds.getRepository<ApiKeyRow>('ApiKey').findOneBy({ keyHash: h });
    const caller: ApiCaller | null = row && !row.revokedAt ? { service: row.service, maxAmount: row.maxAmount, keyId: row.keyId, scopes: scopesFromColumn(row.scopes) } : null;
    if (generation === this.generation) this.cache.set(h, caller, caller ? KEY_CACHE.positiveMs : KEY_CACHE.negativeMs);
    return caller;
  }

  /** Entries in the lookup cache now (bounded by {@link KEY_CACHE}.maxEntries). */
  get cachedEntries(): number {
    return this.cache.size;
  }
}
