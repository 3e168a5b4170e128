import type { FieldSpec } from '../spec/types.js';

const AROUND = 8;

/**
 * Hex of the bytes around a field, for error messages: a few bytes either side, the field itself in
 * [brackets], and `**` in place of every byte that belongs to a masked field of `layout` — the faulty field
 * and its neighbours alike (the bytes of an account number or a password are as secret as the text).
 */
export function byteContext(buf: Uint8Array, field: Pick<FieldSpec, 'offset' | 'length'>, layout: readonly Pick<FieldSpec, 'offset' | 'length' | 'mask'>[]): string {
  const from = Math.max(0, field.offset - AROUND);
  const end = Math.min(buf.length, field.offset + field.length);
  const to = Math.min(buf.length, end + AROUND);
  const masked = layout.filter((f) => f.mask !== undefined && f.offset < to && f.offset + f.length > from);
  const hex = (i: number) => (masked.some((f) => i >= f.offset && i < f.offset + f.length) ? '**' : buf[i]!.toString(16).padStart(2, '0'));
  const part = (a: number, b: number) => Array.from({ length: Math.max(0, b - a) }, (_, k) => hex(a + k)).join(' ');
  return `@${from}: ${part(from, field.offset)} [${part(field.offset, end)}] ${part(end, to)}`.replace(/ +/g, ' ').trim();
}
