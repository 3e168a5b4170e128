import { Decimal } from 'decimal.js';
import type { FieldInput } from '../codec/values.js';
import { CANONICAL_FIELDS, type CanonicalField } from './bank-file-spec.js';
import type { BankRecordInput } from './bank-record.js';
import { describeSource, type HeaderContext, type Resolved } from './mapping-source.js';
import { RecordFault, validDate, yearOfMonthDay } from './record-bytes.js';

/** Puts one canonical value (or several, for a field made of slices) into the field values for the codec. */
export type Writer = (input: BankRecordInput, out: Record<string, FieldInput>, h: HeaderContext) => void;

/**
 * Writers for canonical values into fields. A field that carries slices (업체사용정보 = MMDD + 전문번호) is
 * composed from its default (or blanks) with each slice laid over it; a whole field gets its value as the
 * codec takes it.
 */
export function compileWriters(entries: { name: CanonicalField; r: Resolved }[]): Writer[] {
  const writers: Writer[] = [];
  const byField = new Map<string, { name: CanonicalField; r: Resolved }[]>();
  for (const e of entries) {
    const list = byField.get(e.r.field.name) ?? [];
    list.push(e);
    byField.set(e.r.field.name, list);
  }
  for (const [name, parts] of byField) {
    const field = parts[0]!.r.field;
    if (parts.length === 1 && !parts[0]!.r.sliced) {
      const { name: canonical, r } = parts[0]!;
      writers.push((input, out, h) => {
        const v = input[canonical];
        if (v === undefined || v === null) return;
        out[name] = wholeText(canonical, r, v, h);
      });
      continue;
    }
    const blank = (field.default ?? '').padEnd(field.length, ' ');
    writers.push((input, out, h) => {
      let text = blank;
      for (const { name: canonical, r } of parts) {
        const v = input[canonical];
        if (v === undefined || v === null) continue;
        const s = sliceText(canonical, r, v, h);
        const from = r.src.from;
        text = text.slice(0, from) + s + text.slice(from + r.size);
      }
      out[name] = text.trim() === '' ? null : field.type === 'X' ? text.trimEnd() : text;
    });
  }
  return writers;
}

/** A value for a whole field, as the codec takes it (the codec pads and checks widths). */
function wholeText(name: CanonicalField, r: Resolved, v: unknown, h: HeaderContext): string | number {
  const kind = CANONICAL_FIELDS[name];
  if (kind === 'date') return r.field.type === 'date' ? checkedDate(name, r, v) : dateText(name, r, v, h);
  if (name === 'amount' || name === 'fee') return amountInput(v, r.field.name);
  if (kind === 'digits') return digitsText(name, r, v);
  if (typeof v !== 'string') throw new RecordFault(`${name} must be a string, not ${typeof v}`, r.at, r.field.name);
  return v;
}

/** A value for a slice: exactly its bytes (digits right-justified with zeros, text left-justified). */
function sliceText(name: CanonicalField, r: Resolved, v: unknown, h: HeaderContext): string {
  const kind = CANONICAL_FIELDS[name];
  let s: string;
  if (kind === 'date') s = dateText(name, r, v, h);
  else if (kind === 'digits') s = digitsText(name, r, v).padStart(r.size, '0');
  else {
    if (typeof v !== 'string' || !/^[\x20-\x7e]*$/.test(v)) throw new RecordFault(`${name} must be ASCII text to go in ${describeSource(r)}`, r.at, r.field.name);
    s = v.padEnd(r.size, ' ');
  }
  if (s.length > r.size) throw new RecordFault(`${name} ${JSON.stringify(s)} does not fit ${describeSource(r)} (${r.size} bytes; values are never cut)`, r.at, r.field.name);
  return s;
}

function digitsText(name: string, r: Resolved, v: unknown): string {
  if (typeof v !== 'string' || !/^[0-9]+$/.test(v)) throw new RecordFault(`${name} must be a digit string, not ${JSON.stringify(v)}`, r.at, r.field.name);
  return v;
}

/**
 * An amount as the codec takes it fastest: a safe integer as a number (the codec turns a digit string into
 * a Decimal through its string parser, several times slower), anything longer as its digits.
 */
export function amountInput(v: unknown, field: string): string | number {
  const s = amountText(v, field);
  return s.length <= 15 ? Number(s) : s;
}

/** Whole won as digits; anything with a fraction, a sign or not a number is refused. */
function amountText(v: unknown, field: string): string {
  let s: string | undefined;
  if (v instanceof Decimal) s = v.isInteger() && !v.isNegative() ? v.toFixed(0) : undefined;
  else if (typeof v === 'bigint') s = v >= 0n ? v.toString() : undefined;
  else if (typeof v === 'number') s = Number.isSafeInteger(v) && v >= 0 ? String(v) : undefined;
  else if (typeof v === 'string') s = /^[0-9]+$/.test(v) ? v : undefined;
  if (s === undefined) throw new RecordFault(`${JSON.stringify(String(v))} is not a whole, non-negative amount of won`, 0, field);
  return s;
}

function checkedDate(name: string, r: Resolved, v: unknown): string {
  const m = typeof v === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(v) : null;
  if (!m || !validDate(Number(m[1]), Number(m[2]), Number(m[3]))) throw new RecordFault(`${name} must be a date YYYY-MM-DD, not ${JSON.stringify(v)}`, r.at, r.field.name);
  return v as string;
}

/** A canonical date in the field's format; refused when it would not read back as the same date. */
function dateText(name: string, r: Resolved, v: unknown, h: HeaderContext): string {
  const iso = checkedDate(name, r, v);
  const [y, mm, dd] = [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10)];
  switch (r.src.format ?? 'YYYYMMDD') {
    case 'YYYYMMDD':
      return y + mm + dd;
    case 'YYMMDD':
      if (!y.startsWith('20')) throw new RecordFault(`${name} ${iso} cannot be written as YYMMDD, which reads as 20YY`, r.at, r.field.name);
      return y.slice(2) + mm + dd;
    case 'MMDD': {
      if (h.fileDate === null) throw new RecordFault(`${name} is written as MMDD, and the file has no date to give it its year`, r.at, r.field.name);
      const year = yearOfMonthDay(Number(mm), Number(dd), h.fileYear, h.fileMonthDay);
      if (String(year) !== y) {
        throw new RecordFault(`${name} ${iso} cannot be written as MMDD in a file dated ${h.fileDate}: it would read back as ${year}-${mm}-${dd} (only dates of the year up to the file date can)`, r.at, r.field.name);
      }
      return mm + dd;
    }
  }
}

