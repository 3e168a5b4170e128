import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { UsageError } from '../../src/cli/usage-error.js';
import { TARGET_NAMES, type TargetName } from './target.js';

export const USAGE = `usage: npm run fuzz [-- --target decoder|framing|spec|api|all] [--runs N] [--seed S] [--time SECONDS]
  --target   what to fuzz (default all)
  --runs N   inputs per target (default: decoder 10,000,000, framing 1,000,000, spec 5,000, api 50,000;
             with --time and no --runs: as many as fit)
  --seed S   0 to 4294967295; the same seed generates the same inputs (default: a random one, printed)
  --time S   wall-clock budget in seconds for the whole run, shared among the targets by weight`;

export interface FuzzOptions {
  readonly targets: readonly TargetName[];
  /** Inputs per target; null: each target's default (or unlimited with a time budget). */
  readonly runs: number | null;
  readonly seed: number;
  /** Seconds for the whole run; null: no limit. */
  readonly timeSeconds: number | null;
}

/** Parses the command line; a {@link UsageError} names what is wrong (the caller exits 2). */
export function parseFuzzArgs(argv: readonly string[]): FuzzOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { target: { type: 'string' }, runs: { type: 'string' }, seed: { type: 'string' }, time: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const target = (values['target'] as string | undefined) ?? 'all';
  if (target !== 'all' && !TARGET_NAMES.includes(target as TargetName)) throw new UsageError(`--target must be one of ${TARGET_NAMES.join(', ')} or all, not "${target}"`);
  const runs = values['runs'] === undefined ? null : wholeNumber('--runs', values['runs'] as string, 1, Number.MAX_SAFE_INTEGER);
  const seed = values['seed'] === undefined ? randomInt(0x100000000) : wholeNumber('--seed', values['seed'] as string, 0, 0xffffffff);
  let timeSeconds: number | null = null;
  if (values['time'] !== undefined) {
    const text = values['time'] as string;
    timeSeconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
    if (!(timeSeconds > 0)) throw new UsageError(`--time must be a positive number of seconds, not "${text}"`);
  }
  return { targets: target === 'all' ? TARGET_NAMES : [target as TargetName], runs, seed, timeSeconds };
}

function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not "${text}"`);
  return n;
}
