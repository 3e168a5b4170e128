import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import { FirmbankError } from '../errors/firmbank-error.js';
import { projectRoot } from '../paths.js';

/** One bank or VAN the gateway talks to. */
export interface InstitutionConfig {
  /** Matches the spec's `institution`; used in queue names and stored rows. */
  readonly id: string;
  readonly spec: string;
  readonly hours: string;
  readonly host: string;
  readonly port: number;
  readonly companyId: string;
  /** The contracted bank (은행코드 of every telegram). */
  readonly bankCode: string;
  readonly systemId?: string;
  /** Our parent account (모계좌) transfers are paid from. */
  readonly withdrawAccount: string;
  /** 통장비밀번호 of the parent account, if the bank wants it: from the environment, never from a file. */
  readonly accountPasswordEnv?: string;
  readonly connections: number;
  /** Transfers per second the bank accepts from us. */
  readonly ratePerSecond: number;
  readonly requestTimeoutMs: number;
  /** First result inquiry after an unknown outcome (Hecto: not before 5 minutes), then the same again. */
  readonly inquiryDelayMs: number;
  readonly inquiryMaxAttempts: number;
  readonly enforceHours: boolean;
  /** Start the bank simulator in-process and talk to it (the embedded default). */
  readonly simulator: boolean;
}

export interface GatewayConfig {
  readonly api: { readonly host: string; readonly port: number };
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** Start a private redis-server when nothing answers at redisUrl and one is on the PATH. */
  readonly startRedis: boolean;
  /** Prefix of every BullMQ key: gateways that share work share it; separate deployments must not. */
  readonly queuePrefix: string;
  readonly dataDir: string;
  /** Longest a POST /v1/transfers may wait for the final result. */
  readonly maxWaitMs: number;
  /** How often to look for transfers left behind (lost queueing, dead workers, late notices). */
  readonly sweepMs: number;
  readonly institutions: readonly InstitutionConfig[];
}

