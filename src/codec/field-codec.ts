import { Decimal } from 'decimal.js';
import { asciiString } from '../encoding/ascii.js';
import { TOO_LONG, type Charset } from '../encoding/charset.js';
import type { FieldSpec } from '../spec/types.js';
import { FieldFault } from './field-fault.js';
import { maskText } from './mask.js';
import type { FieldInput, FieldValue } from './values.js';

const SPACE = 0x20;
const ZERO = 0x30;
const NINE = 0x39;

/** Reads a field from a whole telegram buffer (the field knows its offset). Throws {@link FieldFault}. */
export type FieldDecoder = (buf: Uint8Array) => FieldValue;
/**
 * Writes a field into a whole telegram buffer whose bytes for this field are spaces on entry (the
 * compiled message starts every telegram from a blank template), so blank values and text padding cost
 * nothing. `undefined` takes the default (else blank), `null` is blank.
 */
export type FieldEncoder = (buf: Uint8Array, value: FieldInput) => void;

/** One field compiled for one charset. Plain closures, so that compiled messages can call them directly. */
export interface FieldCodec {
  readonly spec: FieldSpec;
  /** False for fillers: their content is neither reported nor read. */
  readonly reported: boolean;
  readonly decode: FieldDecoder;
  readonly encode: FieldEncoder;
  /** Blanks the field, then encodes: for a buffer whose field already holds something. */
  readonly overwrite: FieldEncoder;
}

export function compileField(spec: FieldSpec, charset: Charset): FieldCodec {
  const codec = compileType(spec, charset);
  const { offset, length } = spec;
  return {
    ...codec,
    overwrite(buf, value) {
      fill(buf, offset, offset + length, SPACE);
      codec.encode(buf, value);
    },
  };
}

function compileType(spec: FieldSpec, charset: Charset): Omit<FieldCodec, 'overwrite'> {
  switch (spec.type) {
    case 'X':
      return textField(spec, charset);
    case 'N':
      return digitField(spec);
    case 'amount':
      return amountField(spec);
    case 'date':
      return dateField(spec);
    case 'time':
      return timeField(spec);
    case 'sign':
      return signField(spec);
    case 'filler':
      return fillerField(spec);
  }
}

/** What a caller's value looks like in an error: masked fields never show their value. */
function shown(spec: FieldSpec, text: string): string {
  return spec.mask ? `"${maskText(spec.mask, text)}"` : JSON.stringify(text);
}

function fill(buf: Uint8Array, from: number, to: number, byte: number): void {
  for (let i = from; i < to; i++) buf[i] = byte;
}

function isBlank(buf: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (buf[i] !== SPACE) return false;
  return true;
}

/** Index of the first non-digit in buf[from..to), or -1. */
function firstNonDigit(buf: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const b = buf[i]!;
    if (b < ZERO || b > NINE) return i;
  }
  return -1;
}

/** For numeric fields: null when all spaces, else a fault naming the first non-digit. */
function blankOrFault(buf: Uint8Array, spec: FieldSpec, what: string): null {
  const end = spec.offset + spec.length;
  if (isBlank(buf, spec.offset, end)) return null;
  const bad = firstNonDigit(buf, spec.offset, end);
  throw new FieldFault('invalid-value', `byte 0x${buf[bad]!.toString(16).padStart(2, '0')} in ${what} (digits or all spaces only)`, bad - spec.offset);
}

/** Writes an ASCII digit string right-justified, zero-padded; refuses anything but digits. */
function writeDigits(buf: Uint8Array, spec: FieldSpec, digits: string): void {
  const { offset, length } = spec;
  if (digits.length > length) throw new FieldFault('too-long', `${shown(spec, digits)} has ${digits.length} digits, the field holds ${length}`);
  const pad = length - digits.length;
  for (let i = 0; i < digits.length; i++) {
    const c = digits.charCodeAt(i);
    if (c < ZERO || c > NINE) throw new FieldFault('invalid-value', `${shown(spec, digits)} is not a digit string`);
    buf[offset + pad + i] = c;
  }
  fill(buf, offset, offset + pad, ZERO);
}

