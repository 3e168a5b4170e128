import { Decimal } from 'decimal.js';
import { loadConfig } from '../../config/config.js';
import { Gateway } from '../../gateway/gateway.js';
import { openDatabase } from '../../ledger/data-source.js';
import { ApiKeys } from '../../api/api-keys.js';
import { UsageError } from '../usage-error.js';

/** `firmbank start` (`npm start`): the gateway until SIGINT/SIGTERM, then a graceful stop. */
export async function startCommand(): Promise<void> {
  const config = loadConfig();
  const gw = await Gateway.start(config);
  const keyFile = await gw.ensureDemoKey();
  const url = `http://${config.api.host}:${gw.apiPort}`;
  const sims = config.institutions.filter((i) => i.simulator).map((i) => i.id);
  process.stdout.write(
    [
      `firmbank gateway listening on ${url}`,
      `database: ${config.databaseUrl.replace(/\/\/[^@]*@/, '//***@')}; redis: ${config.redisUrl}`,
      sims.length ? `simulated banks (in-process): ${sims.join(', ')}` : '',
      keyFile ? `a first API key (service "demo") is in ${keyFile}: curl -H "Authorization: Bearer $(cat ${keyFile})" ${url}/ready` : '',
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
}

/** `firmbank apikey create SERVICE [--max-amount WON]`: prints a new key once; only its hash is stored. */
export async function apiKeyCommand(service: string | undefined, maxAmount: string): Promise<string> {
  if (!service || !/^[a-z][a-z0-9-]{1,63}$/.test(service)) throw new UsageError('apikey create SERVICE: a service name of lower-case letters, digits and -');
  if (!/^\d{1,13}$/.test(maxAmount)) throw new UsageError(`--max-amount ${maxAmount}: expected whole won, at most 13 digits`);
  const ds = await openDatabase({ url: loadConfig().databaseUrl });
  try {
    return await new ApiKeys(ds).create(service, new Decimal(maxAmount));
  } finally {
    await ds.destroy();
  }
}
