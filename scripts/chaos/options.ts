import { parseArgs } from 'node:util';
import { UsageError } from '../../src/cli/usage-error.js';

/** What one chaos run does; every choice inside it comes from `seed`. */
export interface ChaosOptions {
  readonly transfers: number;
  readonly seed: number;
  readonly database: 'postgres' | 'sqlite';
  /** Callers submitting at the same time. */
  readonly concurrency: number;
  /** Gateway processes sharing the work (1 or 2). */
  readonly gateways: number;
  /** Transfers started per second at most, so that the chaos has time to act while they come in. */
  readonly rate: number;
  /** The whole run, settle phase included, ends by then (seconds). */
  readonly deadlineS: number;
  /** Longest the settle phase waits for every transfer to be final (seconds). */
  readonly settleS: number;
  /** Where to write the summary as JSON, if anywhere. */
  readonly json?: string;
  /** Relay the gateways' connections through a tap that counts the transfer telegrams reaching the bank. */
  readonly tap: boolean;
  /** Keep the run directory (configuration, child logs) even when the run passes. */
  readonly keep: boolean;
}

export const USAGE =
  'usage: npm run chaos -- --transfers N --seed S [--database postgres|sqlite] [--concurrency C] [--gateways 1|2] ' +
  '[--rate PER_S] [--settle S] [--deadline S] [--tap] [--json FILE] [--keep]';

function positive(name: string, v: string | undefined, fallback: number | undefined, max: number): number {
  if (v === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required (${USAGE})`);
    return fallback;
  }
  if (!/^\d{1,9}$/.test(v) || Number(v) < 1 || Number(v) > max) throw new UsageError(`--${name} ${v}: expected an integer from 1 to ${max}`);
  return Number(v);
}

/** Reads the command line; anything wrong is a UsageError naming the flag. */
export function parseChaosArgs(argv: readonly string[]): ChaosOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        transfers: { type: 'string' },
        seed: { type: 'string' },
        database: { type: 'string' },
        concurrency: { type: 'string' },
        gateways: { type: 'string' },
        rate: { type: 'string' },
        settle: { type: 'string' },
        deadline: { type: 'string' },
        json: { type: 'string' },
        keep: { type: 'boolean' },
        tap: { type: 'boolean' },
      },
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message} (${USAGE})`);
  }
  const str = (k: string) => values[k] as string | undefined;
  const transfers = positive('transfers', str('transfers'), undefined, 1_000_000);
  const seedText = str('seed');
  if (seedText === undefined) throw new UsageError(`--seed is required (${USAGE})`);
  if (!/^\d{1,10}$/.test(seedText) || Number(seedText) > 0xffffffff) throw new UsageError(`--seed ${seedText}: expected an integer from 0 to 4294967295`);
  const database = str('database') ?? 'postgres';
  if (database !== 'postgres' && database !== 'sqlite') throw new UsageError(`--database ${database}: expected postgres or sqlite`);
  const rate = positive('rate', str('rate'), 40, 10_000);
  const settleS = positive('settle', str('settle'), 90, 3_600);
  // Long enough for the transfers at their rate, slowed by the chaos, plus the settle phase.
  const deadlineS = positive('deadline', str('deadline'), Math.ceil(60 + (transfers / rate) * 3 + settleS), 86_400);
  return {
    transfers,
    seed: Number(seedText),
    database,
    concurrency: positive('concurrency', str('concurrency'), 16, 1_000),
    gateways: positive('gateways', str('gateways'), 2, 2),
    rate,
    settleS,
    deadlineS,
    ...(str('json') !== undefined ? { json: str('json')! } : {}),
    keep: values['keep'] === true,
    tap: values['tap'] === true,
  };
}