/**
 * How a field turns a caller's value into text. `undefined` (not given) takes the spec's default; `null`
 * is an explicit "no value" and stays blank, so that what decode reports as null encodes back to the
 * same blanks. Built once per field: the spec's optional properties are read here, not per telegram
 * (field specs have different shapes, and reading them on the hot path would be a megamorphic access).
 */
function textInputFor(spec: FieldSpec): (value: FieldInput) => string | null {
  const fixed = spec.value;
  const fallback = spec.default ?? null;
  if (fixed !== undefined) {
    return (value) => {
      if (value !== undefined && value !== null && String(value) !== fixed) {
        throw new FieldFault('invalid-value', `is fixed to ${JSON.stringify(fixed)} by the spec, got ${shown(spec, String(value))}`);
      }
      return fixed;
    };
  }
  return (value) => {
    if (value === undefined) return fallback;
    if (value === null) return null;
    if (typeof value !== 'string') throw new FieldFault('invalid-value', `expects a string, got ${typeof value}`);
    return value;
  };
}

function controlFault(spec: FieldSpec, text: string): FieldFault {
  const index = text.search(/[\x00-\x1f\x7f]/);
  const cp = text.charCodeAt(index).toString(16).toUpperCase().padStart(4, '0');
  return new FieldFault('invalid-value', `control character U+${cp} at index ${index} is not allowed in text`);
}

function textField(spec: FieldSpec, charset: Charset): Omit<FieldCodec, 'overwrite'> {
  const { offset, length } = spec;
  const end = offset + length;
  const textInput = textInputFor(spec);
  const controls = spec.controls === true;
  return {
    spec,
    reported: true,
    decode(buf) {
      let last = end;
      while (last > offset && buf[last - 1] === SPACE) last--;
      if (last === offset) return '';
      const r = charset.decode(buf, offset, last);
      if (typeof r === 'string') return r;
      throw new FieldFault('invalid-bytes', `byte 0x${buf[offset + r]!.toString(16)} is not ${charset.name} text`, r);
    },
    encode(buf, value) {
      const text = textInput(value) ?? '';
      const written = charset.encodeInto(text, buf, offset, length);
      if (written >= 0) {
        // Control characters are valid bytes in every charset, and trouble everywhere after: a NUL that
        // PostgreSQL refuses, a CR/LF that ends a bank's record. Trail bytes of a double-byte character are
        // ≥ 0x41, so a scan of the written bytes finds only real controls.
        if (!controls) for (let i = offset; i < offset + written; i++) if (buf[i]! < 0x20 || buf[i] === 0x7f) throw controlFault(spec, text);
        return;
      }
      if (written === TOO_LONG) {
        throw new FieldFault('too-long', `${shown(spec, text)} is ${charset.byteLength(text)} bytes in ${charset.name}, the field holds ${length} (values are never truncated)`);
      }
      const index = charset.firstUnencodable(text);
      const ch = String.fromCodePoint(text.codePointAt(index)!);
      const cp = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      throw new FieldFault('unencodable', `character U+${cp}${spec.mask ? '' : ` "${ch}"`} at index ${index} cannot be written in ${charset.name}`);
    },
  };
}

function digitField(spec: FieldSpec): Omit<FieldCodec, 'overwrite'> {
  const { offset, length } = spec;
  const end = offset + length;
  const textInput = textInputFor(spec);
  return {
    spec,
    reported: true,
    decode(buf) {
      return firstNonDigit(buf, offset, end) < 0 ? asciiString(buf, offset, end) : blankOrFault(buf, spec, 'a numeric field');
    },
    encode(buf, value) {
      const text = typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? String(value) : textInput(value);
      if (text === null) return;
      if (text.length === 0) throw new FieldFault('invalid-value', 'is an empty string (give digits, or null for blanks)');
      writeDigits(buf, spec, text);
    },
  };
}

/**
 * Decimal's own string parser costs ~300 ns; amounts of up to 15 digits are exact as doubles, and
 * `new Decimal(number)` costs a sixth of that, so the common case goes through a number.
 */
const SAFE_DIGITS = 15;

