import type { TelegramField } from '../../api/types';

/** The bytes of a hex string ("41 42" or "4142"; anything but hex digits is ignored). */
export function hexToBytes(hex: string): number[] {
  const digits = hex.replace(/[^0-9a-fA-F]/g, '');
  const bytes: number[] = [];
  for (let i = 0; i + 1 < digits.length; i += 2) bytes.push(parseInt(digits.slice(i, i + 2), 16));
  return bytes;
}

/** For each byte, the index of the field it belongs to, or -1. */
export function fieldIndexByOffset(length: number, fields: readonly TelegramField[]): Int32Array {
  const at = new Int32Array(length).fill(-1);
  fields.forEach((f, i) => {
    const end = Math.min(length, f.offset + f.length);
    for (let o = Math.max(0, f.offset); o < end; o++) if (at[o] === -1) at[o] = i;
  });
  return at;
}

export const BYTES_PER_LINE = 16;

export function byteHex(b: number): string {
  return b.toString(16).padStart(2, '0').toUpperCase();
}

export function offsetHex(o: number): string {
  return o.toString(16).padStart(4, '0').toUpperCase();
}

/** The byte as a character for the ASCII column ('.' for anything unprintable, Hangul bytes included). */
export function byteChar(b: number): string {
  return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
}
