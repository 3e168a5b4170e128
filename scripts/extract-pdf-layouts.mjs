// Extracts the printed layouts (offset, length, X/9) of the Hecto v2.0 spec from its text extraction,
// so that tests compare specs/hecto.yaml against the PDF rather than against a hand-typed copy.
// usage: node scripts/extract-pdf-layouts.mjs ../shared/reference/hecto-realtime-firmbanking-spec-v2.0-202403.txt > test/fixtures/hecto-pdf-layouts.json
import { readFileSync } from 'node:fs';

const SECTIONS = {
  '1-1': ['1000/100'], '1-2': ['1000/200'], '1-3': ['1000/500'], '2-1': ['2000/100'], '2-2': ['2000/200'],
  '2-4': ['3000/100'], '2-5': ['3000/200'], '2-6': ['4000/100'], '2-8': ['4000/200'], '3-1': ['6000/100'],
  '4-1': ['7000/100'], '4-2': ['7000/200'], '4-3': ['7000/300'],
};
const lines = readFileSync(process.argv[2], 'utf8').split('\n');
const start = lines.findIndex((l) => l.startsWith('6. 업무별전문 LAYOUT'));
const out = {};
let current = null;
for (const line of lines.slice(start)) {
  const head = /^\s*(\d-\d+) /.exec(line);
  if (head) current = SECTIONS[head[1]] ? head[1] : null;
  if (!current) continue;
  const row = /^\s*(?:[공통부개별]\s+)?(\d+)\s+(?:(\S.*?)\s+)?(\d+)\s+([X9])\((\d+)\)/.exec(line);
  if (!row) continue;
  const entry = { no: +row[1], name: (row[2] ?? '').trim(), offset: +row[3], kind: row[4], length: +row[5] };
  for (const code of SECTIONS[current]) (out[code] ??= []).push(entry);
}
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
