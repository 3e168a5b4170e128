import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from '../paths.js';
import { ConfigError } from './config-error.js';
import { bankCodeProblem } from '../domain/bank-code.js';
import type { InstitutionSettings } from '../flows/institution-settings.js';
import type { RouteRule } from '../flows/router.js';
import { databaseUrlKind } from './database-url.js';
import { maskUrl } from './mask-url.js';
import { LOG_LEVELS, type LogLevelSetting } from '../log/logger.js';
import type { ConsentSettings } from '../flows/consent-settings.js';
import type { OneWonSettings } from '../flows/one-won-settings.js';

export { ConfigError } from './config-error.js';

/** One bank or VAN the gateway talks to: what the flows need of it, and how to reach and run it. */
export interface InstitutionConfig extends InstitutionSettings {
  /** The institution's profile (specs/*.profile.yaml): its spec, codes, hours and how operations map. */
  readonly profile: string;
  readonly host: string;
  readonly port: number;
  readonly systemId?: string;
  /** 통장비밀번호 of the parent account, if the bank wants it: from the environment, never from a file. */
  readonly accountPasswordEnv?: string;
  readonly connections: number;
  /** Transfers per second the bank accepts from us. */
  readonly ratePerSecond: number;
  /** Collections (집금) per second, on a queue of their own; default: as transfers. */
  readonly collectionsPerSecond?: number;
  /** Start the bank simulator in-process and talk to it (the embedded default). */
  readonly simulator: boolean;
  /**
   * The spec of the institution's daily result file (specs/files/*.yaml), read by the nightly
   * reconciliation from `<dataDir>/bank-files/<id>/<YYYYMMDD>.dat`; absent: no file is matched.
   */
  readonly bankFileSpec?: string;
  /** When the nightly batch runs for this institution, `HH:MM` in Korean time (after its cut-off). */
  readonly reconcileAt?: string;
  /** The circuit breaker of the institution's link (defaults when absent). */
  readonly breaker?: BreakerConfig;
}

export interface BreakerConfig {
  /** Consecutive connect failures or unanswered requests that open it. */
  readonly failures: number;
  /** How long it stays open before the test call probes the bank. */
  readonly openMs: number;
  /** New transfers while it is open: kept and sent once it closes (`wait`), or refused with a 503 (`refuse`). */
  readonly whileOpen: 'wait' | 'refuse';
}

export interface TracingSettings {
  /** `none` (default): no spans are made; `otlp`: exported over OTLP/HTTP to `endpoint`. */
  readonly exporter: 'none' | 'otlp';
  readonly endpoint?: string;
  /** Share of traces kept, 0..1 (default 1). */
  readonly sampleRatio: number;
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
  /**
   * Where a transfer goes when its caller names no institution: the first rule whose banks include the
   * receiving bank (a rule without banks takes any), else the first institution.
   */
  readonly routing?: readonly RouteRule[];
  /** When the nightly batch closes every service's previous day, `HH:MM` Korean time (default 00:30). */
  readonly dayCloseAt?: string;
  /** `FIRMBANK_LOG_LEVEL` or `logLevel`: the least severe level written (default info). */
  readonly logLevel?: LogLevelSetting;
  /** OpenTelemetry tracing; off when absent. */
  readonly tracing?: TracingSettings;
  /** How often each process re-reads the switches from the database (the broadcast may be missed). */
  readonly switchPollMs?: number;
  /** ARS withdrawal consents and their evidence (defaults when absent). */
  readonly consents?: Partial<ConsentSettings> & { readonly evidenceDir?: string };
  /** 1원 인증 (its HMAC secret comes from FIRMBANK_ONE_WON_SECRET, else from the secret key). */
  readonly oneWon?: Partial<Omit<OneWonSettings, 'secret'>>;
  /** `FIRMBANK_ONE_WON_SECRET`: the HMAC key of one-won codes. */
  readonly oneWonSecret?: string;
  /**
   * The ARS provider: `baseUrl` of its HTTP API, its token and callback secret (from the environment:
   * `FIRMBANK_ARS_TOKEN`, `FIRMBANK_ARS_CALLBACK_SECRET`); absent: the ARS simulator runs in-process.
   */
  readonly ars?: { readonly baseUrl: string; readonly token: string; readonly callbackSecret: string };
  /** How webhooks are delivered (see {@link WebhookSettings}); defaults when absent. */
  readonly webhooks?: WebhookSettings;
  /**
   * The operators' console: `secureCookie` when it is served over TLS (behind a proxy that terminates it),
   * sessions' idle and absolute limits in minutes (default 15 and 480).
   */
  readonly admin?: { readonly secureCookie?: boolean; readonly idleMinutes?: number; readonly absoluteMinutes?: number };
  /**
   * `FIRMBANK_SECRET_KEY`: 32 bytes, base64, that seal webhook secrets at rest. Absent: the gateway makes
   * one in the data folder (0600) and says so — fine for the embedded default, not for production.
   */
  readonly secretKey?: string;
  /** Where the start-up settings came from (set by {@link loadConfig}; absent in hand-made configs). */
  readonly settingNames?: SettingNames;
}

