import { EntitySchema } from 'typeorm';
import { columnTypes, type DatabaseKind } from './entities.js';

/**
 * The rows of the one-won tables (migration 0008). The store reads and writes them with plain SQL
 * (src/ledger/one-won-store.ts); these schemas exist so that TypeORM's schema check knows the tables.
 */
export interface OneWonVerificationRow {
  id: string;
  service: string;
  requestId: string;
  requestHash: string;
  bankCode: string;
  accountKey: string;
  accountMasked: string;
  codeKind: string;
  codeHash: string;
  state: string;
  attempts: number;
  maxAttempts: number;
  failureCode: string | null;
  failureMessage: string | null;
  createdAt: Date;
  expiresAt: Date;
  settledAt: Date | null;
}

/** A limit's counter: `bucket` is the limit and the service, `windowStart` the second or KST day counted. */
export interface OneWonCounterRow {
  bucket: string;
  /** BIGINT: pg hands it back as text. */
  windowStart: string;
  n: number;
}

/** The one-won tables, typed for one database: add them to the data source's entities. */
export function oneWonEntities(kind: DatabaseKind) {
  const t = columnTypes(kind);
  const OneWonVerificationEntity = new EntitySchema<OneWonVerificationRow>({
    name: 'OneWonVerification',
    tableName: 'one_won_verifications',
    columns: {
      id: { type: 'varchar', length: 36, primary: true },
      service: { type: 'varchar', length: 64 },
      requestId: { name: 'request_id', type: 'varchar', length: 128 },
      requestHash: { name: 'request_hash', type: 'varchar', length: 64 },
      bankCode: { name: 'bank_code', type: 'varchar', length: 3 },
      accountKey: { name: 'account_key', type: 'varchar', length: 64 },
      accountMasked: { name: 'account_masked', type: 'varchar', length: 32 },
      codeKind: { name: 'code_kind', type: 'varchar', length: 8 },
      codeHash: { name: 'code_hash', type: 'varchar', length: 64 },
      state: { type: 'varchar', length: 16 },
      attempts: { type: 'integer' },
      maxAttempts: { name: 'max_attempts', type: 'integer' },
      failureCode: { name: 'failure_code', type: 'varchar', length: 8, nullable: true },
      failureMessage: { name: 'failure_message', type: 'varchar', length: 200, nullable: true },
      createdAt: { name: 'created_at', type: t.time },
      expiresAt: { name: 'expires_at', type: t.time },
      settledAt: { name: 'settled_at', type: t.time, nullable: true },
    },
    indices: [
      { name: 'ux_one_won_request', columns: ['service', 'requestId'], unique: true },
      { name: 'ix_one_won_account', columns: ['accountKey', 'createdAt'] },
    ],
  });

  const OneWonCounterEntity = new EntitySchema<OneWonCounterRow>({
    name: 'OneWonCounter',
    tableName: 'one_won_counters',
    columns: {
      bucket: { type: 'varchar', length: 100, primary: true },
      windowStart: { name: 'window_start', type: 'bigint' },
      n: { type: 'integer' },
    },
  });

  return { OneWonVerificationEntity, OneWonCounterEntity };
}
