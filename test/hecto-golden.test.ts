import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpecFile } from '../src/spec/load-spec.js';
import { ROOT } from './helpers/specs.js';

/**
 * Positions printed in the Hecto v2.0 PDF (extracted by scripts/extract-pdf-layouts.mjs) against the
 * offsets our loader derives from specs/hecto.yaml. Every printed field must start at a field boundary of
 * ours, end at one, and agree on X versus 9.
 */
const printed = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/hecto-pdf-layouts.json'), 'utf8')) as Record<
  string,
  { no: number; name: string; offset: number; kind: 'X' | '9'; length: number }[]
>;
const spec = loadSpecFile(join(ROOT, 'specs/hecto.yaml'));

describe('specs/hecto.yaml against the PDF', () => {
  it('covers every layout the PDF prints, request and response', () => {
    for (const code of Object.keys(printed)) {
      const [mc, bc] = code.split('/');
      const req = [...spec.messages.values()].find((m) => m.key['messageCode'] === mc && m.key['businessCode'] === bc);
      const res = [...spec.messages.values()].find((m) => m.key['messageCode'] === String(Number(mc) + 100) && m.key['businessCode'] === bc);
      expect(req, `request ${code}`).toBeDefined();
      expect(res, `response of ${code}`).toBeDefined();
    }
  });

  for (const [code, rows] of Object.entries(printed)) {
    it(`${code}: every printed offset and length matches`, () => {
      const [mc, bc] = code.split('/');
      for (const m of [...spec.messages.values()].filter((x) => x.key['businessCode'] === bc && [mc, String(Number(mc) + 100)].includes(x.key['messageCode']!))) {
        expect(m.length).toBe(300);
        for (const row of rows) {
          const first = m.layout.findIndex((f) => f.offset === row.offset);
          expect(first, `${m.name}: a field at ${row.offset} (${row.name})`).toBeGreaterThanOrEqual(0);
          const end = row.offset + row.length;
          const covering = m.layout.filter((f) => f.offset >= row.offset && f.offset < end);
          expect(covering.reduce((n, f) => n + f.length, 0), `${m.name}: fields covering ${row.offset}+${row.length} (${row.name})`).toBe(row.length);
          for (const f of covering) {
            const kind = ['X', 'sign', 'filler'].includes(f.type) ? 'X' : '9';
            expect(kind, `${m.name}.${f.name} at ${f.offset}: the PDF says ${row.kind}(${row.length})`).toBe(row.kind);
          }
        }
      }
    });
  }

  it('the header matches the common part of section 5-3, reserved area split as printed', () => {
    const offsets = spec.header.map((f) => [f.name, f.offset, f.length]);
    expect(offsets).toEqual([
      ['systemId', 0, 9], ['companyId', 9, 12], ['bankCode', 21, 3], ['messageCode', 24, 4], ['businessCode', 28, 3],
      ['sendCount', 31, 1], ['seqNo', 32, 6], ['sendDate', 38, 8], ['sendTime', 46, 6], ['responseCode', 52, 4],
      ['reserved1', 56, 15], ['reserved2', 71, 11], ['reserved3', 82, 18],
    ]);
  });
});