function amountField(spec: FieldSpec): Omit<FieldCodec, 'overwrite'> {
  const { offset, length, scale } = spec;
  const end = offset + length;
  const unit = new Decimal(10).pow(scale);
  const textInput = textInputFor(spec);
  const fixed = spec.value !== undefined;
  return {
    spec,
    reported: true,
    decode(buf) {
      if (firstNonDigit(buf, offset, end) >= 0) return blankOrFault(buf, spec, 'an amount');
      if (scale === 0 && length <= SAFE_DIGITS) {
        let n = 0;
        for (let i = offset; i < end; i++) n = n * 10 + (buf[i]! - ZERO);
        return new Decimal(n);
      }
      const digits = asciiString(buf, offset, end);
      return scale === 0 ? new Decimal(digits) : new Decimal(`${digits.slice(0, length - scale)}.${digits.slice(length - scale)}`);
    },
    encode(buf, value) {
      if (value === undefined || value === null || fixed) {
        const text = textInput(value);
        if (text === null) return;
        value = text;
      }
      let amount: Decimal;
      if (value instanceof Decimal) amount = value;
      else if (typeof value === 'bigint') amount = new Decimal(value.toString());
      else if (typeof value === 'number') {
        if (!Number.isSafeInteger(value)) throw new FieldFault('invalid-value', `${value} is not a safe integer: pass amounts as decimal strings`);
        amount = new Decimal(value);
      } else if (typeof value === 'string' && /^[0-9]+(\.[0-9]+)?$/.test(value)) amount = new Decimal(value);
      else throw new FieldFault('invalid-value', `${shown(spec, String(value))} is not an unsigned decimal amount`);
      if (!amount.isFinite() || amount.isNegative()) throw new FieldFault('invalid-value', `${amount.toString()} is negative or not finite (signs go in their own field)`);
      const scaled = scale === 0 ? amount : amount.times(unit);
      if (!scaled.isInteger()) throw new FieldFault('invalid-value', `${amount.toFixed()} has more than ${scale} decimal places`);
      if (!writeIntegerDecimal(buf, offset, length, scaled)) {
        throw new FieldFault('too-long', `${scaled.toFixed(0)} has ${scaled.toFixed(0).length} digits, the field holds ${length}`);
      }
    },
  };
}

/**
 * Writes a non-negative integer Decimal right-justified and zero-padded, straight from its base-1e7 words
 * (`d`, most significant first, `e` the decimal exponent), without building a string. False if too long.
 */
function writeIntegerDecimal(buf: Uint8Array, offset: number, length: number, value: Decimal): boolean {
  const words = value.d;
  if (value.isZero()) {
    fill(buf, offset, offset + length, ZERO);
    return true;
  }
  const digits = value.e + 1;
  if (digits > length) return false;
  const end = offset + length;
  // Digits held in the words: the first word has no leading zeros, the others seven digits each.
  const first = words[0]!;
  const firstDigits = first >= 1e6 ? 7 : first >= 1e5 ? 6 : first >= 1e4 ? 5 : first >= 1e3 ? 4 : first >= 100 ? 3 : first >= 10 ? 2 : 1;
  const held = firstDigits + 7 * (words.length - 1);
  let p = end - 1;
  // Trailing zeros that the words leave out (value = words × 10^(digits - held)).
  for (let z = digits - held; z > 0; z--) buf[p--] = ZERO;
  for (let w = words.length - 1; w >= 0; w--) {
    let word = words[w]!;
    const count = w === 0 ? firstDigits : 7;
    for (let k = 0; k < count; k++) {
      buf[p--] = ZERO + (word % 10);
      word = (word / 10) | 0;
    }
  }
  fill(buf, offset, p + 1, ZERO);
  return true;
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (m === 2 && !leap ? 28 : DAYS[m - 1]!);
}

/** Value of the ASCII digits buf[from..from+n). */
function num(buf: Uint8Array, from: number, n: number): number {
  let v = 0;
  for (let i = from; i < from + n; i++) v = v * 10 + (buf[i]! - ZERO);
  return v;
}

/**
 * Copies `text` into buf at offset as `digits` digits, dropping `sep` where the display form has it
 * (YYYY-MM-DD, hh:mm:ss) and accepting the wire form too (YYYYMMDD, hhmmss). False if it has neither shape.
 */
