import type { MessageSpec } from '../spec/types.js';
import type { FileLayout, TrailerCheck } from './bank-file-spec.js';
import { allDigits, isBlank, RecordFault } from './record-bytes.js';

/** Adds a data record at `base` to the running totals `s` (one slot per check). */
type Step = (b: Uint8Array, base: number, s: Float64Array) => void;

/** Past this, a running total moves into a bigint: doubles are exact only up to 2^53. */
const FLUSH = 2 ** 52;

/**
 * The totals a trailer must hold, counted as the records go by (reading) or are written (writing: the same
 * code on the bytes just encoded, so that what the writer puts in the trailer is what the reader checks).
 * Compiled per data message into small closures: this runs for every record of million-record files.
 */
export class TrailerTally {
  private readonly checks: readonly TrailerCheck[];
  /** Per data message: what a record adds to every total. */
  private readonly steps: Step[];
  /** Running totals: the small part as a double, the rest as bigint. */
  private readonly small: Float64Array;
  private readonly big: bigint[];
  private data = 0;

  constructor(layout: FileLayout, dataMessages: readonly MessageSpec[]) {
    this.checks = layout.checks;
    this.steps = dataMessages.map((m) => compileStep(layout.checks, m));
    this.small = new Float64Array(this.checks.length);
    this.big = this.checks.map(() => 0n);
  }

  /** Counts one data record (message index `m` among the data messages) at `base`. */
  add(m: number, b: Uint8Array, base: number): void {
    this.data++;
    const small = this.small;
    this.steps[m]!(b, base, small);
    for (let i = 0; i < small.length; i++) {
      if (small[i]! >= FLUSH) {
        this.big[i]! += BigInt(small[i]!);
        small[i] = 0;
      }
    }
  }

  /** Data records counted so far. */
  get dataRecords(): number {
    return this.data;
  }

  /** What each checked trailer field must hold, by field name. */
  totals(): Map<string, { value: bigint; check: TrailerCheck }> {
    const out = new Map<string, { value: bigint; check: TrailerCheck }>();
    this.checks.forEach((check, i) => {
      const value = check.count === 'records' ? BigInt(this.data + 2) : this.big[i]! + BigInt(this.small[i]!);
      out.set(check.field, { value, check });
    });
    return out;
  }

  /** The first trailer field that disagrees with the totals, or undefined when all agree. */
  mismatch(trailer: MessageSpec, b: Uint8Array, base: number): { field: string; offset: number; expected: bigint; found: string; check: TrailerCheck } | undefined {
    for (const [name, { value, check }] of this.totals()) {
      const f = trailer.layout.find((x) => x.name === name)!;
      const from = base + f.offset;
      const to = from + f.length;
      const found = allDigits(b, from, to) ? BigInt(Buffer.from(b.subarray(from, to)).toString('latin1')) : undefined;
      if (found !== value) return { field: name, offset: f.offset, expected: value, found: found === undefined ? 'no number' : found.toString(), check };
    }
    return undefined;
  }
}

/**
 * What one data record adds to every total, as straight-line code generated once per data message (a loop
 * over check descriptors and filter closures cost more than the additions; this runs for every record).
 * Only offsets, lengths and check indexes reach the source; wire values go in as byte tables.
 */
function compileStep(checks: readonly TrailerCheck[], m: MessageSpec): Step {
  const tables: Uint8Array[] = [];
  const patterns: Uint8Array[] = [];
  const lines: string[] = [];
  checks.forEach((check, i) => {
    const tests = Object.entries(check.where ?? {}).map(([name, values]) => {
      const f = m.layout.find((x) => x.name === name)!;
      if (f.length === 1) {
        const table = new Uint8Array(256);
        for (const v of values) table[v.charCodeAt(0)] = 1;
        tables.push(table);
        return `T[${tables.length - 1}][b[base + ${f.offset}]] === 1`;
      }
      const first = patterns.length;
      for (const v of values) patterns.push(Buffer.from(v.padEnd(f.length), 'latin1'));
      return `oneOf(b, base + ${f.offset}, P, ${first}, ${patterns.length})`;
    });
    const when = tests.length > 0 ? `if (${tests.join(' && ')}) ` : '';
    if (check.count === 'records') return; // data + 2, from the record count
    if (check.count === 'data') {
      lines.push(`${when}s[${i}] += 1;`);
      return;
    }
    const f = m.layout.find((x) => x.name === check.sum)!;
    lines.push(`${when}{ const v = num(b, base + ${f.offset}, base + ${f.offset + f.length}); s[${i}] += v >= 0 ? v : blank(${i}, b, base + ${f.offset}); }`);
  });
  const blank = (i: number, b: Uint8Array, from: number): number => {
    const check = checks[i]!;
    const f = m.layout.find((x) => x.name === check.sum)!;
    // A blank amount adds nothing (a request file's 미처리금액 is blank until the bank fills it).
    if (isBlank(b, from, from + f.length)) return 0;
    throw new RecordFault(`${f.name} must be digits to be summed into the trailer's ${check.field}`, from, f.name);
  };
  const source = `return function add(b, base, s) {\n  ${lines.join('\n  ')}\n};`;
  return new Function('T', 'P', 'num', 'oneOf', 'blank', source)(tables, patterns, num, oneOf, blank) as Step;
}

/** Value of the digits b[from..to) (at most 15), or -1 when one is not a digit. */
function num(b: Uint8Array, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = b[i]! - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** True when b at `from` holds one of patterns[first..end). */
function oneOf(b: Uint8Array, from: number, patterns: Uint8Array[], first: number, end: number): boolean {
  outer: for (let k = first; k < end; k++) {
    const p = patterns[k]!;
    for (let i = 0; i < p.length; i++) if (b[from + i] !== p[i]) continue outer;
    return true;
  }
  return false;
}
