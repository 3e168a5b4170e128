/**
 * A small import scanner for the layering check in test/layering.test.ts — no dependency, no compiler.
 *
 * Pure parts (extractImports, resolveSpecifier, buildGraph, checkLayering, findCycles) take plain data,
 * so the check can be fed an in-memory source tree; only readSourceTree touches the file system.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';

/** One row of the layer table: folders (or root files) under src/ and their rank. */
export interface Layer {
  rank: number;
  folders: string[];
  why: string;
}

/** An import forbidden whatever the ranks say, with its own explanation. */
export interface ForbiddenImport {
  from: string;
  to: string[];
  why: string;
}

/** An import found in one source file, before resolution. */
export interface RawImport {
  specifier: string;
  /** `import type`, `export type`, or `import { type A, type B }`: erased by tsc, absent at runtime. */
  typeOnly: boolean;
  dynamic: boolean;
  line: number;
}

/** A resolved import between two files of the tree (paths like `src/flows/transfer-flow.ts`). */
export interface ImportEdge extends RawImport {
  from: string;
  to: string;
}

export interface ImportGraph {
  files: string[];
  edges: ImportEdge[];
  /** Relative imports that point inside the tree but match no file: the scanner would miss an edge. */
  unresolved: { from: string; specifier: string; line: number }[];
}

