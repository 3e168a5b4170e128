import { asciiString } from '../encoding/ascii.js';
import type { Charset } from '../encoding/charset.js';
import type { MessageSpec } from '../spec/types.js';
import type { CanonicalField, FileLayout, OutcomeSource } from './bank-file-spec.js';
import type { BankOutcome, BankRecord } from './bank-record.js';
import { describeSource, resolve, type HeaderContext, type Resolved } from './mapping-source.js';
import { allDigits, digitsValue, isBlank, RecordFault, sameNumber, trimEnd, trimStart, validDate, wholeNumber, yearOfMonthDay } from './record-bytes.js';

/** Reads one data record at `base` as a canonical record. */
export type RecordReader = (b: Uint8Array, base: number, recordNo: number, h: HeaderContext) => BankRecord;

/**
 * The reading side as one generated function per data message: an object literal of fixed shape whose
 * values come from shared helpers (a closure per canonical field made every call site polymorphic and cost
 * more than the reading). Only property names and indexes reach the source; sources go in as an array.
 */
export function compileReader(message: MessageSpec, map: FileLayout['records'], data: (name: CanonicalField) => Resolved | undefined, charset: Charset): RecordReader {
  const sources: Resolved[] = [];
  const arg = (r: Resolved) => {
    sources.push(r);
    return `R[${sources.length - 1}]`;
  };
  const value = (name: CanonicalField): string => {
    const r = data(name);
    if (!r) return name === 'sendDate' && map.sendDate?.record === 'header' ? 'h.sendDate' : 'null';
    switch (name) {
      case 'sendDate':
        return `readDate(b, base, ${arg(r)}, h)`;
      case 'seqNo':
      case 'bankCode':
        return `readDigits(b, base, ${arg(r)})`;
      case 'amount':
        return `readAmount(b, base, ${arg(r)}, true)`;
      case 'fee':
        return `readAmount(b, base, ${arg(r)}, false)`;
      default:
        return `readText(b, base, ${arg(r)}, cs)`;
    }
  };
  const props = (['sendDate', 'seqNo', 'bankTxId', 'bankCode', 'account', 'amount', 'fee'] as const).map((n) => `${n}: ${value(n)}`);
  const outcome = map.outcome ? outcomeInfo(map.outcome, message, data('amount')!) : undefined;
  const source = `return function read(b, base, recordNo, h) {
    return { recordNo, ${props.join(', ')}, outcome: ${outcome ? 'readOutcome(b, base, O)' : "'unknown'"}, code: ${value('code')}, fileDate: h.fileDate };
  };`;
  return new Function('R', 'O', 'cs', 'readDate', 'readDigits', 'readAmount', 'readText', 'readOutcome', source)(
    sources,
    outcome,
    charset,
    readDate,
    readDigits,
    readAmount,
    readText,
    readOutcome,
  ) as RecordReader;
}

function fault(r: Resolved, base: number, detail: string): RecordFault {
  return new RecordFault(detail, base + r.at, r.field.name);
}

/** Digits as written ("004", "000123"), trailing spaces dropped; null when blank. */
function readDigits(b: Uint8Array, base: number, r: Resolved): string | null {
  const from = base + r.at;
  const to = trimEnd(b, from, from + r.size);
  if (to === from) return null;
  if (!allDigits(b, from, to)) throw fault(r, base, `${describeSource(r)} must be digits or blank`);
  return asciiString(b, from, to);
}

/** Text, trimmed on both sides; null when blank. */
function readText(b: Uint8Array, base: number, r: Resolved, charset: Charset): string | null {
  const end = trimEnd(b, base + r.at, base + r.at + r.size);
  const from = trimStart(b, base + r.at, end);
  if (from === end) return null;
  const s = charset.decode(b, from, end);
  if (typeof s === 'number') throw fault(r, base, `byte 0x${b[from + s]!.toString(16)} is not ${charset.name} text`);
  return s;
}

