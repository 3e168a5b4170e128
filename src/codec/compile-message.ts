import type { Charset } from '../encoding/charset.js';
import type { MessageSpec } from '../spec/types.js';
import { compileField, type FieldCodec } from './field-codec.js';
import type { FieldInput, Fields } from './values.js';

/** A message compiled for encoding and decoding. */
export interface CompiledMessage {
  readonly spec: MessageSpec;
  readonly fields: readonly FieldCodec[];
  /** Field codecs by name, for patching single fields. */
  readonly byName: ReadonlyMap<string, FieldCodec>;
  /** True for a field name of this layout (a generated switch: faster than a Set for ~30 short names). */
  readonly isField: (name: string) => boolean;
  /** The key fields' names, whose values come from the spec. */
  readonly keyNames: readonly string[];
  /** Decodes every reported field into a fresh object (all properties created at once). */
  readonly decodeAll: (buf: Uint8Array) => Fields;
  /** Encodes every field into `buf` (the message's length); key fields come from the spec. */
  readonly encodeAll: (buf: Uint8Array, values: Readonly<Record<string, FieldInput>>) => void;
}

/**
 * Compiles a layout into two straight-line functions, one call per field and one object literal for the
 * result, generated once per message when a spec loads. Why generate code: a loop that adds 30 properties
 * one by one to an object costs more than all the field decoding of a telegram; a literal with a fixed
 * shape does not. Field names are identifiers checked by the spec loader and are quoted with JSON.stringify
 * anyway; no value from a telegram ever reaches the generated source.
 */
export function compileMessage(spec: MessageSpec, charset: Charset): CompiledMessage {
  const fields = spec.layout.map((f) => compileField(f, charset));

  const args: string[] = [];
  const values: unknown[] = [];
  const decodeProps: string[] = [];
  const encodeCalls: string[] = [];
  fields.forEach((f, i) => {
    const name = JSON.stringify(f.spec.name);
    const key = spec.key[f.spec.name];
    args.push(`d${i}`, `e${i}`, `k${i}`);
    // A key field's bytes were matched before decoding, so its value is the key itself.
    values.push(f.decode, f.encode, key === undefined ? undefined : key.trimEnd());
    if (f.reported) decodeProps.push(`${name}: ${key === undefined ? `d${i}(b)` : `k${i}`}`);
    if (key === undefined) encodeCalls.push(`e${i}(b, v[${name}]);`);
  });
  // Every telegram starts as this template: spaces, with the key written (field encoders rely on it).
  const template = Buffer.alloc(spec.length, 0x20);
  for (const f of spec.layout) {
    const key = spec.key[f.name];
    if (key !== undefined) template.write(key.padEnd(f.length), f.offset, 'latin1');
  }
  const cases = fields.map((f) => `case ${JSON.stringify(f.spec.name)}:`).join(' ');
  const factory = new Function(
    'template',
    ...args,
    `return [
      function decodeAll(b) { return { ${decodeProps.join(', ')} }; },
      function encodeAll(b, v) { b.set(template); ${encodeCalls.join(' ')} },
      function isField(n) { switch (n) { ${cases} return true; } return false; },
    ];`,
  ) as (...a: unknown[]) => [CompiledMessage['decodeAll'], CompiledMessage['encodeAll'], CompiledMessage['isField']];
  const [decodeAll, encodeAll, isField] = factory(template, ...values);
  return { spec, fields, byName: new Map(fields.map((f) => [f.spec.name, f])), isField, keyNames: Object.keys(spec.key), decodeAll, encodeAll };
}
