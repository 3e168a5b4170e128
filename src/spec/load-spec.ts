import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, visit, type Document } from 'yaml';
import { CHARSET_NAMES, type CharsetName } from '../encoding/charset.js';
import { SpecError, type SpecLocation } from './spec-error.js';
import {
  FIELD_TYPES,
  MASK_KINDS,
  type FieldSpec,
  type FieldType,
  type Framing,
  type MessageSpec,
  type SessionSpec,
  type TelegramSpec,
} from './types.js';

type Path = (string | number)[];

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const MESSAGE_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;
const INSTITUTION = /^[a-z][a-z0-9-]*$/;

/** Reads and validates a spec file. Throws {@link SpecError} naming the file, line, path and reason. */
export function loadSpecFile(file: string): TelegramSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SpecError({ file, path: '' }, `cannot read the spec file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseSpec(text, file);
}

/** Validates spec text (YAML). `file` is only used in error messages. */
export function parseSpec(text: string, file = '<spec>'): TelegramSpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, logLevel: 'error' });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const line = lineCounter.linePos(err.pos[0]).line;
    throw new SpecError({ file, line, path: '' }, `not valid YAML: ${err.message.split('\n')[0]}`);
  }
  return new SpecReader(file, doc, lineCounter).read();
}

/** Walks the parsed document with a path, so that every complaint can say where it is. */
class SpecReader {
  constructor(
    private readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  private fail(path: Path, reason: string, extra: Partial<SpecLocation> = {}): never {
    let line: number | undefined;
    for (let n = path.length; n >= 0 && line === undefined; n--) {
      const node = this.doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) line = this.lines.linePos(node.range[0]).line;
    }
    if (line === undefined && path.length === 0) line = 1; // the document as a whole (empty, a comment only)
    const printed = path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
    throw new SpecError({ file: this.file, path: printed, ...(line !== undefined ? { line } : {}), ...extra }, reason);
  }

  read(): TelegramSpec {
    let root: unknown;
    try {
      root = this.doc.toJS();
    } catch (e) {
      // An alias to no anchor, or aliases that expand without end ("billion laughs"): say where.
      let line: number | undefined;
      visit(this.doc, {
        Alias: (_key, node) => {
          if (line === undefined && node.range && !node.resolve(this.doc)) line = this.lines.linePos(node.range[0]).line;
        },
      });
      throw new SpecError({ file: this.file, line: line ?? 1, path: '' }, `not valid YAML: ${(e as Error).message.split('\n')[0]}`);
    }
    if (!isRecord(root)) this.fail([], 'the spec must be a mapping (institution, encoding, framing, header, messages)');
    this.onlyKeys(root, [], ['institution', 'title', 'encoding', 'framing', 'header', 'messages', 'session']);

    const institution = this.string(root, ['institution']);
    if (!INSTITUTION.test(institution)) this.fail(['institution'], `"${institution}" is not an id (lower-case letters, digits, -)`);
    const title = root['title'] === undefined ? institution : this.string(root, ['title']);
    const encoding = this.string(root, ['encoding']) as CharsetName;
    if (!CHARSET_NAMES.includes(encoding)) this.fail(['encoding'], `unknown encoding "${encoding}" (use ${CHARSET_NAMES.join(' or ')})`);

    const header = root['header'] === undefined ? [] : this.fields(root['header'], ['header'], 0, new Set());
    const headerLength = header.reduce((n, f) => n + f.length, 0);
    const headerNames = new Set(header.map((f) => f.name));

    const rawMessages = root['messages'];
    if (!isRecord(rawMessages) || Object.keys(rawMessages).length === 0) this.fail(['messages'], 'messages must be a non-empty mapping of name → layout');
    const messages = new Map<string, MessageSpec>();
    for (const [name, raw] of Object.entries(rawMessages)) {
      messages.set(name, this.message(name, raw, header, headerLength, new Set(headerNames)));
    }

    const keyFields = this.keyFields(messages);
    const framing = this.framing(root['framing'], messages);
    this.exchanges(messages);
    const session = root['session'] === undefined ? undefined : this.session(root['session'], messages, framing);
    return { file: this.file, institution, title, encoding, framing, header, messages, keyFields, ...(session ? { session } : {}) };
  }

  private message(name: string, raw: unknown, header: FieldSpec[], headerLength: number, names: Set<string>): MessageSpec {
    const path: Path = ['messages', name];
    const at = { message: name };
    if (!MESSAGE_NAME.test(name)) this.fail(path, `"${name}" is not a message name (letters, digits, . _ -)`, at);
    if (!isRecord(raw)) this.fail(path, 'a message must be a mapping with key, length and fields', at);
    this.onlyKeys(raw, path, ['key', 'length', 'from', 'response', 'header', 'fields', 'description'], at);
    if (raw['header'] !== undefined) {
      // A message whose common part differs from the spec's (Hecto 3000/200); key fields must not move.
      header = this.fields(raw['header'], [...path, 'header'], 0, new Set(), name);
      headerLength = header.reduce((n, f) => n + f.length, 0);
      names = new Set(header.map((f) => f.name));
    }
    const body = this.fields(raw['fields'], [...path, 'fields'], headerLength, names, name);
    const layout = [...header, ...body];
    const actual = layout.reduce((n, f) => n + f.length, 0);
    const length = this.positiveInt(raw, [...path, 'length'], at);
    if (actual !== length) {
      this.fail([...path, 'length'], `fields add up to ${actual} bytes (header ${headerLength} + body ${actual - headerLength}) but length says ${length}`, at);
    }

    const rawKey = raw['key'];
    if (!isRecord(rawKey) || Object.keys(rawKey).length === 0) this.fail([...path, 'key'], 'key must map field names to codes, e.g. { messageCode: "2000" }', at);
    const key: Record<string, string> = {};
    for (const [fieldName, value] of Object.entries(rawKey)) {
      const kp = [...path, 'key', fieldName];
      const field = layout.find((f) => f.name === fieldName);
      if (!field) this.fail(kp, `key names field "${fieldName}", which this message does not have`, at);
      if (typeof value === 'number') this.fail(kp, `${value} is a number: codes must be quoted strings ("${value}"), or leading zeros are lost`, { ...at, field: fieldName });
      if (typeof value !== 'string' || value.length === 0) this.fail(kp, 'a key value must be a non-empty quoted string', { ...at, field: fieldName });
      if (!/^[\x20-\x7e]+$/.test(value) || value.length > field.length) {
        this.fail(kp, `"${value}" must be printable ASCII of at most ${field.length} bytes`, { ...at, field: fieldName });
      }
      key[fieldName] = value;
    }
    const from = raw['from'];
    if (from !== undefined && from !== 'company' && from !== 'bank') this.fail([...path, 'from'], `from must be company or bank, not ${JSON.stringify(from)}`, at);
    const response = raw['response'];
    if (response !== undefined && typeof response !== 'string') this.fail([...path, 'response'], 'response must name a message', at);
    return {
      name,
      key,
      length,
      layout,
      ...(from ? { from } : {}),
      ...(response ? { response } : {}),
      ...(typeof raw['description'] === 'string' ? { description: raw['description'] } : {}),
    };
  }

  private fields(raw: unknown, path: Path, start: number, names: Set<string>, message?: string): FieldSpec[] {
    if (!Array.isArray(raw) || raw.length === 0) this.fail(path, 'fields must be a non-empty list', message ? { message } : {});
    const out: FieldSpec[] = [];
    let offset = start;
    raw.forEach((f: unknown, i: number) => {
      const fp = [...path, i];
      const at = { ...(message ? { message } : {}) };
      if (!isRecord(f)) this.fail(fp, 'a field must be a mapping like { name: amount, type: amount, length: 13 }', at);
      const name = typeof f['name'] === 'string' ? f['name'] : this.fail([...fp, 'name'], 'every field needs a name', at);
      const fat = { ...at, field: name };
      this.onlyKeys(f, fp, ['name', 'type', 'length', 'scale', 'default', 'value', 'mask', 'controls', 'description'], fat);
      if (!NAME.test(name)) this.fail([...fp, 'name'], `"${name}" is not a field name (letters, digits, _)`, fat);
      if (names.has(name)) this.fail([...fp, 'name'], `duplicate field name "${name}" (header and body share one namespace)`, fat);
      names.add(name);

      const type = f['type'] as FieldType;
      if (!FIELD_TYPES.includes(type)) this.fail([...fp, 'type'], `unknown type "${String(f['type'])}" (use ${FIELD_TYPES.join(', ')})`, fat);
      const length = this.positiveInt(f, [...fp, 'length'], fat);
      if (type === 'date' && length !== 8) this.fail([...fp, 'length'], 'a date field is 8 bytes (YYYYMMDD)', fat);
      if (type === 'time' && length !== 6) this.fail([...fp, 'length'], 'a time field is 6 bytes (hhmmss)', fat);
      if (type === 'sign' && length !== 1) this.fail([...fp, 'length'], 'a sign field is 1 byte', fat);

      let scale = 0;
      if (f['scale'] !== undefined) {
        if (type !== 'amount') this.fail([...fp, 'scale'], 'scale is only for amount fields', fat);
        scale = f['scale'] as number;
        if (!Number.isInteger(scale) || scale < 0 || scale >= length) this.fail([...fp, 'scale'], `scale must be an integer from 0 to ${length - 1}`, fat);
      }
      const field: { -readonly [K in keyof FieldSpec]: FieldSpec[K] } = { name, type, length, offset, scale };
      for (const k of ['default', 'value'] as const) {
        const v = f[k];
        if (v === undefined) continue;
        if (type === 'filler') this.fail([...fp, k], `a filler has no ${k}: it is always spaces`, fat);
        if (typeof v === 'number') this.fail([...fp, k], `${v} is a number: write it as a quoted string ("${v}") so leading zeros survive`, fat);
        if (typeof v !== 'string') this.fail([...fp, k], `${k} must be a quoted string`, fat);
        field[k] = v;
      }
      if (f['mask'] !== undefined) {
        if (!MASK_KINDS.includes(f['mask'] as never)) this.fail([...fp, 'mask'], `unknown mask "${String(f['mask'])}" (use ${MASK_KINDS.join(', ')})`, fat);
        field.mask = f['mask'] as FieldSpec['mask'];
      }
      if (f['controls'] !== undefined) {
        if (f['controls'] !== true && f['controls'] !== false) this.fail([...fp, 'controls'], 'controls is true or false', fat);
        if (type !== 'X') this.fail([...fp, 'controls'], 'controls is only for text (X) fields', fat);
        field.controls = f['controls'] as boolean;
      }
      if (typeof f['description'] === 'string') field.description = f['description'];
      out.push(field);
      offset += length;
    });
    return out;
  }

  /** Key fields must sit at the same place in every message, or decoding could not find them. */
  private keyFields(messages: Map<string, MessageSpec>): string[] {
    const first = [...messages.values()][0]!;
    const names = Object.keys(first.key);
    const seen = new Map<string, string>();
    for (const m of messages.values()) {
      const mine = Object.keys(m.key);
      if (mine.length !== names.length || mine.some((n) => !names.includes(n))) {
        this.fail(['messages', m.name, 'key'], `every message must be keyed by the same fields (${names.join(', ')}), this one by ${mine.join(', ')}`, { message: m.name });
      }
      for (const n of names) {
        const here = m.layout.find((f) => f.name === n)!;
        const there = first.layout.find((f) => f.name === n)!;
        if (here.offset !== there.offset || here.length !== there.length) {
          this.fail(['messages', m.name, 'key', n], `key field ${n} is at ${here.offset}+${here.length} here but at ${there.offset}+${there.length} in ${first.name}`, { message: m.name, field: n });
        }
      }
      const tuple = names.map((n) => m.key[n]!.padEnd(first.layout.find((f) => f.name === n)!.length)).join('|');
      const other = seen.get(tuple);
      if (other) this.fail(['messages', m.name, 'key'], `ambiguous key: ${m.name} and ${other} have the same key (${names.map((n) => `${n}=${m.key[n]}`).join(', ')})`, { message: m.name });
      seen.set(tuple, m.name);
    }
    return names;
  }

  /** A message that expects a response must name an existing one, and say who sends it. */
  private exchanges(messages: Map<string, MessageSpec>): void {
    for (const m of messages.values()) {
      if (m.response === undefined) continue;
      const at = { message: m.name };
      if (!messages.has(m.response)) this.fail(['messages', m.name, 'response'], `response names "${m.response}", which is not a message`, at);
      if (m.response === m.name) this.fail(['messages', m.name, 'response'], 'a message cannot answer itself', at);
      if (!m.from) this.fail(['messages', m.name], 'a message with a response must say who sends it (from: company or bank)', at);
    }
  }

  private session(raw: unknown, messages: Map<string, MessageSpec>, framing: Framing): SessionSpec {
    const path: Path = ['session'];
    if (!isRecord(raw)) this.fail(path, 'session must be a mapping');
    this.onlyKeys(raw, path, ['match', 'seqNo', 'maxSeqNo', 'sendDate', 'sendTime', 'responseCode', 'companyId', 'bankCode', 'systemId', 'successCodes', 'echo', 'open', 'close', 'testCall', 'polling']);
    const all = [...messages.values()];
    const headerField = (name: unknown, p: Path): string => {
      if (typeof name !== 'string') this.fail(p, 'must name a header field');
      for (const m of all) if (!m.layout.some((f) => f.name === name)) this.fail(p, `"${name}" is not a field of ${m.name}`);
      return name;
    };
    const list = (key: string): string[] => {
      const v = raw[key];
      if (!Array.isArray(v) || v.length === 0) this.fail([...path, key], 'must be a non-empty list of header field names');
      return v.map((n, i) => headerField(n, [...path, key, i]));
    };
    const exchange = (key: string): string | undefined => {
      const v = raw[key];
      if (v === undefined) return undefined;
      const m = typeof v === 'string' ? messages.get(v) : undefined;
      if (!m || m.from !== 'company' || !m.response) this.fail([...path, key], `must name a message sent by the company that has a response`);
      return m.name;
    };
    const match = list('match');
    for (const [i, n] of match.entries()) {
      const there = all[0]!.layout.find((f) => f.name === n)!;
      for (const m of all) {
        const here = m.layout.find((f) => f.name === n)!;
        if (here.offset !== there.offset || here.length !== there.length) this.fail([...path, 'match', i], `${n} is at ${here.offset}+${here.length} in ${m.name} but at ${there.offset}+${there.length} in ${all[0]!.name}: responses are matched by these bytes`);
      }
    }
    const codes = raw['successCodes'];
    if (!Array.isArray(codes) || codes.length === 0 || codes.some((c) => typeof c !== 'string')) this.fail([...path, 'successCodes'], 'must be a list of quoted codes, e.g. ["0000"]');
    const maxSeqNo = this.positiveInt(raw, [...path, 'maxSeqNo']);
    const seqNo = headerField(raw['seqNo'], [...path, 'seqNo']);
    const seqField = all[0]!.layout.find((f) => f.name === seqNo)!;
    if (String(maxSeqNo).length > seqField.length) this.fail([...path, 'maxSeqNo'], `${maxSeqNo} does not fit ${seqNo} (${seqField.length} digits)`);

    let polling: SessionSpec['polling'];
    if (raw['polling'] !== undefined) {
      const pp: Path = [...path, 'polling'];
      const p = raw['polling'];
      if (!isRecord(p)) this.fail(pp, 'polling must be a mapping { idleSeconds, request, response }');
      this.onlyKeys(p, pp, ['idleSeconds', 'request', 'response']);
      const idleSeconds = this.positiveInt(p, [...pp, 'idleSeconds']);
      for (const k of ['request', 'response'] as const) {
        if (typeof p[k] !== 'string' || !/^[\x21-\x7e]+$/.test(p[k])) this.fail([...pp, k], 'must be printable ASCII text');
      }
      const request = p['request'] as string;
      const response = p['response'] as string;
      if (request.length !== response.length) this.fail(pp, 'request and response texts must have the same length');
      if (request.length + 10 > framing.maxLength) this.fail(pp, 'a poll frame would exceed the framing maxLength');
      polling = { idleSeconds, request, response };
    }
    const optional = (key: string) => (raw[key] === undefined ? {} : { [key]: headerField(raw[key], [...path, key]) });
    const exchanges = Object.fromEntries((['open', 'close', 'testCall'] as const).flatMap((k) => (exchange(k) ? [[k, exchange(k)!]] : [])));
    return {
      match,
      seqNo,
      maxSeqNo,
      sendDate: headerField(raw['sendDate'], [...path, 'sendDate']),
      sendTime: headerField(raw['sendTime'], [...path, 'sendTime']),
      responseCode: headerField(raw['responseCode'], [...path, 'responseCode']),
      companyId: headerField(raw['companyId'], [...path, 'companyId']),
      bankCode: headerField(raw['bankCode'], [...path, 'bankCode']),
      ...optional('systemId'),
      successCodes: codes as string[],
      echo: raw['echo'] === undefined ? [] : list('echo'),
      ...exchanges,
      ...(polling ? { polling } : {}),
    };
  }

  private framing(raw: unknown, messages: Map<string, MessageSpec>): Framing {
    const path: Path = ['framing'];
    if (!isRecord(raw)) this.fail(path, 'framing must be a mapping, e.g. { kind: length-prefix, digits: 4 }');
    const longest = Math.max(...[...messages.values()].map((m) => m.length));
    const maxLength = raw['maxLength'] === undefined ? longest : this.positiveInt(raw, [...path, 'maxLength']);
    if (maxLength < longest) this.fail([...path, 'maxLength'], `maxLength ${maxLength} is shorter than the longest message (${longest})`);
    switch (raw['kind']) {
      case 'length-prefix': {
        this.onlyKeys(raw, path, ['kind', 'digits', 'maxLength']);
        const digits = this.positiveInt(raw, [...path, 'digits']);
        if (digits > 9 || maxLength >= 10 ** digits) this.fail([...path, 'digits'], `${digits} digits cannot carry a length of ${maxLength}`);
        return { kind: 'length-prefix', digits, maxLength };
      }
      case 'binary-length': {
        this.onlyKeys(raw, path, ['kind', 'bytes', 'maxLength']);
        const bytes = raw['bytes'];
        if (bytes !== 2 && bytes !== 4) this.fail([...path, 'bytes'], 'a binary length prefix is 2 or 4 bytes (big-endian)');
        if (bytes === 2 && maxLength > 0xffff) this.fail([...path, 'maxLength'], 'a 2-byte prefix carries at most 65535');
        return { kind: 'binary-length', bytes, maxLength };
      }
      case 'fixed': {
        this.onlyKeys(raw, path, ['kind', 'maxLength']);
        const lengths = new Set([...messages.values()].map((m) => m.length));
        if (lengths.size !== 1) this.fail(path, `fixed framing needs every message to have one length; found ${[...lengths].join(', ')}`);
        return { kind: 'fixed', length: longest, maxLength: longest };
      }
      default:
        this.fail([...path, 'kind'], `unknown framing kind "${String(raw['kind'])}" (use length-prefix, binary-length or fixed)`);
    }
  }

  private string(obj: Record<string, unknown>, path: Path): string {
    const v = obj[path[path.length - 1] as string];
    if (typeof v !== 'string' || v.length === 0) this.fail(path, v === undefined ? 'is required' : 'must be a non-empty string');
    return v;
  }

  private positiveInt(obj: Record<string, unknown>, path: Path, at: Partial<SpecLocation> = {}): number {
    const v = obj[path[path.length - 1] as string];
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) this.fail(path, v === undefined ? 'is required' : `must be a positive integer, not ${JSON.stringify(v)}`, at);
    return v;
  }

  private onlyKeys(obj: Record<string, unknown>, path: Path, allowed: string[], at: Partial<SpecLocation> = {}): void {
    for (const k of Object.keys(obj)) {
      if (!allowed.includes(k)) this.fail([...path, k], `unknown key "${k}" (allowed: ${allowed.join(', ')})`, at);
    }
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
