import { Decimal } from 'decimal.js';
import type { Charset } from '../encoding/charset.js';
import type { FieldSpec } from '../spec/types.js';
import { FieldFault } from './field-fault.js';
import { maskText } from './mask.js';
import type { FieldInput, FieldValue } from './values.js';

const SPACE = 0x20;
const ZERO = 0x30;

/** One field compiled for one charset: how to read it from and write it into a telegram buffer. */
export interface FieldCodec {
  readonly spec: FieldSpec;
  /** False for fillers: their content is neither reported nor read. */
  readonly reported: boolean;
  decode(buf: Uint8Array): FieldValue;
  /** Writes at spec.offset; `undefined`/`null` means "no value": default, else blank. */
  encode(buf: Uint8Array, value: FieldInput): void;
}

export function compileField(spec: FieldSpec, charset: Charset): FieldCodec {
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
    if (b < ZERO || b > 0x39) return i;
  }
  return -1;
}

function ascii(buf: Uint8Array, from: number, to: number): string {
  return Buffer.prototype.latin1Slice.call(buf, from, to);
}

/** Writes an ASCII digit string right-justified, zero-padded. */
function writeDigits(buf: Uint8Array, spec: FieldSpec, digits: string): void {
  if (digits.length > spec.length) throw new FieldFault('too-long', `${shown(spec, digits)} has ${digits.length} digits, the field holds ${spec.length}`);
  const start = spec.offset;
  const pad = spec.length - digits.length;
  fill(buf, start, start + pad, ZERO);
  for (let i = 0; i < digits.length; i++) buf[start + pad + i] = digits.charCodeAt(i);
}

/** A caller's value as text, the default when absent; null when there is none at all. */
function textInput(spec: FieldSpec, value: FieldInput): string | null {
  if (spec.value !== undefined) {
    if (value !== undefined && value !== null && String(value) !== spec.value) {
      throw new FieldFault('invalid-value', `is fixed to ${JSON.stringify(spec.value)} by the spec, got ${shown(spec, String(value))}`);
    }
    return spec.value;
  }
  if (value === undefined || value === null) return spec.default ?? null;
  if (typeof value !== 'string') throw new FieldFault('invalid-value', `expects a string, got ${typeof value}`);
  return value;
}

function textField(spec: FieldSpec, charset: Charset): FieldCodec {
  const { offset, length } = spec;
  const end = offset + length;
  return {
    spec,
    reported: true,
    decode(buf) {
      let last = end;
      while (last > offset && buf[last - 1] === SPACE) last--;
      const r = charset.decode(buf, offset, last);
      if (!r.ok) throw new FieldFault('invalid-bytes', `byte 0x${buf[offset + r.at]!.toString(16)} is not ${charset.name} text`, r.at);
      return r.text;
    },
    encode(buf, value) {
      const text = textInput(spec, value) ?? '';
      const r = charset.encodeInto(text, buf, offset, length);
      if (r.ok) {
        fill(buf, offset + r.written, end, SPACE);
        return;
      }
      if (r.reason === 'unencodable') {
        const cp = r.char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
        const ch = spec.mask ? '' : ` "${r.char}"`;
        throw new FieldFault('unencodable', `character U+${cp}${ch} at index ${r.index} cannot be written in ${charset.name}`);
      }
      throw new FieldFault('too-long', `${shown(spec, text)} is ${r.needed} bytes in ${charset.name}, the field holds ${length} (values are never truncated)`);
    },
  };
}

function digitField(spec: FieldSpec): FieldCodec {
  const { offset, length } = spec;
  const end = offset + length;
  return {
    spec,
    reported: true,
    decode(buf) {
      const bad = firstNonDigit(buf, offset, end);
      if (bad < 0) return ascii(buf, offset, end);
      if (isBlank(buf, offset, end)) return null;
      throw new FieldFault('invalid-value', `byte 0x${buf[bad]!.toString(16)} in a numeric field (digits or all spaces only)`, bad - offset);
    },
    encode(buf, value) {
      const text = typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? String(value) : textInput(spec, value);
      if (text === null) return fill(buf, offset, end, SPACE);
      if (!/^[0-9]+$/.test(text)) throw new FieldFault('invalid-value', `${shown(spec, text)} is not a digit string`);
      writeDigits(buf, spec, text);
    },
  };
}

