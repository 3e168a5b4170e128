// Extracts the printed real-time layouts (field, label, length, absolute offset, type) of the LG CNS VAN family
// from ../shared/reference/lgcns-van-layouts.md, so that test/lgcns-golden.test.ts compares specs/lgcns.yaml
// against the document's tables rather than against a hand-typed copy.
// usage: node scripts/extract-lgcns-layouts.mjs [path/to/lgcns-van-layouts.md]
//   (default ../shared/reference/lgcns-van-layouts.md, relative to the repository root)
// writes test/fixtures/lgcns-layouts.json: { "<section>": { title, rows: [{ no, field, label, length, offset, type }], sum } }
// Sections: 2 (common part, offsets absolute) and 4.2, 4.3, 4.4 (as sent), 4.5, 4.6, 4.7, 4.8, 4.9, 4.10
// (the "Abs off" column). 4.4 also yields "4.4-declared", the record TYPE as declared (it sums to 210).
// Bills (4.11–4.14) and batch files (§6) are left out. Offsets and lengths are copied as printed, never
// recomputed: the document's sum checks are the test's business.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = resolve(ROOT, process.argv[2] ?? '../shared/reference/lgcns-van-layouts.md');
const target = join(ROOT, 'test/fixtures/lgcns-layouts.json');

const WANTED = ['2', '4.2', '4.3', '4.4', '4.5', '4.6', '4.7', '4.8', '4.9', '4.10'];

const lines = readFileSync(source, 'utf8').split('\n');

/** Sections by number: from their heading to the next heading of level 2 or 3. */
const sections = new Map();
let current = null;
for (const line of lines) {
  const h = /^(##|###) (\d+(?:\.\d+)?)\.? (.*)$/.exec(line);
  if (h) {
    current = { title: h[3].trim(), lines: [] };
    sections.set(h[2], current);
    continue;
  }
  if (/^#{1,3} /.test(line)) current = null;
  else if (current) current.lines.push(line);
}

const cells = (line) => line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());

/** Every markdown table of a section, with the last line of prose before it (what the table is). */
function tables(section) {
  const out = [];
  let prose = '';
  let table = null;
  for (const line of section.lines) {
    if (line.trim().startsWith('|')) {
      if (!table) {
        table = { intro: prose, rows: [] };
        out.push(table);
      }
      table.rows.push(cells(line));
    } else {
      table = null;
      if (line.trim() !== '') prose = line.trim();
    }
  }
  return out;
}

function fail(message) {
  process.stderr.write(`extract-lgcns-layouts: ${message}\n`);
  process.exit(1);
}

function record(key, title, table) {
  const [head, rule, ...body] = table.rows;
  if (!rule || !rule.every((c) => /^:?-+:?$/.test(c))) fail(`${key}: the table has no header rule`);
  const col = (...names) => {
    for (const n of names) {
      const i = head.findIndex((h) => h === n || h.startsWith(n));
      if (i >= 0) return i;
    }
    return fail(`${key}: no column ${names.join(' / ')} in [${head.join(' | ')}]`);
  };
  const iNo = col('#');
  const iField = col('Field');
  const iLabel = col('Korean');
  const iLen = col('Len');
  const iOff = head.includes('Abs off') ? col('Abs off') : col('Off');
  const iType = col('Type');
  const rows = body.map((r) => {
    const num = (i, what) => {
      if (!/^\d+$/.test(r[i] ?? '')) fail(`${key}: row ${r[iNo]}: ${what} "${r[i]}" is not a number`);
      return Number(r[i]);
    };
    return {
      no: num(iNo, '#'),
      field: r[iField].replace(/`/g, ''),
      label: r[iLabel],
      length: num(iLen, 'Len'),
      offset: num(iOff, 'offset'),
      type: r[iType],
    };
  });
  return { title, rows, sum: rows.reduce((n, r) => n + r.length, 0) };
}

const out = {};
for (const key of WANTED) {
  const section = sections.get(key);
  if (!section) fail(`no section ${key} in ${source}`);
  const found = tables(section);
  if (key === '4.4') {
    const declared = found.find((t) => /^As declared/i.test(t.intro));
    const sent = found.find((t) => /As actually sent/i.test(t.intro));
    if (!declared || !sent) fail('4.4: expected an "As declared" and an "As actually sent" table');
    out['4.4'] = record('4.4', `${section.title} (as actually sent)`, sent);
    out['4.4-declared'] = record('4.4-declared', `${section.title} (as declared)`, declared);
    continue;
  }
  if (found.length !== 1) fail(`${key}: expected one table, found ${found.length}`);
  out[key] = record(key, section.title, found[0]);
}

writeFileSync(target, JSON.stringify(out, null, 1) + '\n');
for (const [key, r] of Object.entries(out)) process.stdout.write(`${key.padEnd(13)} ${String(r.rows.length).padStart(2)} rows, ${r.sum} bytes  ${r.title}\n`);
process.stdout.write(`wrote ${target}\n`);
