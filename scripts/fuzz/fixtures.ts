import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { projectRoot } from '../../src/paths.js';
import type { Crash, Fixture, TargetName } from './target.js';

/** Where crashers are kept, one folder per target; test/fuzz-regressions.test.ts replays them all. */
export const FIXTURES_DIR = join(projectRoot(), 'test', 'fixtures', 'fuzz');

const META = '.meta.json';

/** What is written next to a crasher's input. */
export interface CrasherMeta {
  readonly target: TargetName;
  readonly seed: number;
  readonly index: number;
  readonly kind: Crash['kind'];
  readonly signature: string;
  readonly error: string;
  readonly stack: string | null;
  readonly found: string;
  /** The command that generates the same input again (as input `index` of that run). */
  readonly repeat: string;
}

/** Keeps a crasher: `<sha256 prefix>.<ext>` with its input, `<same>.meta.json` with seed and error. Returns the input's path. */
export function keepCrasher(target: TargetName, fixture: Fixture, crash: Crash, seed: number, index: number): string {
  const dir = join(FIXTURES_DIR, target);
  mkdirSync(dir, { recursive: true });
  const name = createHash('sha256').update(fixture.data).digest('hex').slice(0, 16);
  const file = join(dir, `${name}.${fixture.ext}`);
  writeFileSync(file, fixture.data);
  const meta: CrasherMeta = {
    target,
    seed,
    index,
    kind: crash.kind,
    signature: crash.signature,
    error: crash.message,
    stack: crash.stack ?? null,
    found: new Date().toISOString(),
    repeat: `npm run fuzz -- --target ${target} --seed ${seed} --runs ${index + 1}`,
  };
  writeFileSync(join(dir, name + META), JSON.stringify(meta, null, 1) + '\n');
  return relative(projectRoot(), file);
}

/** Signatures of the crashers already kept for `target`: one fixture per bug is enough. */
export function keptSignatures(target: TargetName): Set<string> {
  const dir = join(FIXTURES_DIR, target);
  if (!existsSync(dir)) return new Set();
  return new Set(
    readdirSync(dir)
      .filter((f) => f.endsWith(META))
      .map((f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as CrasherMeta).signature),
  );
}

/** Every input kept for `target` (crashers and hand-made ones), by file name. */
export function keptInputs(target: TargetName): { name: string; fixture: Fixture }[] {
  const dir = join(FIXTURES_DIR, target);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => !f.endsWith(META) && /\.(bin|json|yaml)$/.test(f))
    .sort()
    .map((name) => ({ name, fixture: { ext: name.slice(name.lastIndexOf('.') + 1) as Fixture['ext'], data: readFileSync(join(dir, name)) } }));
}