function amountField(spec: FieldSpec): FieldCodec {
  const { offset, length, scale } = spec;
  const end = offset + length;
  const unit = new Decimal(10).pow(scale);
  return {
    spec,
    reported: true,
    decode(buf) {
      const bad = firstNonDigit(buf, offset, end);
      if (bad >= 0) {
        if (isBlank(buf, offset, end)) return null;
        throw new FieldFault('invalid-value', `byte 0x${buf[bad]!.toString(16)} in an amount (digits or all spaces only)`, bad - offset);
      }
      const digits = ascii(buf, offset, end);
      return scale === 0 ? new Decimal(digits) : new Decimal(`${digits.slice(0, length - scale)}.${digits.slice(length - scale)}`);
    },
    encode(buf, value) {
      if (value === undefined || value === null || spec.value !== undefined) {
        const text = textInput(spec, value);
        if (text === null) return fill(buf, offset, end, SPACE);
        value = text;
      }
      let amount: Decimal;
      if (Decimal.isDecimal(value)) amount = value;
      else if (typeof value === 'bigint') amount = new Decimal(value.toString());
      else if (typeof value === 'number') {
        if (!Number.isSafeInteger(value)) throw new FieldFault('invalid-value', `${value} is not a safe integer: pass amounts as decimal strings`);
        amount = new Decimal(value);
      } else if (typeof value === 'string' && /^[0-9]+(\.[0-9]+)?$/.test(value)) amount = new Decimal(value);
      else throw new FieldFault('invalid-value', `${shown(spec, String(value))} is not an unsigned decimal amount`);
      if (!amount.isFinite() || amount.isNegative()) throw new FieldFault('invalid-value', `${amount.toString()} is negative or not finite (signs go in their own field)`);
      const scaled = scale === 0 ? amount : amount.times(unit);
      if (!scaled.isInteger()) throw new FieldFault('invalid-value', `${amount.toFixed()} has more than ${scale} decimal places`);
      writeDigits(buf, spec, scaled.toFixed(0));
    },
  };
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (m === 2 && !leap ? 28 : DAYS[m - 1]!);
}

/** Dates travel as YYYYMMDD and are shown as YYYY-MM-DD; all zeros (some banks' "no date") stays 0000-00-00. */
function dateField(spec: FieldSpec): FieldCodec {
  const { offset } = spec;
  const end = offset + 8;
  return {
    spec,
    reported: true,
    decode(buf) {
      if (firstNonDigit(buf, offset, end) >= 0) {
        if (isBlank(buf, offset, end)) return null;
        throw new FieldFault('invalid-value', `${JSON.stringify(ascii(buf, offset, end))} is not a date (YYYYMMDD)`);
      }
      const s = ascii(buf, offset, end);
      const iso = `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6)}`;
      if (s !== '00000000' && !validDate(+s.slice(0, 4), +s.slice(4, 6), +s.slice(6))) throw new FieldFault('invalid-value', `${iso} is not a calendar date`);
      return iso;
    },
    encode(buf, value) {
      const text = textInput(spec, value);
      if (text === null) return fill(buf, offset, end, SPACE);
      const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text);
      if (!m || (text !== '0000-00-00' && text !== '00000000' && !validDate(+m[1]!, +m[2]!, +m[3]!))) {
        throw new FieldFault('invalid-value', `${JSON.stringify(text)} is not a date (YYYY-MM-DD)`);
      }
      writeDigits(buf, spec, m[1]! + m[2]! + m[3]!);
    },
  };
}

function timeField(spec: FieldSpec): FieldCodec {
  const { offset } = spec;
  const end = offset + 6;
  const valid = (h: number, m: number, s: number) => h < 24 && m < 60 && s < 60;
  return {
    spec,
    reported: true,
    decode(buf) {
      if (firstNonDigit(buf, offset, end) >= 0) {
        if (isBlank(buf, offset, end)) return null;
        throw new FieldFault('invalid-value', `${JSON.stringify(ascii(buf, offset, end))} is not a time (hhmmss)`);
      }
      const s = ascii(buf, offset, end);
      if (!valid(+s.slice(0, 2), +s.slice(2, 4), +s.slice(4))) throw new FieldFault('invalid-value', `${s} is not a time of day`);
      return `${s.slice(0, 2)}:${s.slice(2, 4)}:${s.slice(4)}`;
    },
    encode(buf, value) {
      const text = textInput(spec, value);
      if (text === null) return fill(buf, offset, end, SPACE);
      const m = /^(\d{2}):?(\d{2}):?(\d{2})$/.exec(text);
      if (!m || !valid(+m[1]!, +m[2]!, +m[3]!)) throw new FieldFault('invalid-value', `${JSON.stringify(text)} is not a time (hh:mm:ss)`);
      writeDigits(buf, spec, m[1]! + m[2]! + m[3]!);
    },
  };
}

function signField(spec: FieldSpec): FieldCodec {
  const { offset } = spec;
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
      const text = textInput(spec, value);
      if (text === null) buf[offset] = SPACE;
      else if (text === '+' || text === '-') buf[offset] = text.charCodeAt(0);
      else throw new FieldFault('invalid-value', `${JSON.stringify(text)} is not a sign (+ or -)`);
    },
  };
}

function fillerField(spec: FieldSpec): FieldCodec {
  const { offset, length } = spec;
  return {
    spec,
    reported: false,
    decode: () => null,
    encode(buf, value) {
      if (value !== undefined && value !== null) throw new FieldFault('invalid-value', 'is a filler: it takes no value');
      fill(buf, offset, offset + length, SPACE);
    },
  };
}
