import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../src/cli/usage-error.js';
import { FIXTURES_DIR, keptInputs, type CrasherMeta } from '../scripts/fuzz/fixtures.js';
import { parseFuzzArgs } from '../scripts/fuzz/options.js';
import { Prng } from '../scripts/fuzz/prng.js';
import { Crash, TARGET_NAMES, TARGETS, type Runner, type TargetName } from '../scripts/fuzz/target.js';

/**
 * What each hand-made input must give. Inputs the fuzzer kept (`<hash>.<ext>` with a `.meta.json`) must
 * give a typed error when they crashed by throwing, leaking or not saying where, and at least no crash
 * otherwise: `npm run fuzz` writes them, this replays them, so a fixed bug stays fixed.
 */
const EXPECTED: Readonly<Record<TargetName, Readonly<Record<string, string>>>> = {
  decoder: {
    'hand-sample-transfer.bin': 'ok',
    'hand-empty.bin': 'FB_DECODE_LENGTH',
    'hand-key-only.bin': 'FB_DECODE_LENGTH',
    'hand-one-byte-long.bin': 'FB_DECODE_LENGTH',
    'hand-lead-byte-at-field-end.bin': 'FB_DECODE_INVALID_BYTES',
    'hand-uhc-in-strict-euc-kr.bin': 'FB_DECODE_INVALID_BYTES',
    'hand-signed-amount.bin': 'FB_DECODE_INVALID_VALUE',
    'hand-february-30.bin': 'FB_DECODE_INVALID_VALUE',
    // The amount's context shows the password and 복기부호 before it: they must be ** (a leak otherwise).
    'hand-bad-amount-after-secrets.bin': 'FB_DECODE_INVALID_VALUE',
  },
  framing: {
    'hand-split-inside-prefix.json': 'ok',
    'hand-byte-by-byte.json': 'ok',
    'hand-binary2-split.json': 'ok',
    'hand-fixed-torn.json': 'ok',
    'hand-space-in-prefix.json': 'FB_FRAME_BAD_LENGTH',
    'hand-negative-prefix.json': 'FB_FRAME_BAD_LENGTH',
    'hand-valid-then-garbage.json': 'FB_FRAME_BAD_LENGTH',
    'hand-one-over-max.json': 'FB_FRAME_TOO_LONG',
    'hand-binary4-all-ones.json': 'FB_FRAME_TOO_LONG',
    'hand-zero-length.json': 'FB_FRAME_TOO_SHORT',
  },
  spec: {
    'hand-valid-small.yaml': 'ok',
    'hand-numeric-key.yaml': 'FB_SPEC_INVALID',
    'hand-tab-indent.yaml': 'FB_SPEC_INVALID',
    'hand-default-does-not-fit.yaml': 'FB_SPEC_INVALID',
    'hand-empty.yaml': 'FB_SPEC_INVALID',
    'hand-unknown-alias.yaml': 'FB_SPEC_INVALID',
    'hand-billion-laughs.yaml': 'FB_SPEC_INVALID',
  },
  api: {
    'hand-valid-transfer.json': 'ok',
    'hand-no-key.json': 'FB_UNAUTHORIZED',
    'hand-memo-15-bytes.json': 'FB_VALIDATION',
    'hand-emoji-name.json': 'FB_VALIDATION',
    'hand-amount-as-number.json': 'FB_VALIDATION',
    'hand-euc-kr-body.json': 'FB_VALIDATION',
    'hand-over-limit.json': 'FB_LIMIT_EXCEEDED',
    'hand-other-service-balance.json': 'FB_FORBIDDEN',
    'hand-bad-percent-encoding.json': 'FB_BAD_URL',
    'hand-deep-nesting.json': 'FB_BAD_REQUEST',
    'hand-proto-pollution.json': 'FB_BAD_REQUEST',
  },
};

/** Crashers that threw, leaked or did not say where: their input is bad, so the fix is a typed error. */
const MUST_BE_REFUSED: readonly string[] = ['untyped', 'leak', 'unlocated'];

