import { sleep } from './callers.js';
import type { GatewayFleet } from './fleet.js';
import type { Random } from './prng.js';

/** The service of the run's API key (`firmbank apikey create chaos`): its events are the ones checked. */
export const CHAOS_SERVICE = 'chaos';

/** What the run's endpoint subscribes to: every event a transfer makes. */
export const WEBHOOK_TYPES = ['transfer.succeeded', 'transfer.failed', 'transfer.reversed'] as const;

/**
 * Registers the callers' service's endpoint through the API (`POST /v1/webhooks`), as a service would;
 * resolves with its id and its secret, which the answer shows this once (kept in memory only, never
 * written). Made again while no gateway answers (they have just started); any 4xx is an error of the run.
 */
export async function registerWebhook(fleet: GatewayFleet, key: string, url: string, random: Random, signal: AbortSignal): Promise<{ id: number; secret: string }> {
  let last = '';
  for (let attempt = 0; attempt < 20 && !signal.aborted; attempt++) {
    const base = await fleet.pick(random, signal);
    if (!base) break;
    try {
      const r = await fetch(`${base}/v1/webhooks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ url, types: WEBHOOK_TYPES }),
        signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]),
      });
      const body = (await r.json()) as Record<string, unknown>;
      if (r.status === 201 && typeof body['secret'] === 'string') return { id: Number(body['id']), secret: body['secret'] };
      // The answer of a refusal holds no secret: it can be shown.
      last = `${r.status} ${JSON.stringify(body)}`;
      if (r.status < 500) break;
    } catch (e) {
      last = String((e as Error).message ?? e);
    }
    await sleep(500, signal);
  }
  throw new Error(`the webhook endpoint could not be registered: ${last || 'stopped'}`);
}
