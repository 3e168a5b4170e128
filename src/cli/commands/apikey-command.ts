import { Decimal } from 'decimal.js';
import type { DataSource } from 'typeorm';
import { ApiKeys, KEY_CACHE, keyIdOf, type ApiKeyListing } from '../../api/api-keys.js';
import { DEFAULT_SCOPES, isScope, SCOPES, type Scope } from '../../api/scopes.js';
import { loadConfig } from '../../config/config.js';
import { openDatabase } from '../../ledger/data-source.js';
import { UsageError } from '../usage-error.js';

/** Usage of `firmbank apikey`, for the CLI's usage text and its errors. */
export const APIKEY_USAGE = `firmbank apikey create SERVICE [--max-amount WON] [--scope ${SCOPES.join(',')}]
                                                          a service API key (printed once, stored hashed);
                                                          scopes default to ${DEFAULT_SCOPES.join(',')}
  firmbank apikey list                                    keys: id, service, scopes, max amount, created, revoked
  firmbank apikey revoke ID                               refused at once by new lookups; a running gateway
                                                          stops accepting it within ${KEY_CACHE.positiveMs / 1000} s`;

async function withKeys<T>(fn: (keys: ApiKeys) => Promise<T>): Promise<T> {
  const ds: DataSource = await openDatabase({ url: loadConfig().databaseUrl });
  try {
    return await fn(new ApiKeys(ds));
  } finally {
    await ds.destroy();
  }
}

/** `--scope a,b` → the scopes, each one checked. */
function parseScopes(text: string): Scope[] {
  const names = text.split(',').map((s) => s.trim());
  const bad = names.find((s) => !isScope(s));
  if (bad !== undefined) throw new UsageError(`--scope ${text}: "${bad}" is not a scope (known: ${SCOPES.join(', ')})`);
  return [...new Set(names as Scope[])];
}

/**
 * `firmbank apikey create SERVICE [--max-amount WON] [--scope a,b]`: prints a new key once (only its hash
 * is stored); its id, to list or revoke it by, goes to stderr so that stdout is the key alone.
 */
export async function apiKeyCreateCommand(service: string | undefined, maxAmount = '10000000', scopeText?: string): Promise<string> {
  if (!service || !/^[a-z][a-z0-9-]{1,63}$/.test(service)) throw new UsageError('apikey create SERVICE: a service name of lower-case letters, digits and -');
  if (!/^\d{1,13}$/.test(maxAmount)) throw new UsageError(`--max-amount ${maxAmount}: expected whole won, at most 13 digits`);
  const scopes = scopeText === undefined ? DEFAULT_SCOPES : parseScopes(scopeText);
  const key = await withKeys((keys) => keys.create(service, new Decimal(maxAmount), scopes));
  process.stderr.write(`firmbank: key ${keyIdOf(key)} for service "${service}" (scopes ${scopes.join(',')}; at most ${maxAmount} won per transfer); it is shown only this once\n`);
  return key;
}

const row = (k: ApiKeyListing) => [k.keyId, k.service, k.scopes.join(',') || '-', k.maxAmount.toFixed(0), k.createdAt.toISOString(), k.revokedAt?.toISOString() ?? '-'];

/** `firmbank apikey list`: one line per key, aligned; never a key or its hash. */
export async function apiKeyListCommand(): Promise<string> {
  const rows = [['ID', 'SERVICE', 'SCOPES', 'MAX_AMOUNT', 'CREATED', 'REVOKED'], ...(await withKeys((keys) => keys.list())).map(row)];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** `firmbank apikey revoke ID`: revokes the key with that id (revoking twice keeps the first time). */
export async function apiKeyRevokeCommand(keyId: string | undefined): Promise<string> {
  // Never echoed: an operator may have pasted the key itself.
  if (keyId?.startsWith('fbk_')) throw new UsageError(`apikey revoke ID: give the key's id, not the key (this one's id is ${keyIdOf(keyId)})`);
  if (!keyId || !/^[0-9a-f]{12}$/.test(keyId)) throw new UsageError('apikey revoke ID: the id is the 12 hex digits apikey list shows');
  const r = await withKeys((keys) => keys.revoke(keyId));
  if (!r) throw new UsageError(`apikey revoke: no key has id ${keyId} (apikey list shows them)`);
  const { key, alreadyRevoked } = r;
  const when = key.revokedAt!.toISOString();
  if (alreadyRevoked) return `key ${key.keyId} of service "${key.service}" was already revoked at ${when}`;
  return `key ${key.keyId} of service "${key.service}" revoked at ${when}; a running gateway refuses it within ${KEY_CACHE.positiveMs / 1000} s`;
}
