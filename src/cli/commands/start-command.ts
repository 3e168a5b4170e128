import { chmodSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import type { ApiKeys } from '../../api/api-keys.js';
import { SCOPES } from '../../api/scopes.js';
import { defaultDataDir, loadConfig, type GatewayConfig, type SettingNames } from '../../config/config.js';
import { maskUrl } from '../../config/mask-url.js';
import { makePrivateDir } from '../../files/private-files.js';
import { StartupError } from '../../config/startup-error.js';
import { Gateway } from '../../gateway/gateway.js';
import { OperatorStore } from '../../ledger/operator-store.js';
import { startTracing } from '../../tracing/start-tracing.js';
import { jsonLogger } from '../../log/logger.js';
import { logProcessFaults } from '../../log/process-faults.js';

/**
 * `firmbank start` (`npm start`): the gateway until SIGINT/SIGTERM, then a graceful stop. Whatever stops
 * the start (a bad setting, a database or Redis that is not there, a port in use) is a FirmbankError
 * naming the setting, URLs masked; main prints it as one line and exits 2.
 */
export async function startCommand(): Promise<void> {
  const config = loadConfig();
  const log = jsonLogger('gateway', { level: config.logLevel ?? 'info' });
  // A bug that escapes is one structured line and an exit, never a raw stack on stderr.
  logProcessFaults(log);
  const names = config.settingNames ?? defaultNames;
  prepareDataDir(config, names);
  // Before anything opens: a port in use must not cost a business-day session with the bank first.
  await checkApiAddress(config, names);
  // Tracing is the process's (one provider per process), started before the API exists to be traced.
  const tracing = config.tracing?.exporter === 'otlp' ? startTracing({ ...config.tracing, serviceName: 'firmbank' }) : null;
  let gw: Gateway;
  try {
    gw = await Gateway.start(config, { logger: log });
  } catch (e) {
    // What started before the failure may hold the event loop open (workers, links): main prints the
    // error and sets the exit status, then this ends the process if nothing else does. A private Redis
    // goes with it (its watchdog sees us go).
    setTimeout(() => process.exit(), 2_000).unref();
    throw listenFailure(e, config, names) ?? e;
  }
  const keyFile = await ensureDemoKey(gw.apiKeys, config.dataDir);
  const url = `http://${config.api.host}:${gw.apiPort}`;
  const sims = config.institutions.filter((i) => i.simulator).map((i) => i.id);
  process.stdout.write(
    [
      `firmbank gateway listening on ${url}`,
      `database: ${maskUrl(config.databaseUrl)}; redis: ${maskUrl(config.redisUrl)}`,
      sims.length ? `simulated banks (in-process): ${sims.join(', ')}` : '',
      keyFile ? `a first API key (service "demo") is in ${keyFile}: curl -H "Authorization: Bearer $(cat ${keyFile})" ${url}/ready` : '',
      `operators' console: ${url}/admin/` + ((await new OperatorStore(gw.ds).list()).length === 0 ? ' (no operator yet: npx firmbank operator create NAME --role admin)' : ''),
    ]
      .filter(Boolean)
      .join('\n') + '\n',
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stdout.write('firmbank gateway stopping: finishing running jobs, closing the business day …\n');
  await gw.stop();
  await tracing?.shutdown();
}

const defaultNames: SettingNames = { databaseUrl: 'DATABASE_URL', redisUrl: 'REDIS_URL', port: 'PORT', host: 'HOST', dataDir: 'FIRMBANK_DATA_DIR' };

/**
 * The data folder, 0700. The default `.data/` is ours by definition and is tightened even if an earlier
 * version made it wider; a folder the operator chose keeps the mode they gave it (it may be shared on
 * purpose), while everything we put in it is 0600.
 */
function prepareDataDir(config: GatewayConfig, names: SettingNames): void {
  try {
    makePrivateDir(config.dataDir, config.dataDir === defaultDataDir());
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'EEXIST' || err.code === 'ENOTDIR' ? 'a file is in the way of the folder' : err.code === 'EACCES' ? 'permission denied' : err.message;
    throw new StartupError('FB_DATA_DIR_UNAVAILABLE', names.dataDir, config.dataDir, `cannot create the data folder: ${why}`);
  }
}

/** Binds the API's address for a moment, so that a port in use or a host not ours is told before anything starts. */
async function checkApiAddress(config: GatewayConfig, names: SettingNames): Promise<void> {
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: config.api.host, port: config.api.port, exclusive: true }, resolve);
    });
  } catch (e) {
    throw listenFailure(e, config, names) ?? e;
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

/** A failure to listen (the API's port, or an in-process simulator's), as the setting to change; else null. */
function listenFailure(e: unknown, config: GatewayConfig, names: SettingNames): StartupError | null {
  const err = e as NodeJS.ErrnoException & { port?: number; hostname?: string };
  const { host, port } = config.api;
  const sim = config.institutions.findIndex((i) => i.simulator && i.port !== 0 && i.port === err.port);
  const [setting, at] = err.port !== undefined && err.port !== port && sim >= 0 ? [`institutions[${sim}].port`, `127.0.0.1:${err.port}`] : [names.port, `${host}:${port}`];
  const value = String(err.port ?? port);
  switch (err.code) {
    case 'EADDRINUSE':
      return new StartupError('FB_PORT_IN_USE', setting, value, `${at} is already in use by another program: stop it or choose another port`);
    case 'EACCES':
      return new StartupError('FB_PORT_DENIED', setting, value, `not allowed to listen on ${at} (ports below 1024 need privileges): choose one from 1024 up`);
    case 'EADDRNOTAVAIL':
      return new StartupError('FB_HOST_UNAVAILABLE', names.host, host, `${host} is not an address of this machine`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return err.syscall === 'getaddrinfo' && (err.hostname ?? host) === host ? new StartupError('FB_HOST_UNAVAILABLE', names.host, host, `the host name ${host} is not known (DNS)`) : null;
    default:
      return null;
  }
}

/** Makes the first key when there is none yet, writes it to dataDir/demo-api-key (0600), returns the file. */
async function ensureDemoKey(apiKeys: ApiKeys, dataDir: string): Promise<string | null> {
  if ((await apiKeys.count()) > 0) return null;
  const key = await apiKeys.create('demo', new Decimal('10000000'), SCOPES);
  const file = join(dataDir, 'demo-api-key');
  writeFileSync(file, key + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}
