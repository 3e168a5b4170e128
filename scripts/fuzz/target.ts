import { FirmbankError } from '../../src/errors/firmbank-error.js';

export type TargetName = 'decoder' | 'framing' | 'spec' | 'api';

export const TARGET_NAMES: readonly TargetName[] = ['decoder', 'framing', 'spec', 'api'];

/**
 * What counts as a crasher: an exception that is not ours (`untyped`), an input that takes far too long
 * (`slow`) or never returns (`hang`), a successful result that is wrong (`mismatch`), a masked value shown
 * in clear (`leak`), a spec error that does not say where (`unlocated`), an HTTP answer outside the
 * contract (`status`).
 */
export type CrashKind = 'untyped' | 'slow' | 'hang' | 'mismatch' | 'leak' | 'unlocated' | 'status';

export class Crash {
  constructor(
    readonly kind: CrashKind,
    readonly message: string,
    readonly stack?: string,
    /** What makes crashers the same bug when their messages differ (field names, say); else the message. */
    readonly bucket?: string,
  ) {}

  /** An exception that escaped as something other than a FirmbankError. */
  static untyped(e: unknown): Crash {
    const err = e instanceof Error ? e : new Error(String(e));
    return new Crash('untyped', `${err.name}: ${err.message}`, err.stack);
  }

  /**
   * What tells one bug from another: the kind, the message with its numbers and quoted parts blurred,
   * and the first frame in our own code. One fixture is kept per signature.
   */
  get signature(): string {
    const text = (this.bucket ?? this.message)
      .split('\n')[0]!
      .replace(/^(\w*Error): ([^:]*):.*$/, '$1: $2')
      .replace(/"[^"]*"|'[^']*'/g, 'Q')
      .replace(/0x[0-9a-f]+|\b[0-9a-f]{6,}\b/gi, 'H')
      .replace(/\d+/g, 'N')
      .slice(0, 120);
    // Function and file, not the line nor the path: the same bug stays one signature as the code moves
    // and whether it runs compiled (dist/) or from the sources.
    const line = this.stack?.split('\n').find((l) => /\/(src|scripts)\//.test(l) && !l.includes('/scripts/fuzz/'));
    const m = line && /at (?:async )?(\S+) .*\/([\w.-]+)\.[jt]s:\d+/.exec(line);
    return `${this.kind} ${text}${m ? ` @${m[1]}:${m[2]}` : ''}`;
  }
}

/** The result of one input: `ok`, the code of the typed error it raised, or a crasher. */
export type Outcome = string | Crash;

/** A thrown value as an outcome: our typed errors by code, anything else a crasher. */
export function outcomeOf(e: unknown): Outcome {
  return e instanceof FirmbankError ? e.code : Crash.untyped(e);
}

/** One input as a file under test/fixtures/fuzz/<target>/. */
export interface Fixture {
  readonly ext: 'bin' | 'json' | 'yaml';
  readonly data: Buffer;
}

/** A target set up for one run. Input `index` is a pure function of (seed, index). */
export interface Runner {
  /** Builds input `index` and checks it. */
  step(index: number): Outcome | Promise<Outcome>;
  /** Input `index` as a fixture, to keep a crasher. */
  fixture(index: number): Fixture;
  /** Checks a kept input (the regression test replays every fixture with this). */
  replay(fixture: Fixture): Outcome | Promise<Outcome>;
  close(): Promise<void>;
}

export interface TargetDef {
  readonly name: TargetName;
  /** Inputs in the default run. */
  readonly defaultRuns: number;
  /** Share of a `--time` budget. */
  readonly weight: number;
  /** A sampled input slower than this (three times in a row) is a crasher. */
  readonly slowMs: number;
  /** Inputs per second measured on the project's 2-core machine (shared), for the time estimate. */
  readonly expectedRate: number;
  open(seed: number): Promise<Runner>;
}

/** Every target; each module is imported only when its target runs (the API one loads Fastify and TypeORM). */
export const TARGETS: Readonly<Record<TargetName, TargetDef>> = {
  decoder: {
    name: 'decoder',
    defaultRuns: 10_000_000,
    weight: 0.5,
    slowMs: 50,
    expectedRate: 45_000,
    open: async (seed) => (await import('./decoder-target.js')).openDecoderTarget(seed),
  },
  framing: {
    name: 'framing',
    defaultRuns: 1_000_000,
    weight: 0.2,
    slowMs: 200,
    expectedRate: 10_000,
    open: async (seed) => (await import('./framing-target.js')).openFramingTarget(seed),
  },
  spec: {
    name: 'spec',
    // Not 20,000: one load of the mutated Hecto YAML costs 35–70 ms here (yaml walks the whole document
    // for every alias it resolves), so 5,000 already take about four minutes.
    defaultRuns: 5_000,
    weight: 0.15,
    slowMs: 2_000,
    expectedRate: 20,
    open: async (seed) => (await import('./spec-target.js')).openSpecTarget(seed),
  },
  api: {
    name: 'api',
    defaultRuns: 50_000,
    weight: 0.15,
    slowMs: 2_000,
    expectedRate: 700,
    open: async (seed) => (await import('./api-target.js')).openApiTarget(seed),
  },
};
