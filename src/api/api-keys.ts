import { createHash, randomBytes } from 'node:crypto';
import { Decimal } from 'decimal.js';
import type { DataSource } from 'typeorm';
import type { ApiKeyRow } from '../ledger/entities.js';
import { inTransaction } from '../ledger/writes.js';
import type { ServiceIdentity } from '../flows/transfer-flow.js';

const hash = (key: string) => createHash('sha256').update(key).digest('hex');

/**
 * Per-service API keys. Only a SHA-256 of each key is stored; the key itself is shown once, when made.
 * Keys are long random strings, so a plain hash (no salt, no slow KDF) is the right tool: there is
 * nothing to guess.
 */
export class ApiKeys {
  private readonly cache = new Map<string, { identity: ServiceIdentity | null; until: number }>();

  constructor(private readonly ds: DataSource) {}

  /** Makes a key for `service`, allowed to move at most `maxAmount` won per transfer; returns it (once). */
  async create(service: string, maxAmount: Decimal): Promise<string> {
    const key = `fbk_${randomBytes(24).toString('base64url')}`;
    await inTransaction(this.ds, (m) => m.insert('ApiKey', { service, keyHash: hash(key), maxAmount }));
    return key;
  }

  async count(): Promise<number> {
    return this.ds.getRepository<ApiKeyRow>('ApiKey').count();
  }

  /** The service a presented key belongs to, or null. Cached briefly (a revoked key dies within a minute). */
  async identify(key: string): Promise<ServiceIdentity | null> {
    const h = hash(key);
    const hit = this.cache.get(h);
    if (hit && hit.until > Date.now()) return hit.identity;
    const row = await this.ds.getRepository<ApiKeyRow>('ApiKey').findOneBy({ keyHash: h });
    const identity = row ? { service: row.service, maxAmount: row.maxAmount } : null;
    this.cache.set(h, { identity, until: Date.now() + 60_000 });
    return identity;
  }
}
