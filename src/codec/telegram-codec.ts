import { charsetFor } from '../encoding/korean-charset.js';
import { SpecError } from '../spec/spec-error.js';
import type { MessageSpec, TelegramSpec } from '../spec/types.js';
import { byteContext } from './byte-context.js';
import { compileMessage, type CompiledMessage } from './compile-message.js';
import { DecodeError } from './decode-error.js';
import { EncodeError } from './encode-error.js';
import { FieldFault } from './field-fault.js';
import type { DecodedTelegram, FieldInput } from './values.js';

/**
 * Encodes and decodes the telegrams of one spec, byte-exact.
 *
 * Construction compiles every layout once (and checks the spec's defaults and fixed values against their
 * fields); encode and decode then run straight-line code with one hash lookup per telegram.
 */
export class TelegramCodec {
  readonly spec: TelegramSpec;
  private readonly messages = new Map<string, CompiledMessage>();
  /** Hash of the key bytes → messages with that hash (verified byte for byte). */
  private readonly byKey = new Map<number, { bytes: Uint8Array; message: CompiledMessage }[]>();
  /** Positions of the key bytes in a telegram, in spec.keyFields order. */
  private readonly keyPositions: Uint16Array;
  private readonly minLength: number;
  /** Per message, the `mask: secret` fields: where they are and what overwrites them. */
  private readonly secrets = new Map<CompiledMessage, { offset: number; length: number; fill: number }[]>();

  constructor(spec: TelegramSpec) {
    this.spec = spec;
    const charset = charsetFor(spec.encoding);
    for (const m of spec.messages.values()) {
      const compiled = compileMessage(m, charset);
      this.checkSpecValues(compiled);
      this.messages.set(m.name, compiled);
      // Text secrets become '*' (visibly withheld); other types blanks, which still decode ("no value").
      const secret = m.layout.filter((f) => f.mask === 'secret').map((f) => ({ offset: f.offset, length: f.length, fill: f.type === 'X' ? 0x2a : 0x20 }));
      if (secret.length > 0) this.secrets.set(compiled, secret);
    }
    const first = [...spec.messages.values()][0]!;
    const positions: number[] = [];
    for (const n of spec.keyFields) {
      const f = first.layout.find((x) => x.name === n)!;
      for (let i = 0; i < f.length; i++) positions.push(f.offset + i);
    }
    this.keyPositions = Uint16Array.from(positions);
    this.minLength = Math.max(...positions) + 1;
    for (const c of this.messages.values()) {
      const bytes = Buffer.from(spec.keyFields.map((n) => c.spec.key[n]!.padEnd(first.layout.find((x) => x.name === n)!.length)).join(''), 'latin1');
      const hash = hashAt(bytes, Uint16Array.from(bytes.keys()));
      const bucket = this.byKey.get(hash) ?? [];
      bucket.push({ bytes, message: c });
      this.byKey.set(hash, bucket);
    }
  }

  /** The spec of the message of that name, or an EncodeError listing what exists. */
  message(name: string): MessageSpec {
    return this.compiled(name).spec;
  }

  /**
   * Builds one telegram (no length prefix). Fields not given take their default or blanks; key fields
   * are written from the spec; `overrides` (session fields a link fills in: date, 전문번호 …) win over
   * `values`. Throws {@link EncodeError} naming the field and offset.
   */
  encode(messageName: string, values: Readonly<Record<string, FieldInput>>, overrides?: Readonly<Record<string, FieldInput>>): Buffer {
    const m = this.compiled(messageName);
    this.checkNames(m, values);
    if (overrides) this.checkNames(m, overrides);
    const buf = Buffer.allocUnsafe(m.spec.length);
    try {
      m.encodeAll(buf, values);
      // Patched in place rather than merged into `values`: a merged object with computed keys is slow
      // to read, and this runs once per telegram on a link.
      if (overrides) for (const name in overrides) m.byName.get(name)!.overwrite(buf, overrides[name]);
    } catch (e) {
      if (!(e instanceof FieldFault)) throw e;
      throw this.encodeError(m, overrides ? { ...values, ...overrides } : values);
    }
    return buf;
  }

  private checkNames(m: CompiledMessage, values: Readonly<Record<string, FieldInput>>): void {
    for (const name in values) {
      if (!m.isField(name)) throw new EncodeError('FB_ENCODE_UNKNOWN_FIELD', `no field "${name}" in this message`, { message: m.spec.name });
    }
    for (const name of m.keyNames) {
      const given = values[name];
      const key = m.spec.key[name]!;
      if (given !== undefined && given !== null && String(given).trimEnd() !== key.trimEnd()) {
        const f = m.spec.layout.find((x) => x.name === name)!;
        throw new EncodeError('FB_ENCODE_INVALID_VALUE', `is the message key ${JSON.stringify(key)}, got ${JSON.stringify(String(given))}`, {
          message: m.spec.name,
          field: name,
          offset: f.offset,
        });
      }
    }
  }