export interface WebhookSettings {
  /** Let endpoints on private, loopback and link-local addresses be registered and called (tests only). */
  readonly allowPrivate: boolean;
  /** One delivery's whole time, connect to last byte. */
  readonly timeoutMs: number;
  /** A longer answer is cut off and counts as a failure. */
  readonly maxResponseBytes: number;
}

/** Which setting each start-up value came from, so that an error names the one to change. */
export interface SettingNames {
  /** `DATABASE_URL`, or `databaseUrl` when the file set it. */
  readonly databaseUrl: string;
  /** `REDIS_URL`, or `redisUrl` when the file set it. */
  readonly redisUrl: string;
  /** `PORT`, or `api.port` when the file set it. */
  readonly port: string;
  /** `HOST`, or `api.host` when the file set it. */
  readonly host: string;
  /** `FIRMBANK_DATA_DIR`, or `dataDir` when the file set it. */
  readonly dataDir: string;
}


type Env = Readonly<Record<string, string | undefined>>;

/** The keys a configuration file may hold; anything else is a typo we refuse rather than ignore. */
const FILE_KEYS = ['api', 'databaseUrl', 'redisUrl', 'startRedis', 'queuePrefix', 'dataDir', 'maxWaitMs', 'sweepMs', 'institutions', 'routing', 'dayCloseAt', 'webhooks', 'logLevel', 'tracing', 'switchPollMs', 'consents', 'oneWon', 'ars', 'admin'] as const satisfies readonly (keyof GatewayConfig)[];
const API_KEYS = ['host', 'port'] as const satisfies readonly (keyof GatewayConfig['api'])[];
const INSTITUTION_KEYS = [
  'id', 'profile', 'host', 'port', 'companyId', 'bankCode', 'systemId', 'withdrawAccount', 'accountPasswordEnv',
  'connections', 'ratePerSecond', 'requestTimeoutMs', 'inquiryDelayMs', 'inquiryMaxAttempts', 'enforceHours', 'simulator',
  'bankFileSpec', 'reconcileAt', 'breaker', 'collectionsPerSecond',
] as const satisfies readonly (keyof InstitutionConfig)[];

/** Where the gateway keeps its files when nothing else is said: `.data/` in the project folder. */
export function defaultDataDir(): string {
  return join(projectRoot(), '.data');
}

/**
 * Reads the configuration: built-in defaults (SQLite in .data/, Redis on 127.0.0.1:6379, the Hecto spec
 * against the in-process simulator), then the file named by FIRMBANK_CONFIG (YAML or JSON), then the
 * environment (DATABASE_URL, REDIS_URL, PORT, HOST, FIRMBANK_DATA_DIR, FIRMBANK_QUEUE_PREFIX). Everything
 * is validated here, once, with errors ({@link ConfigError}) that name the setting; URLs in them are masked.
 */
