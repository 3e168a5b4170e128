import type { FieldSpec, MessageSpec } from '../spec/types.js';
import type { CanonicalField, FieldSource, FileLayout } from './bank-file-spec.js';

/** What the header says that data records need: the file date, and a send date when the header carries it. */
export interface HeaderContext {
  readonly fileDate: string | null;
  readonly sendDate: string | null;
  /** The file date's year and month × 100 + day, for MMDD dates (parsed once per file, not per record). */
  readonly fileYear: number;
  readonly fileMonthDay: number;
}

/** The context of a file dated `fileDate` (YYYY-MM-DD or null). */
export function headerContext(fileDate: string | null, sendDate: string | null): HeaderContext {
  return {
    fileDate,
    sendDate,
    fileYear: fileDate === null ? 0 : Number(fileDate.slice(0, 4)),
    fileMonthDay: fileDate === null ? 0 : Number(fileDate.slice(5, 7)) * 100 + Number(fileDate.slice(8, 10)),
  };
}

export const NO_HEADER: HeaderContext = headerContext(null, null);

/** A source resolved against one data (or header) message: where its bytes are in the record. */
export interface Resolved {
  readonly src: FieldSource;
  readonly field: FieldSpec;
  /** Offset of the source's first byte in the record. */
  readonly at: number;
  readonly size: number;
  readonly sliced: boolean;
}

export function resolve(src: FieldSource, m: MessageSpec): Resolved {
  const field = m.layout.find((f) => f.name === src.field)!;
  const size = src.length ?? field.length - src.from;
  return { src, field, at: field.offset + src.from, size, sliced: src.from !== 0 || size !== field.length };
}

/** The source in words, for errors: the field, or the bytes of it a slice takes. */
export function describeSource(r: Resolved): string {
  return r.sliced ? `bytes ${r.src.from}–${r.src.from + r.size - 1} of ${r.field.name}` : r.field.name;
}

/**
 * Bytes a canonical value takes in the spec's data records (a 2-digit or 3-digit bank code, say), or
 * undefined when the file does not carry it or carries it in the header.
 */
export function canonicalWidth(layout: FileLayout, messages: ReadonlyMap<string, MessageSpec>, name: CanonicalField): number | undefined {
  const src = layout.records[name];
  if (!src || src.record !== 'data') return undefined;
  return resolve(src, messages.get(layout.data[0]!)!).size;
}
