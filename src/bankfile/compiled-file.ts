import { charsetFor } from '../encoding/korean-charset.js';
import type { MessageSpec } from '../spec/types.js';
import type { BankFileSpec, RecordRole } from './bank-file-spec.js';
import { DataRecordMapping, HeaderMapping } from './record-mapping.js';
import { compileValidator, type RecordValidator } from './record-validator.js';

/**
 * A bank-file spec prepared for reading and writing, once per spec: the messages by role, how to tell them
 * apart by their key bytes, the validators and the canonical mappings. Index 0 is the header, 1 the
 * trailer, 2… the data messages in the spec's order.
 */
export interface CompiledFile {
  readonly spec: BankFileSpec;
  readonly messages: readonly MessageSpec[];
  readonly roles: readonly RecordRole[];
  readonly validators: readonly RecordValidator[];
  /** By data message (index − 2). */
  readonly mappings: readonly DataRecordMapping[];
  readonly header: HeaderMapping;
  /** Index of the message whose key the record at `base` carries, or −1. */
  readonly identify: (b: Uint8Array, base: number) => number;
  /** Where each message's key lies (for errors: the record type as found). */
  readonly keySpan: { readonly offset: number; readonly length: number };
  /** Per data message (index − 2): the record-number field's place, when the spec numbers data records. */
  readonly sequence: readonly ({ offset: number; length: number } | undefined)[];
}

const cache = new WeakMap<BankFileSpec, CompiledFile>();

export function compiledFile(spec: BankFileSpec): CompiledFile {
  let c = cache.get(spec);
  if (!c) {
    c = compile(spec);
    cache.set(spec, c);
  }
  return c;
}

function compile(spec: BankFileSpec): CompiledFile {
  const { telegram, layout } = spec;
  const charset = charsetFor(telegram.encoding);
  const names = [layout.header, layout.trailer, ...layout.data];
  const messages = names.map((n) => telegram.messages.get(n)!);
  const roles: RecordRole[] = names.map((_, i) => (i === 0 ? 'header' : i === 1 ? 'trailer' : 'data'));
  const dataMessages = messages.slice(2);

  // Key fields sit at the same bytes in every message (the spec loader insists).
  const positions: number[] = [];
  for (const n of telegram.keyFields) {
    const f = messages[0]!.layout.find((x) => x.name === n)!;
    for (let i = 0; i < f.length; i++) positions.push(f.offset + i);
  }
  const pos = Int32Array.from(positions);
  const keys = messages.map((m) =>
    Uint8Array.from(
      Buffer.from(telegram.keyFields.map((n) => m.key[n]!.padEnd(m.layout.find((x) => x.name === n)!.length)).join(''), 'latin1'),
    ),
  );
  // Data records are the many: try them first.
  const order = [...dataMessages.keys()].map((i) => i + 2).concat([0, 1]);
  const identify = (b: Uint8Array, base: number): number => {
    outer: for (const m of order) {
      const key = keys[m]!;
      for (let i = 0; i < pos.length; i++) if (b[base + pos[i]!] !== key[i]) continue outer;
      return m;
    }
    return -1;
  };
  const first = Math.min(...positions);
  const sequence = dataMessages.map((m) => {
    if (!layout.sequence) return undefined;
    const f = m.layout.find((x) => x.name === layout.sequence!.field)!;
    return { offset: f.offset, length: f.length };
  });
  return {
    spec,
    messages,
    roles,
    validators: messages.map((m) => compileValidator(m, charset)),
    mappings: dataMessages.map((m) => new DataRecordMapping(m, layout, charset)),
    header: new HeaderMapping(messages[0]!, layout),
    identify,
    keySpan: { offset: first, length: Math.max(...positions) - first + 1 },
    sequence,
  };
}