  /**
   * The telegram as it may be kept or logged: a copy with every `mask: secret` field (passwords, 복기부호,
   * 실명번호) overwritten — '*' for text, blanks otherwise — and blank ones left blank, so a reader can still
   * tell whether one was sent. Bytes without secrets come back as they are (no copy); bytes that name no
   * message have no layout to find secrets by and also come back as they are.
   */
  redactSecrets(bytes: Buffer): Buffer {
    let m: CompiledMessage;
    try {
      m = this.lookup(bytes);
    } catch {
      return bytes;
    }
    const secret = this.secrets.get(m);
    if (!secret) return bytes;
    const out = Buffer.from(bytes);
    for (const f of secret) {
      const end = Math.min(f.offset + f.length, out.length);
      let blank = true;
      for (let i = f.offset; i < end; i++) if (out[i] !== 0x20) blank = false;
      if (!blank) out.fill(f.fill, f.offset, end);
    }
    return out;
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
    try {
      return { message: m.spec.name, fields: m.decodeAll(bytes) };
    } catch (e) {
      if (!(e instanceof FieldFault)) throw e;
      throw this.decodeError(m, bytes);
    }
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
    const pos = this.keyPositions;
    const bucket = this.byKey.get(hashAt(bytes, pos));
    if (bucket) {
      outer: for (const candidate of bucket) {
        for (let i = 0; i < pos.length; i++) if (bytes[pos[i]!] !== candidate.bytes[i]) continue outer;
        return candidate.message;
      }
    }
    throw this.unknownKey(bytes);
  }

  private unknownKey(bytes: Uint8Array): DecodeError {
    const first = [...this.spec.messages.values()][0]!;
    const shown = this.spec.keyFields
      .map((n) => {
        const f = first.layout.find((x) => x.name === n)!;
        const part = Buffer.from(bytes.subarray(f.offset, f.offset + f.length));
        return /^[\x20-\x7e]*$/.test(part.toString('latin1')) ? `${n}="${part.toString('latin1')}"` : `${n}=0x${part.toString('hex')}`;
      })
      .join(', ');
    return new DecodeError('FB_DECODE_UNKNOWN_MESSAGE', `no message in ${this.spec.institution} has the key ${shown}`, { offset: this.keyPositions[0]! });
  }

  /** Slow path, on failure only: find the field that faulted and say where. */
  private decodeError(m: CompiledMessage, bytes: Uint8Array): DecodeError {
    for (const f of m.fields) {
      try {
        f.decode(bytes);
      } catch (e) {
        if (!(e instanceof FieldFault)) throw e;
        return new DecodeError(e.kind === 'invalid-bytes' ? 'FB_DECODE_INVALID_BYTES' : 'FB_DECODE_INVALID_VALUE', e.detail, {
          message: m.spec.name,
          field: f.spec.name,
          offset: f.spec.offset + e.at,
          context: byteContext(bytes, f.spec, m.spec.layout),
        });
      }
    }
    throw new Error('unreachable: a field faulted once and not again');
  }

  private encodeError(m: CompiledMessage, values: Readonly<Record<string, FieldInput>>): EncodeError {
    const scratch = Buffer.alloc(m.spec.length, 0x20);
    for (const f of m.fields) {
      try {
        f.encode(scratch, m.spec.key[f.spec.name] ?? values[f.spec.name]);
      } catch (e) {
        if (!(e instanceof FieldFault)) throw e;
        const code = e.kind === 'too-long' ? 'FB_ENCODE_TOO_LONG' : e.kind === 'unencodable' ? 'FB_ENCODE_UNENCODABLE' : 'FB_ENCODE_INVALID_VALUE';
        return new EncodeError(code, e.detail, { message: m.spec.name, field: f.spec.name, offset: f.spec.offset });
      }
    }
    throw new Error('unreachable: a field faulted once and not again');
  }

  /** Defaults and fixed values in a spec must themselves be writable, or the spec is wrong. */
  private checkSpecValues(m: CompiledMessage): void {
    const scratch = Buffer.alloc(m.spec.length, 0x20);
    for (const f of m.fields) {
      const candidates = [f.spec.default, f.spec.value, m.spec.key[f.spec.name]].filter((v): v is string => v !== undefined);
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

/** Hash of the bytes at `positions` (the key bytes of a telegram, or all of a key's own bytes). */
function hashAt(b: Uint8Array, positions: Uint16Array): number {
  let h = 0;
  for (let i = 0; i < positions.length; i++) h = (Math.imul(h, 31) + b[positions[i]!]!) | 0;
  return h;
}