function metaOf(target: TargetName, name: string): CrasherMeta | null {
  const file = join(FIXTURES_DIR, target, name.replace(/\.[a-z]+$/, '.meta.json'));
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as CrasherMeta) : null;
}

for (const target of TARGET_NAMES) {
  describe(`fuzz fixtures: ${target}`, () => {
    let runner: Runner;
    beforeAll(async () => {
      runner = await TARGETS[target].open(1);
    });
    afterAll(async () => runner.close());
    const inputs = keptInputs(target);

    it('has every hand-made input, and every kept crasher its meta', () => {
      const names = inputs.map((i) => i.name);
      expect(names).toEqual(expect.arrayContaining(Object.keys(EXPECTED[target])));
      for (const n of names.filter((x) => !x.startsWith('hand-'))) expect(metaOf(target, n), n).not.toBeNull();
    });

    for (const { name, fixture } of inputs) {
      const want = EXPECTED[target][name];
      const meta = want === undefined ? metaOf(target, name) : null;
      const refused = meta !== null && MUST_BE_REFUSED.includes(meta.kind);
      it(`${name}: ${want ?? (refused ? `a typed error (found as ${meta!.kind})` : `no crash (found as ${meta?.kind})`)}`, async () => {
        const outcome = await runner.replay(fixture);
        if (outcome instanceof Crash) expect.fail(`${outcome.kind}: ${outcome.message}\n${outcome.stack ?? ''}`);
        if (want !== undefined) expect(outcome).toBe(want);
        else if (refused) expect(outcome).toMatch(/^FB_[A-Z_]+$/);
      });
    }
  });
}

describe('fuzz inputs repeat', () => {
  it('the same seed and index give the same input; another seed another', async () => {
    for (const target of ['decoder', 'framing', 'api'] as const) {
      const [a, b, c] = await Promise.all([TARGETS[target].open(42), TARGETS[target].open(42), TARGETS[target].open(43)]);
      const one = (r: Runner) => [0, 1, 977, 123_456].map((i) => r.fixture(i).data.toString('hex'));
      expect(one(a)).toEqual(one(b));
      expect(one(a)).not.toEqual(one(c));
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('a stream depends only on (seed, index), and stays in range', () => {
    const rng = new Prng();
    const draw = (seed: number, index: number) => Array.from({ length: 8 }, () => rng.reset(seed, index) && rng.next());
    expect(draw(7, 5)).toEqual(draw(7, 5));
    rng.reset(7, 5);
    const first = rng.next();
    expect(rng.reset(7, 6).next()).not.toBe(first);
    rng.reset(1, 1);
    for (let i = 0; i < 10_000; i++) {
      const n = rng.below(300);
      expect(Number.isInteger(n) && n >= 0 && n < 300).toBe(true);
    }
  });
});

describe('npm run fuzz arguments', () => {
  it('defaults to every target, default runs, a random seed', () => {
    const o = parseFuzzArgs([]);
    expect(o.targets).toEqual(TARGET_NAMES);
    expect(o.runs).toBeNull();
    expect(o.timeSeconds).toBeNull();
    expect(Number.isInteger(o.seed) && o.seed >= 0 && o.seed <= 0xffffffff).toBe(true);
    expect(parseFuzzArgs(['--target', 'spec', '--runs', '10', '--seed', '0', '--time', '1.5'])).toEqual({ targets: ['spec'], runs: 10, seed: 0, timeSeconds: 1.5 });
  });

  it.each([
    [['--target', 'codec'], /--target must be one of/],
    [['--runs', '0'], /--runs must be a whole number/],
    [['--runs', '1e6'], /--runs must be a whole number/],
    [['--seed', '4294967296'], /--seed must be a whole number/],
    [['--time', '-5'], /argument is ambiguous|--time must be/],
    [['--time', 'soon'], /--time must be a positive number/],
    [['--fast'], /Unknown option '--fast'/],
    [['decoder'], /positional argument/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseFuzzArgs(argv)).toThrow(UsageError);
    expect(() => parseFuzzArgs(argv)).toThrow(message);
  });
});