/** Configuration that cannot be used: names the setting and the reason. */
export class ConfigError extends FirmbankError {
  constructor(setting: string, reason: string) {
    super('FB_CONFIG_INVALID', `configuration ${setting}: ${reason}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the configuration: built-in defaults (SQLite in .data/, Redis on 127.0.0.1:6379, the Hecto spec
 * against the in-process simulator), then the file named by FIRMBANK_CONFIG (YAML or JSON), then the
 * environment (DATABASE_URL, REDIS_URL, PORT, HOST, FIRMBANK_DATA_DIR). Everything is validated here,
 * once, with errors that name the setting.
 */
export function loadConfig(env: Env = process.env): GatewayConfig {
  const root = projectRoot();
  let file: Record<string, unknown> = {};
  const path = env['FIRMBANK_CONFIG'];
  if (path) {
    try {
      file = parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new ConfigError('FIRMBANK_CONFIG', `cannot read ${path}: ${(e as Error).message.split('\n')[0]}`);
    }
    if (typeof file !== 'object' || file === null) throw new ConfigError('FIRMBANK_CONFIG', `${path} is not a mapping`);
  }
  const dataDir = env['FIRMBANK_DATA_DIR'] ?? (file['dataDir'] as string | undefined) ?? join(root, '.data');
  const api = (file['api'] ?? {}) as Record<string, unknown>;
  const resolve = (p: string) => (isAbsolute(p) ? p : join(root, p));
  const rawInstitutions = (file['institutions'] as Record<string, unknown>[] | undefined) ?? [{}];
  if (!Array.isArray(rawInstitutions) || rawInstitutions.length === 0) throw new ConfigError('institutions', 'must be a non-empty list');

  const institutions = rawInstitutions.map((raw, i): InstitutionConfig => {
    const at = (k: string) => `institutions[${i}].${k}`;
    const simulator = bool(raw['simulator'], true, at('simulator'));
    const out: InstitutionConfig = {
      id: str(raw['id'], 'hecto', at('id')),
      spec: resolve(str(raw['spec'], 'specs/hecto.yaml', at('spec'))),
      hours: resolve(str(raw['hours'], 'specs/hours/hecto.yaml', at('hours'))),
      host: str(raw['host'], '127.0.0.1', at('host')),
      port: int(raw['port'], 0, at('port'), 0, 65535),
      companyId: str(raw['companyId'], 'FIRMBANK01', at('companyId')),
      bankCode: str(raw['bankCode'], '004', at('bankCode')),
      withdrawAccount: str(raw['withdrawAccount'], '12345678901234', at('withdrawAccount')),
      connections: int(raw['connections'], 1, at('connections'), 1, 16),
      ratePerSecond: int(raw['ratePerSecond'], 2_000, at('ratePerSecond'), 1, 100_000),
      requestTimeoutMs: int(raw['requestTimeoutMs'], 30_000, at('requestTimeoutMs'), 100, 600_000),
      inquiryDelayMs: int(raw['inquiryDelayMs'], 300_000, at('inquiryDelayMs'), 0, 86_400_000),
      inquiryMaxAttempts: int(raw['inquiryMaxAttempts'], 12, at('inquiryMaxAttempts'), 1, 1_000),
      // Against the simulator, any hour will do; against a bank, its hours are the law.
      enforceHours: bool(raw['enforceHours'], !simulator, at('enforceHours')),
      simulator,
      ...(raw['systemId'] !== undefined ? { systemId: str(raw['systemId'], '', at('systemId')) } : {}),
      ...(raw['accountPasswordEnv'] !== undefined ? { accountPasswordEnv: str(raw['accountPasswordEnv'], '', at('accountPasswordEnv')) } : {}),
    };
    if (!/^\d{3}$/.test(out.bankCode)) throw new ConfigError(at('bankCode'), `"${out.bankCode}" is not a 3-digit bank code`);
    if (!out.simulator && out.port === 0) throw new ConfigError(at('port'), 'a real institution needs its port');
    if (out.accountPasswordEnv && env[out.accountPasswordEnv] === undefined) throw new ConfigError(at('accountPasswordEnv'), `environment variable ${out.accountPasswordEnv} is not set`);
    return out;
  });
  const ids = institutions.map((x) => x.id);
  if (new Set(ids).size !== ids.length) throw new ConfigError('institutions', 'ids must be unique');

  return {
    api: { host: env['HOST'] ?? str(api['host'], '127.0.0.1', 'api.host'), port: int(env['PORT'] ?? api['port'], 8080, 'PORT', 0, 65535) },
    databaseUrl: env['DATABASE_URL'] ?? str(file['databaseUrl'], join(dataDir, 'firmbank.sqlite'), 'databaseUrl'),
    redisUrl: env['REDIS_URL'] ?? str(file['redisUrl'], 'redis://127.0.0.1:6379', 'redisUrl'),
    startRedis: bool(file['startRedis'], true, 'startRedis'),
    queuePrefix: env['FIRMBANK_QUEUE_PREFIX'] ?? str(file['queuePrefix'], 'firmbank', 'queuePrefix'),
    dataDir,
    maxWaitMs: int(file['maxWaitMs'], 30_000, 'maxWaitMs', 0, 120_000),
    sweepMs: int(file['sweepMs'], 30_000, 'sweepMs', 100, 3_600_000),
    institutions,
  };
}

function str(v: unknown, fallback: string, setting: string): string {
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || v === '') throw new ConfigError(setting, `must be a non-empty string, not ${JSON.stringify(v)}`);
  return v;
}

function int(v: unknown, fallback: number, setting: string, min: number, max: number): number {
  if (v === undefined) return fallback;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) throw new ConfigError(setting, `must be an integer from ${min} to ${max}, not ${JSON.stringify(v)}`);
  return n;
}

function bool(v: unknown, fallback: boolean, setting: string): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new ConfigError(setting, `must be true or false, not ${JSON.stringify(v)}`);
  return v;
}