function writeShaped(buf: Uint8Array, offset: number, text: string, digits: number, sep: number, at1: number, at2: number): boolean {
  const withSep = text.length === digits + 2;
  if (!withSep && text.length !== digits) return false;
  let p = offset;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (withSep && (i === at1 || i === at2)) {
      if (c !== sep) return false;
    } else if (c < ZERO || c > NINE) return false;
    else buf[p++] = c;
  }
  return true;
}

const fcc = String.fromCharCode;

/** Dates travel as YYYYMMDD and are shown as YYYY-MM-DD; all zeros (some banks' "no date") stays 0000-00-00. */
function dateField(spec: FieldSpec): Omit<FieldCodec, 'overwrite'> {
  const { offset } = spec;
  const end = offset + 8;
  const textInput = textInputFor(spec);
  const check = (b: Uint8Array) => {
    const y = num(b, offset, 4);
    const m = num(b, offset + 4, 2);
    const d = num(b, offset + 6, 2);
    return (y | m | d) === 0 || validDate(y, m, d);
  };
  return {
    spec,
    reported: true,
    decode(b) {
      if (firstNonDigit(b, offset, end) >= 0) return blankOrFault(b, spec, 'a date (YYYYMMDD)');
      const o = offset;
      const iso = fcc(b[o]!, b[o + 1]!, b[o + 2]!, b[o + 3]!, 0x2d, b[o + 4]!, b[o + 5]!, 0x2d, b[o + 6]!, b[o + 7]!);
      if (!check(b)) throw new FieldFault('invalid-value', `${iso} is not a calendar date`);
      return iso;
    },
    encode(buf, value) {
      const text = textInput(value);
      if (text === null) return;
      if (!writeShaped(buf, offset, text, 8, 0x2d, 4, 7) || !check(buf)) throw new FieldFault('invalid-value', `${JSON.stringify(text)} is not a date (YYYY-MM-DD)`);
    },
  };
}

function timeField(spec: FieldSpec): Omit<FieldCodec, 'overwrite'> {
  const { offset } = spec;
  const end = offset + 6;
  const textInput = textInputFor(spec);
  const check = (b: Uint8Array) => num(b, offset, 2) < 24 && num(b, offset + 2, 2) < 60 && num(b, offset + 4, 2) < 60;
  return {
    spec,
    reported: true,
    decode(b) {
      if (firstNonDigit(b, offset, end) >= 0) return blankOrFault(b, spec, 'a time (hhmmss)');
      const o = offset;
      const text = fcc(b[o]!, b[o + 1]!, 0x3a, b[o + 2]!, b[o + 3]!, 0x3a, b[o + 4]!, b[o + 5]!);
      if (!check(b)) throw new FieldFault('invalid-value', `${text} is not a time of day`);
      return text;
    },
    encode(buf, value) {
      const text = textInput(value);
      if (text === null) return;
      if (!writeShaped(buf, offset, text, 6, 0x3a, 2, 5) || !check(buf)) throw new FieldFault('invalid-value', `${JSON.stringify(text)} is not a time (hh:mm:ss)`);
    },
  };
}

function signField(spec: FieldSpec): Omit<FieldCodec, 'overwrite'> {
  const { offset } = spec;
  const textInput = textInputFor(spec);
  return {
    spec,
    reported: true,
    decode(buf) {
      const b = buf[offset];
      if (b === 0x2b) return '+';
      if (b === 0x2d) return '-';
      if (b === SPACE) return null;
      throw new FieldFault('invalid-value', `byte 0x${b!.toString(16)} is not a sign (+, - or space)`);
    },
    encode(buf, value) {
      const text = textInput(value);
      if (text === null) buf[offset] = SPACE;
      else if (text === '+' || text === '-') buf[offset] = text.charCodeAt(0);
      else throw new FieldFault('invalid-value', `${JSON.stringify(text)} is not a sign (+ or -)`);
    },
  };
}

function fillerField(spec: FieldSpec): Omit<FieldCodec, 'overwrite'> {
  const { offset, length } = spec;
  return {
    spec,
    reported: false,
    decode: () => null,
    encode(_buf, value) {
      if (value !== undefined && value !== null) throw new FieldFault('invalid-value', 'is a filler: it takes no value');
    },
  };
}
