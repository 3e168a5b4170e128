import type { FieldSpec } from '../spec/types.js';

const AROUND = 8;

/**
 * Hex of the bytes around a field, for error messages: a few bytes either side, the field itself in
 * [brackets], and `**` in place of every byte of a masked field (the bytes of an account number are as
 * secret as the text).
 */
export function byteContext(buf: Uint8Array, field: Pick<FieldSpec, 'offset' | 'length' | 'mask'>): string {
  const from = Math.max(0, field.offset - AROUND);
  const end = Math.min(buf.length, field.offset + field.length);
  const to = Math.min(buf.length, end + AROUND);
  const hex = (i: number) => (field.mask && i >= field.offset && i < end ? '**' : buf[i]!.toString(16).padStart(2, '0'));
  const part = (a: number, b: number) => Array.from({ length: Math.max(0, b - a) }, (_, k) => hex(a + k)).join(' ');
  return `@${from}: ${part(from, field.offset)} [${part(field.offset, end)}] ${part(end, to)}`.replace(/ +/g, ' ').trim();
}
