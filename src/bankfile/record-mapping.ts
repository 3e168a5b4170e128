import type { FieldInput } from '../codec/values.js';
import type { Charset } from '../encoding/charset.js';
import type { MessageSpec } from '../spec/types.js';
import { CANONICAL_FIELDS, type CanonicalField, type FileLayout } from './bank-file-spec.js';
import type { BankRecordInput } from './bank-record.js';
import { headerContext, NO_HEADER, resolve, type HeaderContext, type Resolved } from './mapping-source.js';
import { RecordFault } from './record-bytes.js';
import { compileReader, readDate, type RecordReader } from './record-reader.js';
import { amountInput, compileWriters, type Writer } from './record-writer.js';

/**
 * A spec's `records:` mapping compiled for one data message, both ways: bytes → a canonical BankRecord (reading
 * straight from the chunk, only the mapped fields), and canonical values → field values for the codec.
 */
export class DataRecordMapping {
  readonly read: RecordReader;
  private readonly writers: Writer[];
  /** Data fields written from canonical values (a caller may not also give them raw). */
  readonly mappedFields: ReadonlySet<string>;

  constructor(
    readonly message: MessageSpec,
    layout: FileLayout,
    charset: Charset,
  ) {
    const map = layout.records;
    const data = (name: CanonicalField): Resolved | undefined => {
      const s = map[name];
      return s && s.record === 'data' ? resolve(s, message) : undefined;
    };
    this.read = compileReader(message, map, data, charset);

    const entries = (Object.keys(CANONICAL_FIELDS) as CanonicalField[]).flatMap((name) => {
      const r = data(name);
      return r ? [{ name, r }] : [];
    });
    this.writers = compileWriters(entries);
    const mapped = new Set(entries.map((e) => e.r.field.name));
    if (map.outcome) {
      const flag = resolve({ record: 'data', field: map.outcome.field, from: 0, length: undefined }, message).field;
      const written = new Map<string, string>();
      for (const [wire, o] of map.outcome.values) if (!written.has(o)) written.set(o, wire);
      const paid = map.outcome.paidAmount;
      mapped.add(flag.name);
      if (paid) mapped.add(paid);
      this.writers.push((input, out) => {
        const o = input.outcome ?? 'unknown';
        out[flag.name] = o === 'unknown' ? null : (written.get(o) ?? null);
        if (o !== 'unknown' && !written.has(o)) throw new RecordFault(`outcome ${o} has no value in ${flag.name} (values: ${[...map.outcome!.values.keys()].join(', ')})`, flag.offset, flag.name);
        if (paid && o === 'succeeded') out[paid] = amountInput(input.amount, paid);
      });
    }
    this.mappedFields = mapped;
  }

  /** Field values for the codec from a canonical record (header-borne values are the header's business). */
  toFields(input: BankRecordInput, h: HeaderContext): Record<string, FieldInput> {
    const out: Record<string, FieldInput> = {};
    for (const w of this.writers) w(input, out, h);
    return out;
  }
}

/** The header's side of the mapping: the file date (and a header-borne send date), both ways. */
export class HeaderMapping {
  readonly read: (b: Uint8Array, base: number) => HeaderContext;
  private readonly writers: Writer[];

  constructor(message: MessageSpec, layout: FileLayout) {
    const map = layout.records;
    const header = (name: 'fileDate' | 'sendDate'): Resolved | undefined => {
      const s = map[name];
      return s && s.record === 'header' ? resolve(s, message) : undefined;
    };
    const fileDateSrc = header('fileDate');
    const sendDateSrc = header('sendDate');
    this.read = (b, base) => {
      // A header-borne MMDD send date takes its year from the file date read just before.
      const h = headerContext(fileDateSrc ? readDate(b, base, fileDateSrc, NO_HEADER) : null, null);
      return headerContext(h.fileDate, sendDateSrc ? readDate(b, base, sendDateSrc, h) : null);
    };
    // One header date for both (Hana's 이체일자, EB22's 출금일자): written once, from the file date.
    const shared = fileDateSrc && sendDateSrc && fileDateSrc.at === sendDateSrc.at && fileDateSrc.size === sendDateSrc.size;
    const entries = [
      ...(fileDateSrc ? [{ name: 'fileDate' as const, r: fileDateSrc }] : []),
      ...(sendDateSrc && !shared ? [{ name: 'sendDate' as const, r: sendDateSrc }] : []),
    ];
    this.writers = compileWriters(entries);
  }

  /** Header field values that carry `fileDate` and `sendDate` (YYYY-MM-DD), for the codec. */
  toFields(fileDate: string | null, sendDate: string | null): Record<string, FieldInput> {
    const out: Record<string, FieldInput> = {};
    const input = { amount: '0', fileDate, sendDate };
    const h = headerContext(fileDate, null);
    for (const w of this.writers) w(input, out, h);
    return out;
  }
}

