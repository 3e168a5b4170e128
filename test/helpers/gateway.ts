import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { GatewayConfig, InstitutionConfig } from '../../src/config/config.js';
import { Gateway, type GatewayOptions } from '../../src/gateway/gateway.js';
import { captureLogs } from './log-capture.js';
import { ROOT } from './specs.js';

export const PG_ADMIN = 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh PostgreSQL database for one test file; dropped by the returned function. */
export async function freshPostgres(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `fb_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: `postgres://postgres@127.0.0.1:5432/${name}`,
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export function freshSqlite(): string {
  return join(mkdtempSync(join(tmpdir(), 'firmbank-db-')), 'ledger.sqlite');
}

/** A fresh database of either kind for one test file: its URL, and how to drop it (a no-op for SQLite). */
export async function freshDatabase(kind: 'sqlite' | 'postgres'): Promise<{ url: string; drop: () => Promise<void> }> {
  return kind === 'postgres' ? freshPostgres() : { url: freshSqlite(), drop: async () => {} };
}

export function testConfig(databaseUrl: string, extra: Partial<InstitutionConfig> = {}, prefix = `fbtest-${randomBytes(4).toString('hex')}`): GatewayConfig {
  return {
    api: { host: '127.0.0.1', port: 0 },
    databaseUrl,
    redisUrl: 'redis://127.0.0.1:6379',
    startRedis: true,
    queuePrefix: prefix,
    dataDir: mkdtempSync(join(tmpdir(), 'firmbank-data-')),
    maxWaitMs: 10_000,
    sweepMs: 200,
    institutions: [
      {
        id: 'hecto',
        profile: join(ROOT, 'specs/hecto.profile.yaml'),
        host: '127.0.0.1',
        port: 0,
        companyId: 'FIRMBANK01',
        bankCode: '004',
        withdrawAccount: '12345678901234',
        connections: 1,
        ratePerSecond: 10_000,
        requestTimeoutMs: 1_000,
        inquiryDelayMs: 30,
        inquiryMaxAttempts: 5,
        enforceHours: false,
        simulator: true,
        // These suites inject failures on purpose; the breaker has its own (test/breaker-gateway.test.ts).
        breaker: { failures: 10_000, openMs: 1_000, whileOpen: 'wait' },
        ...extra,
      },
    ],
  };
}

/**
 * Everything the gateways of one test file logged, at debug, through production logging (redaction and
 * all): a suite greps it for secrets in clear (see findClearSecrets).
 */
export const gatewayLogs = captureLogs('debug', 'gateway');

export async function startGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<Gateway> {
  return Gateway.start(config, { logger: gatewayLogs.logger, processMetrics: false, ...options });
}
