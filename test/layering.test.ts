import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  buildGraph,
  checkLayering,
  extractImports,
  findCycles,
  formatCycle,
  readSourceTree,
  unknownUnits,
  type ForbiddenImport,
  type Layer,
} from './helpers/import-graph.js';

/**
 * The architecture of src/, lowest layer first. A file may import only from folders of the same or a
 * lower rank (same-rank imports between different folders are allowed). A folder under src/ — or a
 * file at src/ root — that is in no row fails the test: place it in the table when you add it.
 */
export const LAYERS: Layer[] = [
  { rank: 0, folders: ['errors', 'encoding', 'paths.ts', 'files', 'log', 'tracing', 'domain'], why: 'foundation: error types, charsets, project paths, private files, logging, tracing, domain types and rules — depend on nothing of ours above them' },
  { rank: 1, folders: ['spec', 'codec', 'framing', 'codes', 'bankfile'], why: 'wire: telegram specs, field codecs, framing, response codes, bank files' },
  { rank: 2, folders: ['link'], why: 'link: sessions and connections to a bank or VAN' },
  { rank: 3, folders: ['institution'], why: 'institution profiles: bind operations to spec messages' },
  { rank: 4, folders: ['flows'], why: 'flows: transfer / verification / notice use cases, written against ports' },
  { rank: 5, folders: ['ledger', 'queue', 'sim', 'config', 'webhooks', 'metrics', 'switches', 'ars', 'evidence'], why: 'adapters: persistence, job queue, simulators, configuration, webhook delivery, metrics, the switchboard, the ARS provider, the evidence store — implement the ports' },
  { rank: 6, folders: ['api', 'batch', 'admin'], why: 'edges: HTTP API, nightly batch, admin' },
  { rank: 7, folders: ['gateway'], why: 'composition root: wires adapters to ports and flows, one per process' },
  { rank: 8, folders: ['cli'], why: 'entry points: the command line starts the composition root (firmbank start) or a tool' },
];

/** Implied by the ranks, but said plainly — this is the one that matters most. Applies to `import type` too. */
export const FORBIDDEN: ForbiddenImport[] = [
  {
    from: 'flows',
    to: ['ledger', 'queue', 'api', 'gateway', 'sim', 'config'],
    why: 'flows depend on ports in src/flows/ports* or src/institution; adapters implement them',
  },
];

describe('import scanner (self-test on an in-memory tree)', () => {
  it('extracts static, type-only, re-export, multi-line and dynamic imports, and skips comments', () => {
    const src = [
      "import { a } from './a.js';",
      "import type { B } from '../b.js';",
      "import {",
      "  type C,",
      "  type D,",
      "} from './cd.js';",
      "import { e, type E } from './e.js';",
      "export { f } from './f.js';",
      "export type { G } from './g.js';",
      "export * from './h.js';",
      "import './side-effect.js';",
      "// import { no } from './commented.js';",
      "/* export { no } from './commented-too.js'; */",
      "const x = await import('./lazy.js');",
      "import { readFileSync } from 'node:fs';",
    ].join('\n');
    expect(extractImports(src).map((i) => [i.specifier, i.typeOnly, i.dynamic, i.line])).toEqual([
      ['./a.js', false, false, 1],
      ['../b.js', true, false, 2],
      ['./cd.js', true, false, 3],
      ['./e.js', false, false, 7],
      ['./f.js', false, false, 8],
      ['./g.js', true, false, 9],
      ['./h.js', false, false, 10],
      ['./side-effect.js', false, false, 11],
      ['./lazy.js', false, true, 14],
      ['node:fs', false, false, 15],
    ]);
  });

  const tree = new Map<string, string>([
    // upward: foundation (0) → link (2)
    ['src/errors/base.ts', "import { Link } from '../link/link.js';\nimport { readFileSync } from 'node:fs';"],
    // runtime cycle link.ts → session.ts → link.ts
    ['src/link/link.ts', "import { Session } from './session.js';\nimport { BaseError } from '../errors/base.js';"],
    ['src/link/session.ts', "import { Link } from './link.js';"],
    // type-only back edge: not a cycle
    ['src/codec/a.ts', "import type { B } from './b.js';"],
    ['src/codec/b.ts', "import { A } from './a.js';"],
    // flows → ledger, type-only: still a violation, with the ports message
    ['src/flows/transfer-flow.ts', "import type { Ledger } from '../ledger/ledger.js';\nimport { DataSource } from 'typeorm';"],
    ['src/ledger/ledger.ts', "import { TransferFlow } from '../flows/transfer-flow.js';"], // downward: fine
    ['src/paths.ts', ''],
    ['src/mystery/thing.ts', "import { x } from '../paths.js';"],
  ]);
  const graph = buildGraph(tree);

  it('reports upward imports (type-only included) with both files and both layers', () => {
    expect(checkLayering(graph, LAYERS, FORBIDDEN)).toEqual([
      'src/errors/base.ts (errors, rank 0) imports src/link/link.ts (link, rank 2): a lower layer may not depend on a higher one [line 1]',
      'src/flows/transfer-flow.ts (flows, rank 4) imports src/ledger/ledger.ts (ledger, rank 5): flows depend on ports in src/flows/ports* or src/institution; adapters implement them [line 1, import type]',
    ]);
  });

  it('finds runtime cycles by Tarjan, ignoring cycles closed only by import type', () => {
    const cycles = findCycles(graph);
    expect(cycles.map((c) => c.files)).toEqual([
      ['src/errors/base.ts', 'src/link/link.ts', 'src/link/session.ts'],
    ]);
    expect(cycles[0]!.loop).toEqual(['src/errors/base.ts', 'src/link/link.ts', 'src/errors/base.ts']);
  });

  it('rejects a folder that is in no layer, and ignores package imports', () => {
    expect(unknownUnits(graph.files, LAYERS)).toEqual([
      'src/mystery (1 file, e.g. src/mystery/thing.ts) is in no layer: add it to the layer table',
    ]);
    expect(graph.edges.some((e) => !e.to.startsWith('src/'))).toBe(false);
    expect(graph.unresolved).toEqual([]);
  });
});

describe('layering of src/', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const graph = buildGraph(readSourceTree(root, 'src'));
  const failIf = (problems: string[], header: string) => {
    if (problems.length) expect.fail(`${header} (${problems.length}):\n  ${problems.join('\n  ')}`);
  };

  it('scans the tree', () => {
    expect(graph.files.length).toBeGreaterThan(0);
    expect(graph.edges.length).toBeGreaterThan(0);
  });

  it('places every folder under src/ in the layer table', () => {
    failIf(unknownUnits(graph.files, LAYERS), 'folders in no layer');
  });

  it('resolves every relative import inside src/ (else the scanner would miss an edge)', () => {
    failIf(graph.unresolved.map((u) => `${u.from}:${u.line} imports '${u.specifier}', which matches no file`), 'unresolved imports');
  });

  it('has no import that runs up a layer (import type included)', () => {
    failIf(checkLayering(graph, LAYERS, FORBIDDEN), 'upward imports');
  });

  it('has no runtime import cycle (cycles closed only by import type are harmless and ignored)', () => {
    failIf(findCycles(graph).map(formatCycle), 'import cycles');
  });
});
