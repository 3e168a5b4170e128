import { asciiString } from '../encoding/ascii.js';

/**
 * Byte-level helpers for reading records in place: every function takes the buffer and absolute
 * positions, so that a record is read where it lies in the read chunk (no copy, no per-record Buffer).
 */

const SPACE = 0x20;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * Raised by the helpers and the compiled mapping; the scanner turns it into a BankFileError carrying the
 * file, record number and byte offset. `at` is the absolute position in the buffer it was raised on.
 */
export class RecordFault {
  constructor(
    readonly detail: string,
    readonly at: number,
    readonly field: string | undefined,
  ) {}
}

export function isBlank(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== SPACE) return false;
  return true;
}

export function allDigits(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = b[i]!;
    if (c < ZERO || c > NINE) return false;
  }
  return true;
}

/** Value of the ASCII digits b[from..to) (to - from ≤ 15, so exact as a double). */
export function digitsValue(b: Uint8Array, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) v = v * 10 + (b[i]! - ZERO);
  return v;
}

/** End of b[from..to) once trailing spaces are dropped. */
export function trimEnd(b: Uint8Array, from: number, to: number): number {
  while (to > from && b[to - 1] === SPACE) to--;
  return to;
}

/** Start of b[from..to) once leading spaces are dropped. */
export function trimStart(b: Uint8Array, from: number, to: number): number {
  while (from < to && b[from] === SPACE) from++;
  return from;
}

/** Whole number written in digits, without its leading zeros ("0000012000" → "12000", all zeros → "0"). */
export function wholeNumber(b: Uint8Array, from: number, to: number): string {
  let i = from;
  while (i < to - 1 && b[i] === ZERO) i++;
  return asciiString(b, i, to);
}

/** Digits as numbers compare: true when b[a..a+n) and b[c..c+m) are the same number. */
export function sameNumber(b: Uint8Array, a: number, aEnd: number, c: number, cEnd: number): boolean {
  while (a < aEnd - 1 && b[a] === ZERO) a++;
  while (c < cEnd - 1 && b[c] === ZERO) c++;
  if (aEnd - a !== cEnd - c) return false;
  for (; a < aEnd; a++, c++) if (b[a] !== b[c]) return false;
  return true;
}

/** The bytes shown in an error (for short, unmasked fields: record types, flags). */
export function shownBytes(b: Uint8Array, from: number, to: number): string {
  let ascii = true;
  for (let i = from; i < to; i++) if (b[i]! < 0x20 || b[i]! >= 0x7f) ascii = false;
  return ascii ? JSON.stringify(asciiString(b, from, to)) : `0x${Buffer.from(b.subarray(from, to)).toString('hex')}`;
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (m === 2 && !leap ? 28 : DAYS[m - 1]!);
}

/**
 * The year of an MMDD date in a file dated `fileDate` (YYYY-MM-DD): the file's year, or the year before
 * when MMDD falls after the file's own month and day (a 1231 reference in a 20270101 file is 2026-12-31):
 * a file reports on what happened up to its date, never after it.
 */
export function yearOfMonthDay(m: number, d: number, fileYear: number, fileMonthDay: number): number {
  return m * 100 + d > fileMonthDay ? fileYear - 1 : fileYear;
}
