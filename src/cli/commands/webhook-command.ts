import type { DataSource } from 'typeorm';
import { EVENT_TYPES, type EventType } from '../../domain/events.js';
import { loadConfig } from '../../config/config.js';
import { secretKeyFromDataDir } from '../../gateway/secret-key-file.js';
import { openDatabase } from '../../ledger/data-source.js';
import { WebhookStore, type WebhookDelivery } from '../../ledger/webhook-store.js';
import { silentLogger } from '../../log/logger.js';
import { checkEndpointUrl } from '../../webhooks/endpoint-url.js';
import { generateEndpointSecret, SecretBox } from '../../webhooks/secret-box.js';
import { ROTATION_OVERLAP_MS } from '../../webhooks/signature.js';
import { UsageError } from '../usage-error.js';

export const WEBHOOK_USAGE = `firmbank webhook add SERVICE URL [--types ${EVENT_TYPES.join(',')}]
                                                          an endpoint for a service's events (its secret printed once)
  firmbank webhook list SERVICE | rotate SERVICE ID | remove SERVICE ID
  firmbank webhook deliveries [--service S] [--status pending|delivered|dead]
  firmbank webhook redeliver ID                           a dead delivery back on its way (as an operator)`;

/** Runs `fn` over the endpoints store of the configured database; `allowPrivate` is the configuration's. */
async function withStore<T>(fn: (store: WebhookStore, allowPrivate: boolean) => Promise<T>): Promise<{ result: T }> {
  const config = loadConfig();
  const ds: DataSource = await openDatabase({ url: config.databaseUrl });
  try {
    const box = new SecretBox(config.secretKey ?? secretKeyFromDataDir(config.dataDir, silentLogger));
    return { result: await fn(new WebhookStore(ds, box, generateEndpointSecret), config.webhooks?.allowPrivate ?? false) };
  } finally {
    await ds.destroy();
  }
}

function service(s: string | undefined): string {
  if (!s || !/^[a-z][a-z0-9-]{1,63}$/.test(s)) throw new UsageError('webhook: SERVICE is a service name of lower-case letters, digits and -');
  return s;
}

function id(s: string | undefined): number {
  if (!s || !/^\d{1,12}$/.test(s)) throw new UsageError('webhook: ID is the number `webhook list` shows');
  return Number(s);
}

function types(text: string | undefined): EventType[] {
  if (text === undefined) return [...EVENT_TYPES];
  const names = text.split(',').map((t) => t.trim());
  const bad = names.find((t) => !(EVENT_TYPES as readonly string[]).includes(t));
  if (bad !== undefined) throw new UsageError(`--types ${text}: "${bad}" is not an event type (known: ${EVENT_TYPES.join(', ')})`);
  return [...new Set(names as EventType[])];
}

/** `firmbank webhook …`: the same endpoints and deliveries the API manages, for an operator's shell. */
export async function webhookCommand(sub: string | undefined, args: readonly string[], flags: { types?: string; service?: string; status?: string }): Promise<string> {
  switch (sub) {
    case 'add': {
      const [svc, url] = args;
      if (!url) throw new UsageError('webhook add SERVICE URL [--types a,b]');
      const { result } = await withStore((s, allowPrivate) => s.create(service(svc), checkEndpointUrl(url, { allowPrivate }).href, types(flags.types), new Date()));
      process.stderr.write(`firmbank: endpoint ${result.endpoint.id} for "${result.endpoint.service}" (${result.endpoint.types.join(',')}); its secret is shown only this once\n`);
      return result.secret;
    }
    case 'list': {
      const { result } = await withStore((s) => s.list(service(args[0])));
      return result.map((e) => `${e.id}  ${e.disabledAt ? 'disabled' : 'enabled '}  ${e.types.join(',')}  ${e.url}`).join('\n') || '(no endpoints)';
    }
    case 'rotate': {
      const { result } = await withStore((s) => s.rotate(service(args[0]), id(args[1]), ROTATION_OVERLAP_MS, new Date()));
      if (!result) throw new UsageError(`webhook rotate: service ${args[0]} has no enabled endpoint ${args[1]}`);
      process.stderr.write(`firmbank: endpoint ${result.endpoint.id}: new secret below (shown once); the old one signs beside it for 24 hours\n`);
      return result.secret;
    }
    case 'remove': {
      const { result } = await withStore((s) => s.disable(service(args[0]), id(args[1]), new Date()));
      if (!result) throw new UsageError(`webhook remove: service ${args[0]} has no endpoint ${args[1]}`);
      return `endpoint ${args[1]} disabled: it receives nothing new`;
    }
    case 'deliveries': {
      const status = flags.status as WebhookDelivery['status'] | undefined;
      if (status !== undefined && !['pending', 'delivered', 'dead'].includes(status)) throw new UsageError(`--status ${status}: pending, delivered or dead`);
      const { result } = await withStore((s) => s.deliveries({ ...(flags.service ? { service: service(flags.service) } : {}), ...(status ? { status } : {}) }, 200));
      return result.map((d) => `${d.id}  ${d.status.padEnd(9)}  endpoint ${d.endpointId}  ${d.eventId}  ${d.type}  attempts ${d.attempts}  ${d.lastError ?? ''}`.trimEnd()).join('\n') || '(no deliveries)';
    }
    case 'redeliver': {
      const { result } = await withStore((s) => s.redeliver(null, id(args[0]), new Date()));
      if (!result) throw new UsageError(`webhook redeliver: no dead delivery ${args[0]} (webhook deliveries --status dead lists them)`);
      return `delivery ${args[0]} pending again; a running gateway sends it within a second`;
    }
    default:
      throw new UsageError(`webhook: unknown subcommand ${sub ?? '(none)'} (add, list, rotate, remove, deliveries, redeliver)`);
  }
}