export function loadConfig(env: Env = process.env): GatewayConfig {
  const root = projectRoot();
  const file = readConfigFile(env['FIRMBANK_CONFIG']);
  onlyKeys(file, FILE_KEYS, '');
  const api = file['api'] === undefined ? {} : mapping(file['api'], 'api');
  onlyKeys(api, API_KEYS, 'api.');
  // The environment wins over the file; an error names whichever was used (the variable when neither was).
  const pick = (envName: string, fileKey: string, fileValue: unknown): { setting: string; value: unknown } =>
    env[envName] !== undefined ? { setting: envName, value: env[envName] } : { setting: fileValue === undefined ? envName : fileKey, value: fileValue };
  const db = pick('DATABASE_URL', 'databaseUrl', file['databaseUrl']);
  const redis = pick('REDIS_URL', 'redisUrl', file['redisUrl']);
  const port = pick('PORT', 'api.port', api['port']);
  const host = pick('HOST', 'api.host', api['host']);
  const dir = pick('FIRMBANK_DATA_DIR', 'dataDir', file['dataDir']);
  const prefix = pick('FIRMBANK_QUEUE_PREFIX', 'queuePrefix', file['queuePrefix']);
  const dataDir = str(dir.value, defaultDataDir(), dir.setting);
  const level = pick('FIRMBANK_LOG_LEVEL', 'logLevel', file['logLevel']);
  const resolve = (p: string) => (isAbsolute(p) ? p : join(root, p));
  const rawInstitutions = file['institutions'] === undefined ? [{}] : file['institutions'];
  if (!Array.isArray(rawInstitutions)) throw new ConfigError('institutions', `must be a list of institutions (- id: …), not ${describe(rawInstitutions)}`);
  if (rawInstitutions.length === 0) throw new ConfigError('institutions', 'must name at least one institution');

  const institutions = rawInstitutions.map((item: unknown, i): InstitutionConfig => {
    const at = (k: string) => `institutions[${i}].${k}`;
    const raw = mapping(item, `institutions[${i}]`);
    for (const moved of ['spec', 'hours']) {
      if (raw[moved] !== undefined) throw new ConfigError(at(moved), `is now named by the institution's profile: write profile: specs/<institution>.profile.yaml (it names the spec, codes and hours)`);
    }
    onlyKeys(raw, INSTITUTION_KEYS, `institutions[${i}].`);
    const simulator = bool(raw['simulator'], true, at('simulator'));
    const out: InstitutionConfig = {
      id: str(raw['id'], 'hecto', at('id')),
      profile: resolve(str(raw['profile'], 'specs/hecto.profile.yaml', at('profile'))),
      host: str(raw['host'], '127.0.0.1', at('host')),
      port: int(raw['port'], 0, at('port'), 0, 65535),
      companyId: str(raw['companyId'], 'FIRMBANK01', at('companyId')),
      bankCode: str(raw['bankCode'], '004', at('bankCode')),
      withdrawAccount: str(raw['withdrawAccount'], '12345678901234', at('withdrawAccount')),
      connections: int(raw['connections'], 1, at('connections'), 1, 16),
      ratePerSecond: int(raw['ratePerSecond'], 2_000, at('ratePerSecond'), 1, 100_000),
      ...(raw['collectionsPerSecond'] !== undefined ? { collectionsPerSecond: int(raw['collectionsPerSecond'], 0, at('collectionsPerSecond'), 1, 100_000) } : {}),
      requestTimeoutMs: int(raw['requestTimeoutMs'], 30_000, at('requestTimeoutMs'), 100, 600_000),
      inquiryDelayMs: int(raw['inquiryDelayMs'], 300_000, at('inquiryDelayMs'), 0, 86_400_000),
      inquiryMaxAttempts: int(raw['inquiryMaxAttempts'], 12, at('inquiryMaxAttempts'), 1, 1_000),
      // Against the simulator, any hour will do; against a bank, its hours are the law.
      enforceHours: bool(raw['enforceHours'], !simulator, at('enforceHours')),
      simulator,
      ...(raw['systemId'] !== undefined ? { systemId: str(raw['systemId'], '', at('systemId')) } : {}),
      ...(raw['accountPasswordEnv'] !== undefined ? { accountPasswordEnv: str(raw['accountPasswordEnv'], '', at('accountPasswordEnv')) } : {}),
      // The simulator writes its day in the KB cash-result layout unless told otherwise.
      ...(raw['bankFileSpec'] !== undefined || simulator ? { bankFileSpec: resolve(str(raw['bankFileSpec'], 'specs/files/kb-cash.yaml', at('bankFileSpec'))) } : {}),
      reconcileAt: clockTime(raw['reconcileAt'], '23:50', at('reconcileAt')),
      breaker: breakerConfig(raw['breaker'], at('breaker')),
    };
    const badBank = bankCodeProblem(out.bankCode);
    if (badBank) throw new ConfigError(at('bankCode'), `"${out.bankCode}": ${badBank}`);
    if (!out.simulator && out.port === 0) throw new ConfigError(at('port'), 'a real institution needs its port');
    if (out.accountPasswordEnv && env[out.accountPasswordEnv] === undefined) throw new ConfigError(at('accountPasswordEnv'), `environment variable ${out.accountPasswordEnv} is not set`);
    return out;
  });
  const ids = institutions.map((x) => x.id);
  if (new Set(ids).size !== ids.length) throw new ConfigError('institutions', 'ids must be unique');
  const routing = routes(file['routing'], ids);

  return {
    api: { host: str(host.value, '127.0.0.1', host.setting), port: int(port.value, 8080, port.setting, 0, 65535) },
    databaseUrl: databaseUrl(str(db.value, join(dataDir, 'firmbank.sqlite'), db.setting), db.setting),
    redisUrl: redisUrl(str(redis.value, 'redis://127.0.0.1:6379', redis.setting), redis.setting),
    startRedis: bool(file['startRedis'], true, 'startRedis'),
    queuePrefix: str(prefix.value, 'firmbank', prefix.setting),
    dataDir,
    maxWaitMs: int(file['maxWaitMs'], 30_000, 'maxWaitMs', 0, 120_000),
    sweepMs: int(file['sweepMs'], 30_000, 'sweepMs', 100, 3_600_000),
    institutions,
    routing,
    dayCloseAt: clockTime(file['dayCloseAt'], '00:30', 'dayCloseAt'),
    webhooks: webhookSettings(file['webhooks']),
    logLevel: oneOf(level.value, 'info', level.setting, LOG_LEVELS),
    tracing: tracingSettings(file['tracing'], env),
    switchPollMs: int(file['switchPollMs'], 5_000, 'switchPollMs', 100, 600_000),
    ...(file['consents'] !== undefined ? { consents: consentSection(file['consents'], resolve) } : {}),
    ...(file['oneWon'] !== undefined ? { oneWon: oneWonSection(file['oneWon']) } : {}),
    ...(file['admin'] !== undefined ? { admin: adminSection(file['admin']) } : {}),
    ...(env['FIRMBANK_ONE_WON_SECRET'] !== undefined ? { oneWonSecret: env['FIRMBANK_ONE_WON_SECRET'] } : {}),
    ...(file['ars'] !== undefined ? { ars: arsSection(file['ars'], env) } : {}),
    ...(env['FIRMBANK_SECRET_KEY'] !== undefined ? { secretKey: env['FIRMBANK_SECRET_KEY'] } : {}),
    settingNames: { databaseUrl: db.setting, redisUrl: redis.setting, port: port.setting, host: host.setting, dataDir: dir.setting },
  };
}

