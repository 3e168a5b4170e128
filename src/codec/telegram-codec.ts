import { charsetFor } from '../encoding/korean-charset.js';
import { SpecError } from '../spec/spec-error.js';
import type { MessageSpec, TelegramSpec } from '../spec/types.js';
import { byteContext } from './byte-context.js';
import { DecodeError } from './decode-error.js';
import { EncodeError } from './encode-error.js';
import { compileField, type FieldCodec } from './field-codec.js';
import { FieldFault } from './field-fault.js';
import type { DecodedTelegram, FieldInput, Fields } from './values.js';

/** A message compiled for encoding and decoding. */
interface CompiledMessage {
  readonly spec: MessageSpec;
  readonly fields: readonly FieldCodec[];
  /** Field name → codec, to refuse names the layout does not have. */
  readonly byName: ReadonlyMap<string, FieldCodec>;
  /** Key values by field name: written on encode whatever the caller says. */
  readonly key: Readonly<Record<string, string>>;
}

/**
 * Encodes and decodes the telegrams of one spec, byte-exact.
 *
 * Construction compiles every layout once (and checks the spec's defaults and fixed values against their
 * fields), so that encode and decode do no lookups beyond one Map access per telegram.
 */
export class TelegramCodec {
  readonly spec: TelegramSpec;
  private readonly messages = new Map<string, CompiledMessage>();
  /** Key bytes (latin1, fields joined by \0) → message. */
  private readonly byKey = new Map<string, CompiledMessage>();
  /** [offset, length] of each key field, in spec.keyFields order. */
  private readonly keySlices: readonly (readonly [number, number])[];
  private readonly minLength: number;

  constructor(spec: TelegramSpec) {
    this.spec = spec;
    const charset = charsetFor(spec.encoding);
    for (const m of spec.messages.values()) {
      const fields = m.layout.map((f) => compileField(f, charset));
      const compiled: CompiledMessage = { spec: m, fields, byName: new Map(fields.map((f) => [f.spec.name, f])), key: m.key };
      this.checkSpecValues(compiled);
      this.messages.set(m.name, compiled);
    }
    const first = [...spec.messages.values()][0]!;
    this.keySlices = spec.keyFields.map((n) => {
      const f = first.layout.find((x) => x.name === n)!;
      return [f.offset, f.length] as const;
    });
    for (const c of this.messages.values()) {
      this.byKey.set(spec.keyFields.map((n, i) => c.key[n]!.padEnd(this.keySlices[i]![1])).join('\0'), c);
    }
    this.minLength = Math.max(...this.keySlices.map(([o, l]) => o + l));
  }

  /** The compiled message of that name, or an EncodeError listing what exists. */
  message(name: string): MessageSpec {
    return this.compiled(name).spec;
  }

  /**
   * Builds one telegram (no length prefix). Fields not given take their default or blanks; key fields
   * are written from the spec. Throws {@link EncodeError} naming the field and offset.
   */
  encode(messageName: string, values: Readonly<Record<string, FieldInput>>): Buffer {
    const m = this.compiled(messageName);
    for (const name in values) {
      if (!m.byName.has(name)) {
        throw new EncodeError('FB_ENCODE_UNKNOWN_FIELD', `no field "${name}" in this message`, { message: messageName });
      }
    }
    const buf = Buffer.allocUnsafe(m.spec.length);
    const fields = m.fields;
    let i = 0;
    try {
      for (; i < fields.length; i++) {
        const f = fields[i]!;
        const keyValue = m.key[f.spec.name];
        if (keyValue !== undefined) {
          const given = values[f.spec.name];
          if (given !== undefined && given !== null && String(given).trimEnd() !== keyValue.trimEnd()) {
            throw new FieldFault('invalid-value', `is the message key ${JSON.stringify(keyValue)}, got ${JSON.stringify(String(given))}`);
          }
          f.encode(buf, keyValue);
        } else {
          f.encode(buf, values[f.spec.name]);
        }
      }
    } catch (e) {
      if (!(e instanceof FieldFault)) throw e;
      const f = fields[i]!.spec;
      const code = e.kind === 'too-long' ? 'FB_ENCODE_TOO_LONG' : e.kind === 'unencodable' ? 'FB_ENCODE_UNENCODABLE' : 'FB_ENCODE_INVALID_VALUE';
      throw new EncodeError(code, e.detail, { message: messageName, field: f.name, offset: f.offset });
    }
    return buf;
  }