/** Blanks out comments (keeping newlines, so line numbers stay right) but keeps string literals. */
export function stripComments(src: string): string {
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      while (i < src.length && src[i] !== '\n') { out += ' '; i++; }
    } else if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      for (; i < stop; i++) out += src[i] === '\n' ? '\n' : ' ';
    } else if (c === "'" || c === '"' || c === '`') {
      // A '…' or "…" string cannot span lines; a template can. Escapes are skipped as pairs.
      out += c;
      i++;
      while (i < src.length && src[i] !== c && (c === '`' || src[i] !== '\n')) {
        if (src[i] === '\\' && i + 1 < src.length) { out += src[i]! + src[i + 1]!; i += 2; continue; }
        out += src[i]!;
        i++;
      }
      if (i < src.length) { out += src[i]!; i++; }
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

// `import X from`, `import type { A } from`, `import * as n from`, `export { a } from`, `export * from`,
// `export type { A } from` — possibly spread over several lines. The clause holds no quote or `;`.
const STATIC = /(?<![\w$.])(import|export)\s+(type\s+)?([\w$*{},\s]*?)\s*from\s*(['"])([^'"\n]+)\4/g;
// `import './side-effect.js'`
const BARE = /(?<![\w$.])import\s*(['"])([^'"\n]+)\1/g;
// `import('./x.js')` with a literal specifier (a computed one cannot be followed).
const DYNAMIC = /(?<![\w$.])import\s*\(\s*(['"`])([^'"`\n]+)\1\s*\)/g;

/** A named clause whose every binding says `type` (`{ type A, type B }`) is erased like `import type`. */
function allInlineTypes(clause: string): boolean {
  const m = /^\{([\s\S]*)\}$/.exec(clause.trim());
  if (!m) return false;
  const names = m[1]!.split(',').map((s) => s.trim()).filter(Boolean);
  return names.length > 0 && names.every((n) => /^type\s/.test(n));
}

/** Every import specifier in one file's source, package imports included. */
export function extractImports(source: string): RawImport[] {
  const text = stripComments(source);
  const lineAt = (index: number) => text.slice(0, index).split('\n').length;
  const found: { index: number; imp: RawImport }[] = [];
  for (const m of text.matchAll(STATIC)) {
    const typeOnly = m[2] !== undefined || allInlineTypes(m[3]!);
    const at = m.index + m[0].indexOf(m[1]!);
    found.push({ index: at, imp: { specifier: m[5]!, typeOnly, dynamic: false, line: lineAt(at) } });
  }
  for (const m of text.matchAll(BARE)) {
    found.push({ index: m.index, imp: { specifier: m[2]!, typeOnly: false, dynamic: false, line: lineAt(m.index) } });
  }
  for (const m of text.matchAll(DYNAMIC)) {
    found.push({ index: m.index, imp: { specifier: m[2]!, typeOnly: false, dynamic: true, line: lineAt(m.index) } });
  }
  return found.sort((a, b) => a.index - b.index).map((f) => f.imp);
}

/**
 * The file a relative specifier names, or undefined. NodeNext style: `./x.js` is `./x.ts` on disk;
 * an extensionless `./x` may be `./x.ts` or `./x/index.ts`. Package specifiers are not resolved.
 */
export function resolveSpecifier(fromFile: string, specifier: string, files: ReadonlySet<string>): string | undefined {
  const target = posix.normalize(posix.join(posix.dirname(fromFile), specifier));
  const candidates = [target];
  if (/\.js$/.test(target)) candidates.push(target.replace(/\.js$/, '.ts'), target.replace(/\.js$/, '.tsx'), target.replace(/\.js$/, '.d.ts'));
  else if (/\.mjs$/.test(target)) candidates.push(target.replace(/\.mjs$/, '.mts'));
  else if (/\.cjs$/.test(target)) candidates.push(target.replace(/\.cjs$/, '.cts'));
  else candidates.push(`${target}.ts`, `${target}.tsx`, `${target}/index.ts`);
  return candidates.find((c) => files.has(c));
}

const isRelative = (s: string) => s === '.' || s === '..' || s.startsWith('./') || s.startsWith('../');

/** The import graph of a source tree given as path → source text (paths posix, e.g. `src/a/b.ts`). */
export function buildGraph(sources: ReadonlyMap<string, string>, root = 'src'): ImportGraph {
  const files = [...sources.keys()].sort();
  const known = new Set(files);
  const edges: ImportEdge[] = [];
  const unresolved: ImportGraph['unresolved'] = [];
  for (const from of files) {
    for (const imp of extractImports(sources.get(from)!)) {
      if (!isRelative(imp.specifier)) continue; // 'node:fs', 'typeorm', …
      const to = resolveSpecifier(from, imp.specifier, known);
      if (to !== undefined) edges.push({ from, to, ...imp });
      else if (posix.normalize(posix.join(posix.dirname(from), imp.specifier)).startsWith(`${root}/`)) {
        unresolved.push({ from, specifier: imp.specifier, line: imp.line });
      }
      // A relative import leaving the tree (e.g. '../../package.json') is not part of the layering.
    }
  }
  return { files, edges, unresolved };
}

/** Reads every .ts file under `<repoRoot>/<dir>` recursively, keyed by posix path relative to repoRoot. */
export function readSourceTree(repoRoot: string, dir = 'src'): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const e of readdirSync(join(repoRoot, rel), { withFileTypes: true })) {
      const child = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(child);
      else if (/\.(ts|tsx|mts|cts)$/.test(e.name)) out.set(child, readFileSync(join(repoRoot, child), 'utf8'));
    }
  };
  walk(dir);
  return out;
}

/** The top-level folder (or root file, e.g. `paths.ts`) under `root/` that a file belongs to. */
export function unitOf(file: string, root = 'src'): string {
  return file.slice(root.length + 1).split('/')[0]!;
}

export function layerOf(file: string, layers: readonly Layer[], root = 'src'): { unit: string; layer?: Layer } {
  const unit = unitOf(file, root);
  return { unit, layer: layers.find((l) => l.folders.includes(unit)) };
}

/** Files whose top-level folder (or root file) is in no layer: one message per unknown unit. */
export function unknownUnits(files: readonly string[], layers: readonly Layer[], root = 'src'): string[] {
  const units = new Map<string, string[]>();
  for (const f of files) {
    const { unit, layer } = layerOf(f, layers, root);
    if (!layer) units.set(unit, [...(units.get(unit) ?? []), f]);
  }
  return [...units].map(([unit, fs]) =>
    `${root}/${unit} (${fs.length} file${fs.length === 1 ? '' : 's'}, e.g. ${fs[0]}) is in no layer: add it to the layer table`);
}

export const UPWARD = 'a lower layer may not depend on a higher one';

/**
 * One message per (importing file, imported file) pair that breaks the layering. Type-only imports
 * count here: a lower layer that names a higher layer's types still depends on it.
 */
export function checkLayering(graph: ImportGraph, layers: readonly Layer[], forbidden: readonly ForbiddenImport[] = [], root = 'src'): string[] {
  const pairs = new Map<string, ImportEdge[]>();
  for (const e of graph.edges) {
    const k = `${e.from}\0${e.to}`;
    pairs.set(k, [...(pairs.get(k) ?? []), e]);
  }
  const out: string[] = [];
  for (const es of pairs.values()) {
    const { from, to } = es[0]!;
    const a = layerOf(from, layers, root);
    const b = layerOf(to, layers, root);
    if (!a.layer || !b.layer) continue; // reported by unknownUnits
    const rule = forbidden.find((r) => r.from === a.unit && r.to.includes(b.unit));
    const why = rule?.why ?? (b.layer.rank > a.layer.rank ? UPWARD : undefined);
    if (!why) continue;
    const kind = es.every((e) => e.typeOnly) ? ', import type' : '';
    const lines = es.map((e) => e.line).join(',');
    out.push(`${from} (${a.unit}, rank ${a.layer.rank}) imports ${to} (${b.unit}, rank ${b.layer.rank}): ${why} [line ${lines}${kind}]`);
  }
  return out.sort();
}

/**
 * Import cycles among files, by Tarjan's strongly connected components. Only imports that exist at
 * runtime count: `import type` (and `{ type A }`-only clauses) are erased by tsc, so a cycle through
 * them is harmless at load time. Each cycle is one SCC: its files, plus one concrete loop through it.
 */
export function findCycles(graph: ImportGraph): { files: string[]; loop: string[] }[] {
  const adj = new Map<string, string[]>(graph.files.map((f) => [f, []]));
  for (const e of graph.edges) {
    if (e.typeOnly) continue;
    const list = adj.get(e.from) ?? [];
    if (!list.includes(e.to)) list.push(e.to);
    adj.set(e.from, list);
    if (!adj.has(e.to)) adj.set(e.to, []);
  }
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const sccs: string[][] = [];
  // Iterative Tarjan (no recursion-depth limit on long import chains).
  for (const start of adj.keys()) {
    if (index.has(start)) continue;
    const work: { v: string; i: number }[] = [{ v: start, i: 0 }];
    index.set(start, counter); low.set(start, counter); counter++;
    stack.push(start); onStack.add(start);
    while (work.length) {
      const top = work[work.length - 1]!;
      const succ = adj.get(top.v)!;
      if (top.i < succ.length) {
        const w = succ[top.i++]!;
        if (!index.has(w)) {
          index.set(w, counter); low.set(w, counter); counter++;
          stack.push(w); onStack.add(w);
          work.push({ v: w, i: 0 });
        } else if (onStack.has(w)) {
          low.set(top.v, Math.min(low.get(top.v)!, index.get(w)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.v, Math.min(low.get(parent.v)!, low.get(top.v)!));
      if (low.get(top.v) === index.get(top.v)) {
        const scc: string[] = [];
        let w: string;
        do { w = stack.pop()!; onStack.delete(w); scc.push(w); } while (w !== top.v);
        if (scc.length > 1 || adj.get(top.v)!.includes(top.v)) sccs.push(scc.sort());
      }
    }
  }
  return sccs
    .map((files) => ({ files, loop: shortestLoop(files[0]!, new Set(files), adj) }))
    .sort((x, y) => x.files[0]!.localeCompare(y.files[0]!));
}

/** A shortest import loop from `start` back to itself, staying inside its SCC (breadth-first). */
function shortestLoop(start: string, scc: ReadonlySet<string>, adj: ReadonlyMap<string, string[]>): string[] {
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of adj.get(v) ?? []) {
      if (!scc.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(prev.get(path[0]!)!);
        return [...path, start];
      }
      if (!prev.has(w)) { prev.set(w, v); queue.push(w); }
    }
  }
  return [start];
}

export function formatCycle(c: { files: string[]; loop: string[] }): string {
  return `import cycle of ${c.files.length} file${c.files.length === 1 ? '' : 's'}: ${c.loop.join(' → ')}` +
    (c.files.length > c.loop.length - 1 ? `\n    (whole cycle: ${c.files.join(', ')})` : '');
}