/** Whole won without leading zeros. A blank amount is refused (`required`) or null (a fee). */
function readAmount(b: Uint8Array, base: number, r: Resolved, required: boolean): string | null {
  const from = base + r.at;
  const to = from + r.size;
  if (allDigits(b, from, to)) return wholeNumber(b, from, to);
  if (!required && isBlank(b, from, to)) return null;
  throw fault(r, base, required ? `${describeSource(r)} holds no amount (digits expected)` : `${describeSource(r)} must be digits or blank`);
}

/** YYYY-MM-DD from YYYYMMDD, YYMMDD ('20' + YY) or MMDD (year from the file date); null when blank or all zeros. */
export function readDate(b: Uint8Array, base: number, r: Resolved, h: HeaderContext): string | null {
  const from = base + r.at;
  const to = from + r.size;
  const format = r.src.format ?? 'YYYYMMDD';
  if (!allDigits(b, from, to)) {
    if (isBlank(b, from, to)) return null;
    throw fault(r, base, `${describeSource(r)} is not a date (${format} digits or blank)`);
  }
  if (allZeros(b, from, to)) return null; // some banks' "no date"
  // The digits are copied as they are (one string built from char codes, no number formatting).
  let y: number;
  let p = from;
  if (format === 'YYYYMMDD') {
    y = digitsValue(b, p, p + 4);
    p += 4;
  } else if (format === 'YYMMDD') {
    y = 2000 + digitsValue(b, p, p + 2);
    p += 2;
  } else {
    if (h.fileDate === null) throw fault(r, base, `${describeSource(r)} is MMDD, and the file has no date to take its year from`);
    y = yearOfMonthDay(digitsValue(b, p, p + 2), digitsValue(b, p + 2, p + 4), h.fileYear, h.fileMonthDay);
  }
  if (!validDate(y, digitsValue(b, p, p + 2), digitsValue(b, p + 2, p + 4))) throw fault(r, base, `${describeSource(r)} ${r.field.mask ? '' : `${asciiString(b, from, to)} `}is not a calendar date (${format})`);
  return fcc(48 + ((y / 1000) | 0), 48 + (((y / 100) | 0) % 10), 48 + (((y / 10) | 0) % 10), 48 + (y % 10), 45, b[p]!, b[p + 1]!, 45, b[p + 2]!, b[p + 3]!);
}

const fcc = String.fromCharCode;

interface OutcomeInfo {
  readonly at: number;
  readonly size: number;
  /** Wire values padded to the flag's width, and the outcome of each. */
  readonly values: readonly Uint8Array[];
  readonly outcomes: readonly BankOutcome[];
  readonly paid: Resolved | undefined;
  readonly amount: Resolved;
}

function outcomeInfo(src: OutcomeSource, m: MessageSpec, amount: Resolved): OutcomeInfo {
  const flag = resolve({ record: 'data', field: src.field, from: 0, length: undefined }, m);
  return {
    at: flag.at,
    size: flag.size,
    values: [...src.values.keys()].map((wire) => Buffer.from(wire.padEnd(flag.size), 'latin1')),
    outcomes: [...src.values.values()],
    paid: src.paidAmount ? resolve({ record: 'data', field: src.paidAmount, from: 0, length: undefined }, m) : undefined,
    amount,
  };
}

/**
 * The result flag through the spec's value map: a listed value gives its outcome, anything else (blank
 * included) `unknown`, never a guess. With `paidAmount`, a success whose paid amount is not the amount
 * (a partial payment, or none written) is `unknown` too: only an operator can say what moved.
 */
function readOutcome(b: Uint8Array, base: number, o: OutcomeInfo): BankOutcome {
  const from = base + o.at;
  let outcome: BankOutcome = 'unknown';
  outer: for (let k = 0; k < o.values.length; k++) {
    const v = o.values[k]!;
    for (let i = 0; i < o.size; i++) if (b[from + i] !== v[i]) continue outer;
    outcome = o.outcomes[k]!;
    break;
  }
  if (outcome === 'succeeded' && o.paid) {
    const p = base + o.paid.at;
    const a = base + o.amount.at;
    if (!allDigits(b, p, p + o.paid.size) || !sameNumber(b, p, p + o.paid.size, a, a + o.amount.size)) return 'unknown';
  }
  return outcome;
}

function allZeros(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 0x30) return false;
  return true;
}