  /** Which message these bytes are, by their key fields. Throws {@link DecodeError} if none. */
  identify(bytes: Uint8Array): MessageSpec {
    return this.lookup(bytes).spec;
  }

  /**
   * Reads one telegram (no length prefix): finds the message by its key, checks the length, decodes
   * every field. Throws {@link DecodeError} naming the field, offset and bytes around it.
   */
  decode(bytes: Uint8Array): DecodedTelegram {
    const m = this.lookup(bytes);
    if (bytes.length !== m.spec.length) {
      throw new DecodeError('FB_DECODE_LENGTH', `${bytes.length} bytes, but ${m.spec.name} is ${m.spec.length}`, { message: m.spec.name });
    }
    const out: Fields = {};
    const fields = m.fields;
    let i = 0;
    try {
      for (; i < fields.length; i++) {
        const f = fields[i]!;
        if (f.reported) out[f.spec.name] = f.decode(bytes);
      }
    } catch (e) {
      if (!(e instanceof FieldFault)) throw e;
      const f = fields[i]!.spec;
      throw new DecodeError(e.kind === 'invalid-bytes' ? 'FB_DECODE_INVALID_BYTES' : 'FB_DECODE_INVALID_VALUE', e.detail, {
        message: m.spec.name,
        field: f.name,
        offset: f.offset + e.at,
        context: byteContext(bytes, f),
      });
    }
    return { message: m.spec.name, fields: out };
  }

  private compiled(name: string): CompiledMessage {
    const m = this.messages.get(name);
    if (!m) {
      throw new EncodeError('FB_ENCODE_UNKNOWN_MESSAGE', `no message "${name}" in ${this.spec.file} (known: ${[...this.messages.keys()].join(', ')})`, { message: name });
    }
    return m;
  }

  private lookup(bytes: Uint8Array): CompiledMessage {
    if (bytes.length < this.minLength) {
      throw new DecodeError('FB_DECODE_LENGTH', `${bytes.length} bytes is too short to hold the message key (${this.minLength} bytes)`);
    }
    const slices = this.keySlices;
    let key = Buffer.prototype.latin1Slice.call(bytes, slices[0]![0], slices[0]![0] + slices[0]![1]);
    for (let k = 1; k < slices.length; k++) {
      key += '\0' + Buffer.prototype.latin1Slice.call(bytes, slices[k]![0], slices[k]![0] + slices[k]![1]);
    }
    const m = this.byKey.get(key);
    if (!m) {
      const shown = this.spec.keyFields
        .map((n, k) => {
          const part = key.split('\0')[k]!;
          return /^[\x20-\x7e]*$/.test(part) ? `${n}="${part}"` : `${n}=0x${Buffer.from(part, 'latin1').toString('hex')}`;
        })
        .join(', ');
      throw new DecodeError('FB_DECODE_UNKNOWN_MESSAGE', `no message in ${this.spec.institution} has the key ${shown}`, { offset: slices[0]![0] });
    }
    return m;
  }

  /** Defaults and fixed values in a spec must themselves be writable, or the spec is wrong. */
  private checkSpecValues(m: CompiledMessage): void {
    const scratch = Buffer.alloc(m.spec.length);
    for (const f of m.fields) {
      const candidates = [f.spec.default, f.spec.value, m.key[f.spec.name]].filter((v): v is string => v !== undefined);
      for (const v of candidates) {
        try {
          f.encode(scratch, v);
        } catch (e) {
          if (!(e instanceof FieldFault)) throw e;
          throw new SpecError({ file: this.spec.file, path: `messages.${m.spec.name}`, message: m.spec.name, field: f.spec.name }, `value ${JSON.stringify(v)} does not fit the field: ${e.detail}`);
        }
      }
    }
  }
}