/** The file named by FIRMBANK_CONFIG as a mapping ({} when there is none, or when it is empty). */
function readConfigFile(path: string | undefined): Record<string, unknown> {
  if (path === undefined) return {};
  if (path === '') throw new ConfigError('FIRMBANK_CONFIG', 'is set but empty: name a YAML or JSON file, or unset it');
  let text: string;
  try {
    if (statSync(path).isDirectory()) throw new ConfigError('FIRMBANK_CONFIG', `${path} is a folder: name the YAML or JSON file in it`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError('FIRMBANK_CONFIG', `cannot read ${path}: ${code === 'ENOENT' ? 'there is no such file' : (e as Error).message.split('\n')[0]}`);
  }
  let parsed: unknown;
  try {
    parsed = parse(text);
  } catch (e) {
    throw new ConfigError('FIRMBANK_CONFIG', `${path} is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  // An empty file (or one of comments only) configures nothing, like no file.
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError('FIRMBANK_CONFIG', `${path} must hold a mapping of settings, not ${describe(parsed)}`);
  return parsed as Record<string, unknown>;
}

function mapping(v: unknown, setting: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(setting, `must be a mapping of settings (key: value), not ${describe(v)}`);
  return v as Record<string, unknown>;
}

/** Refuses keys we do not know, suggesting the one meant when only its case differs (`bankcode`). */
function onlyKeys(m: Record<string, unknown>, known: readonly string[], prefix: string): void {
  for (const key of Object.keys(m)) {
    if (known.includes(key)) continue;
    const meant = known.find((k) => k.toLowerCase() === key.toLowerCase());
    throw new ConfigError(prefix + key, `is not a setting${meant ? ` (did you mean ${prefix}${meant}?)` : ` (known here: ${known.join(', ')})`}`);
  }
}

/** `routing: [{ banks: ["004"], institution: direct }, { institution: hecto }]`, checked against the institutions. */
function routes(v: unknown, ids: readonly string[]): RouteRule[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new ConfigError('routing', `must be a list of rules (- banks: ["004"], institution: …), not ${describe(v)}`);
  return v.map((item: unknown, i) => {
    const at = `routing[${i}]`;
    const raw = mapping(item, at);
    onlyKeys(raw, ['banks', 'institution'], `${at}.`);
    const institution = str(raw['institution'], '', `${at}.institution`);
    if (!ids.includes(institution)) throw new ConfigError(`${at}.institution`, `"${institution}" is not a configured institution (${ids.join(', ')})`);
    if (raw['banks'] === undefined) return { institution };
    if (!Array.isArray(raw['banks']) || raw['banks'].length === 0) throw new ConfigError(`${at}.banks`, 'must be a non-empty list of bank codes ("004"), or left out for every bank');
    const banks = raw['banks'].map((b: unknown, j) => {
      const code = typeof b === 'string' ? b : JSON.stringify(b);
      const bad = typeof b === 'string' ? bankCodeProblem(b) : 'must be a quoted 3-digit bank code ("004")';
      if (bad) throw new ConfigError(`${at}.banks[${j}]`, `${code}: ${bad}`);
      return code;
    });
    return { banks, institution };
  });
}

function databaseUrl(url: string, setting: string): string {
  const kind = databaseUrlKind(url);
  if (kind === 'unsupported') {
    throw new ConfigError(setting, `"${maskUrl(url)}" is not supported: use postgres://user@host:5432/db for PostgreSQL, or a file path (no scheme) for SQLite`);
  }
  if (kind === 'postgres' && !URL.canParse(url)) throw new ConfigError(setting, `"${maskUrl(url)}" is not a valid URL (percent-encode special characters of the password)`);
  return url;
}

function redisUrl(url: string, setting: string): string {
  const shown = `"${maskUrl(url)}"`;
  if (!/^redis:\/\//i.test(url)) {
    const why = /^rediss:/i.test(url) ? 'TLS (rediss://) is not supported' : 'expected redis://[[user]:password@]host[:port][/db]';
    throw new ConfigError(setting, `${shown}: ${why}`);
  }
  if (!URL.canParse(url)) throw new ConfigError(setting, `${shown} is not a valid URL (percent-encode special characters of the password)`);
  const u = new URL(url);
  if (!u.hostname) throw new ConfigError(setting, `${shown} names no host`);
  if (!/^(\/\d{0,2})?$/.test(u.pathname)) throw new ConfigError(setting, `${shown}: the path must be a database number (/0 … /15)`);
  return url;
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return `a list (${JSON.stringify(v).slice(0, 40)})`;
  if (v === null) return 'nothing (null)';
  if (typeof v === 'object') return 'a mapping';
  return JSON.stringify(v);
}

function str(v: unknown, fallback: string, setting: string): string {
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || v === '') throw new ConfigError(setting, `must be a non-empty string, not ${JSON.stringify(v)}`);
  return v;
}

/** The `webhooks:` section, validated; `undefined` gives the defaults. */
export function webhookSettings(v: unknown): WebhookSettings {
  const w = v === undefined ? {} : mapping(v, 'webhooks');
  onlyKeys(w, ['allowPrivate', 'timeoutMs', 'maxResponseBytes'], 'webhooks.');
  return {
    allowPrivate: bool(w['allowPrivate'], false, 'webhooks.allowPrivate'),
    timeoutMs: int(w['timeoutMs'], 10_000, 'webhooks.timeoutMs', 100, 60_000),
    maxResponseBytes: int(w['maxResponseBytes'], 65_536, 'webhooks.maxResponseBytes', 0, 10_485_760),
  };
}

/** `breaker: { failures, openMs, whileOpen }` of an institution; defaults: 5 failures, 30 s open, wait. */
function breakerConfig(v: unknown, setting: string): BreakerConfig {
  const b = v === undefined ? {} : mapping(v, setting);
  onlyKeys(b, ['failures', 'openMs', 'whileOpen'], `${setting}.`);
  return {
    failures: int(b['failures'], 5, `${setting}.failures`, 1, 1_000),
    openMs: int(b['openMs'], 30_000, `${setting}.openMs`, 100, 3_600_000),
    whileOpen: oneOf(b['whileOpen'], 'wait', `${setting}.whileOpen`, ['wait', 'refuse'] as const),
  };
}

/** `tracing: { exporter, endpoint, sampleRatio }`; `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` turns OTLP on too. */
function tracingSettings(v: unknown, env: Env): TracingSettings {
  const t = v === undefined ? {} : mapping(v, 'tracing');
  onlyKeys(t, ['exporter', 'endpoint', 'sampleRatio'], 'tracing.');
  const envEndpoint = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];
  const exporter = oneOf(t['exporter'], envEndpoint ? 'otlp' : 'none', 'tracing.exporter', ['none', 'otlp'] as const);
  const endpoint = envEndpoint ?? (t['endpoint'] === undefined ? undefined : str(t['endpoint'], '', 'tracing.endpoint'));
  if (endpoint !== undefined && !/^https?:\/\//.test(endpoint)) throw new ConfigError(envEndpoint ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'tracing.endpoint', `"${maskUrl(endpoint)}": expected an http:// or https:// URL`);
  const ratio = t['sampleRatio'] ?? 1;
  if (typeof ratio !== 'number' || !(ratio >= 0 && ratio <= 1)) throw new ConfigError('tracing.sampleRatio', `must be a number from 0 to 1, not ${JSON.stringify(ratio)}`);
  return { exporter, ...(endpoint ? { endpoint } : {}), sampleRatio: ratio };
}

/** `consents:` — the ARS voice's company name, the callback URL, timings, retention, the evidence folder. */
function consentSection(v: unknown, resolve: (p: string) => string): NonNullable<GatewayConfig['consents']> {
  const c = mapping(v, 'consents');
  onlyKeys(c, ['companyName', 'callbackUrl', 'pollMs', 'callTimeoutMs', 'retentionYears', 'bankRetryMs', 'bankMaxAttempts', 'orgCode', 'evidenceDir'], 'consents.');
  const text = (k: string) => (c[k] === undefined ? {} : { [k]: str(c[k], '', `consents.${k}`) });
  const num = (k: string, min: number, max: number) => (c[k] === undefined ? {} : { [k]: int(c[k], 0, `consents.${k}`, min, max) });
  return {
    ...text('companyName'),
    ...text('callbackUrl'),
    ...text('orgCode'),
    ...num('pollMs', 100, 3_600_000),
    ...num('callTimeoutMs', 1_000, 86_400_000),
    ...num('retentionYears', 5, 50),
    ...num('bankRetryMs', 100, 86_400_000),
    ...num('bankMaxAttempts', 1, 1_000),
    ...(c['evidenceDir'] !== undefined ? { evidenceDir: resolve(str(c['evidenceDir'], '', 'consents.evidenceDir')) } : {}),
  };
}

/** `oneWon:` — code kind, memo, validity and limits (checked again, with their reasons, by the flow). */
function adminSection(v: unknown): NonNullable<GatewayConfig['admin']> {
  const o = mapping(v, 'admin');
  onlyKeys(o, ['secureCookie', 'idleMinutes', 'absoluteMinutes'], 'admin.');
  return {
    ...(o['secureCookie'] !== undefined ? { secureCookie: bool(o['secureCookie'], false, 'admin.secureCookie') } : {}),
    ...(o['idleMinutes'] !== undefined ? { idleMinutes: int(o['idleMinutes'], 15, 'admin.idleMinutes', 1, 24 * 60) } : {}),
    ...(o['absoluteMinutes'] !== undefined ? { absoluteMinutes: int(o['absoluteMinutes'], 480, 'admin.absoluteMinutes', 5, 7 * 24 * 60) } : {}),
  };
}

function oneWonSection(v: unknown): NonNullable<GatewayConfig['oneWon']> {
  const o = mapping(v, 'oneWon');
  onlyKeys(o, ['codeKind', 'memoPrefix', 'fullWidth', 'validityMs', 'maxAttempts', 'perAccountPerHour', 'perServicePerDay', 'perServicePerSecond', 'checkHolderName'], 'oneWon.');
  const num = (k: string, min: number, max: number) => (o[k] === undefined ? {} : { [k]: int(o[k], 0, `oneWon.${k}`, min, max) });
  return {
    ...(o['codeKind'] !== undefined ? { codeKind: oneOf(o['codeKind'], 'digits', 'oneWon.codeKind', ['digits', 'word'] as const) } : {}),
    ...(o['memoPrefix'] !== undefined ? { memoPrefix: str(o['memoPrefix'], '', 'oneWon.memoPrefix') } : {}),
    ...(o['fullWidth'] !== undefined ? { fullWidth: bool(o['fullWidth'], false, 'oneWon.fullWidth') } : {}),
    ...(o['checkHolderName'] !== undefined ? { checkHolderName: bool(o['checkHolderName'], true, 'oneWon.checkHolderName') } : {}),
    // The regulator's guideline: a code lives at most 15 minutes.
    ...num('validityMs', 10_000, 900_000),
    ...num('maxAttempts', 1, 10),
    ...num('perAccountPerHour', 1, 1_000),
    ...num('perServicePerDay', 1, 100_000_000),
    ...num('perServicePerSecond', 1, 100_000),
  };
}

/** `ars: { baseUrl }` with its token and callback secret from the environment (never from a file). */
function arsSection(v: unknown, env: Env): NonNullable<GatewayConfig['ars']> {
  const a = mapping(v, 'ars');
  onlyKeys(a, ['baseUrl'], 'ars.');
  const baseUrl = str(a['baseUrl'], '', 'ars.baseUrl');
  if (!/^https?:\/\//.test(baseUrl)) throw new ConfigError('ars.baseUrl', `"${maskUrl(baseUrl)}": expected an http:// or https:// URL`);
  const token = env['FIRMBANK_ARS_TOKEN'];
  const callbackSecret = env['FIRMBANK_ARS_CALLBACK_SECRET'];
  if (!token) throw new ConfigError('FIRMBANK_ARS_TOKEN', 'is not set: the ARS provider at ars.baseUrl needs its token');
  if (!callbackSecret) throw new ConfigError('FIRMBANK_ARS_CALLBACK_SECRET', "is not set: the ARS provider's callbacks cannot be checked without it");
  return { baseUrl, token, callbackSecret };
}

function oneOf<T extends string>(v: unknown, fallback: T, setting: string, allowed: readonly T[]): T {
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw new ConfigError(setting, `must be one of ${allowed.join(', ')}, not ${JSON.stringify(v)}`);
  return v as T;
}

function clockTime(v: unknown, fallback: string, setting: string): string {
  const text = str(v, fallback, setting);
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!m) throw new ConfigError(setting, `"${text}": expected a time of day HH:MM (Korean time), e.g. 23:50`);
  return text;
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
