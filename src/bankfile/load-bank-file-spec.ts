import { readFileSync } from 'node:fs';
import { LineCounter, isMap, isScalar, parseDocument, type Document, type Pair } from 'yaml';
import { TelegramCodec } from '../codec/telegram-codec.js';
import { parseSpec } from '../spec/load-spec.js';
import type { FieldSpec, MessageSpec, TelegramSpec } from '../spec/types.js';
import { BankFileSpecError, type BankFileSpecLocation } from './bank-file-spec-error.js';
import {
  CANONICAL_FIELDS,
  LINE_ENDINGS,
  type BankFileSpec,
  type CanonicalField,
  type DateFormat,
  type FieldSource,
  type FileLayout,
  type LineEnding,
  type OutcomeSource,
  type RecordMapping,
  type RecordSequence,
  type TrailerCheck,
} from './bank-file-spec.js';

type Path = (string | number)[];

const DATE_FORMATS: Record<DateFormat, number> = { YYYYMMDD: 8, YYMMDD: 6, MMDD: 4 };
const WIRE_VALUE = /^[\x20-\x7e]+$/;

/** Reads and validates a bank-file spec. Throws {@link BankFileSpecError} (the `file:` section) or SpecError (the rest). */
export function loadBankFileSpec(file: string): BankFileSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new BankFileSpecError({ file, path: '' }, `cannot read the spec file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseBankFileSpec(text, file);
}

/**
 * Validates bank-file spec text: an ordinary telegram spec (records as messages, `framing: { kind: fixed }`)
 * plus a `file:` section. The telegram part goes through the existing `parseSpec` with the `file:` section
 * blanked out in place (every character but line breaks turned into a space), so that the lines its
 * errors name are the lines of this text. `file` is only used in error messages.
 */
export function parseBankFileSpec(text: string, file = '<bank-file spec>'): BankFileSpec {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, logLevel: 'error' });
  const root = doc.contents;
  // Broken YAML, or not a mapping: parseSpec says so with its own line and words.
  if (doc.errors.length > 0 || !isMap(root)) parseSpec(text, file);
  if (!isMap(root)) throw new BankFileSpecError({ file, line: 1, path: '' }, 'the spec must be a mapping');

  const pair = root.items.find((p) => isScalar(p.key) && p.key.value === 'file') as Pair<{ range?: [number, number, number] }, { range?: [number, number, number] } | null> | undefined;
  if (!pair?.key.range) {
    throw new BankFileSpecError({ file, line: 1, path: 'file' }, 'is required: a bank-file spec needs a file: section (recordLength, lineEnding, header, data, trailer, checks, records)');
  }
  let rest: string;
  if (root.flow) {
    // `{ …, file: … }` on one line: nothing to blank safely; line numbers of the rest may shift.
    const copy = doc.clone();
    copy.delete('file');
    rest = String(copy);
  } else {
    const start = pair.key.range[0];
    const end = pair.value?.range ? pair.value.range[1] : pair.key.range[1] + 1;
    rest = text.slice(0, start) + text.slice(start, end).replace(/[^\r\n]/g, ' ') + text.slice(end);
  }
  const telegram = parseSpec(rest, file);
  const codec = new TelegramCodec(telegram);
  const layout = new FileSectionReader(file, doc, lines, telegram).read();
  return { file, telegram, codec, layout };
}

/** Walks the `file:` section with a path, so that every complaint can say where it is (as the spec loader does). */
class FileSectionReader {
  constructor(
    private readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly spec: TelegramSpec,
  ) {}

  private fail(path: Path, reason: string, extra: Partial<BankFileSpecLocation> = {}): never {
    let line: number | undefined;
    for (let n = path.length; n >= 0 && line === undefined; n--) {
      const node = this.doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) line = this.lines.linePos(node.range[0]).line;
    }
    const printed = path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
    throw new BankFileSpecError({ file: this.file, path: printed, ...(line !== undefined ? { line } : {}), ...extra }, reason);
  }

  read(): FileLayout {
    const raw = this.doc.toJS()['file'] as unknown;
    const path: Path = ['file'];
    if (!isRecord(raw)) this.fail(path, 'file must be a mapping (recordLength, lineEnding, header, data, trailer, checks, records)');
    this.onlyKeys(raw, path, ['recordLength', 'lineEnding', 'header', 'data', 'trailer', 'checks', 'records', 'sequence', 'description']);
    if (this.spec.framing.kind !== 'fixed') this.fail(['framing'], `a bank file has fixed-length records: framing must be { kind: fixed }, not ${this.spec.framing.kind}`);

    const recordLength = this.positiveInt(raw['recordLength'], [...path, 'recordLength']);
    for (const m of this.spec.messages.values()) {
      if (m.length !== recordLength) this.fail([...path, 'recordLength'], `every record is ${recordLength} bytes, but message ${m.name} is ${m.length}`, { message: m.name });
    }
    const lineEnding = raw['lineEnding'] as LineEnding;
    if (!LINE_ENDINGS.includes(lineEnding)) this.fail([...path, 'lineEnding'], `must be one of ${LINE_ENDINGS.join(', ')}, not ${JSON.stringify(raw['lineEnding'])}`);

    const header = this.messageName(raw['header'], [...path, 'header']);
    const trailer = this.messageName(raw['trailer'], [...path, 'trailer']);
    const rawData = typeof raw['data'] === 'string' ? [raw['data']] : raw['data'];
    if (!Array.isArray(rawData) || rawData.length === 0) this.fail([...path, 'data'], 'data must name one or more data messages');
    const data = rawData.map((n, i) => this.messageName(n, typeof raw['data'] === 'string' ? [...path, 'data'] : [...path, 'data', i]));
    const roles = [header, ...data, trailer];
    if (new Set(roles).size !== roles.length) this.fail(path, 'header, data and trailer must name different messages');
    for (const m of this.spec.messages.keys()) {
      if (!roles.includes(m)) this.fail([...path, 'data'], `message ${m} has no role: name it as the header, the trailer or a data record`, { message: m });
    }

    const dataMessages = data.map((n) => this.spec.messages.get(n)!);
    const headerMessage = this.spec.messages.get(header)!;
    const trailerMessage = this.spec.messages.get(trailer)!;
    const checks = this.checks(raw['checks'], [...path, 'checks'], dataMessages, trailerMessage);
    const records = this.records(raw['records'], [...path, 'records'], dataMessages, headerMessage);
    const sequence = raw['sequence'] === undefined ? undefined : this.sequence(raw['sequence'], [...path, 'sequence'], dataMessages);
    return { recordLength, lineEnding, header, data, trailer, checks, records, ...(sequence ? { sequence } : {}) };
  }

  private checks(raw: unknown, path: Path, data: MessageSpec[], trailer: MessageSpec): TrailerCheck[] {
    if (raw === undefined) return [];
    if (!Array.isArray(raw)) this.fail(path, 'checks must be a list of { field, count | sum, where? }');
    const seen = new Set<string>();
    return raw.map((c: unknown, i) => {
      const cp = [...path, i];
      if (!isRecord(c)) this.fail(cp, 'a check is a mapping like { field: totalCount, count: data }');
      this.onlyKeys(c, cp, ['field', 'count', 'sum', 'where', 'description']);
      const field = this.fieldOf(trailer, c['field'], [...cp, 'field']);
      if (!(field.type === 'N' || (field.type === 'amount' && field.scale === 0))) this.fail([...cp, 'field'], `${field.name} is ${field.type}: a total goes in a digits (N) or whole amount field`, { field: field.name });
      if (seen.has(field.name)) this.fail([...cp, 'field'], `${field.name} is checked twice`, { field: field.name });
      seen.add(field.name);
      if ((c['count'] === undefined) === (c['sum'] === undefined)) this.fail(cp, 'a check has exactly one of count (data | records) or sum (a data field)');
      const where = c['where'] === undefined ? undefined : this.where(c['where'], [...cp, 'where'], data);
      const filter = where ? ` whose ${Object.entries(where).map(([f, v]) => `${f} is ${v.map((x) => JSON.stringify(x)).join(' or ')}`).join(' and ')}` : '';
      if (c['count'] !== undefined) {
        if (c['count'] !== 'data' && c['count'] !== 'records') this.fail([...cp, 'count'], `count is data (data records) or records (all records, header and trailer included), not ${JSON.stringify(c['count'])}`);
        if (c['count'] === 'records' && where) this.fail([...cp, 'where'], 'where filters data records: it cannot go with count: records');
        const describe = c['count'] === 'data' ? `data records${filter}` : 'records (header and trailer included)';
        return { field: field.name, count: c['count'], ...(where ? { where } : {}), describe };
      }
      for (const m of data) {
        const f = this.fieldOf(m, c['sum'], [...cp, 'sum']);
        if (!(f.type === 'N' || (f.type === 'amount' && f.scale === 0))) this.fail([...cp, 'sum'], `${f.name} in ${m.name} is ${f.type}: only digits (N) or whole amounts can be summed`, { message: m.name, field: f.name });
        if (f.length > 15) this.fail([...cp, 'sum'], `${f.name} in ${m.name} is ${f.length} digits: a summed field holds at most 15`, { message: m.name, field: f.name });
      }
      return { field: field.name, sum: c['sum'] as string, ...(where ? { where } : {}), describe: `sum of ${c['sum'] as string} over data records${filter}` };
    });
  }

  private where(raw: unknown, path: Path, data: MessageSpec[]): Record<string, string[]> {
    if (!isRecord(raw) || Object.keys(raw).length === 0) this.fail(path, 'where maps data fields to lists of values, e.g. { resultFlag: ["1", "Y"] }');
    const out: Record<string, string[]> = {};
    for (const [name, values] of Object.entries(raw)) {
      const fp = [...path, name];
      const lengths = data.map((m) => this.fieldOf(m, name, fp).length);
      if (!Array.isArray(values) || values.length === 0) this.fail(fp, 'must be a non-empty list of quoted values');
      out[name] = values.map((v: unknown, i) => this.wireValue(v, [...fp, i], Math.min(...lengths), name));
    }
    return out;
  }

  private records(raw: unknown, path: Path, data: MessageSpec[], header: MessageSpec): RecordMapping {
    if (!isRecord(raw)) this.fail(path, 'records must map canonical fields (amount, seqNo, outcome …) to fields of the records');
    this.onlyKeys(raw, path, [...Object.keys(CANONICAL_FIELDS), 'outcome']);
    if (raw['amount'] === undefined) this.fail([...path, 'amount'], 'is required: every data record has an amount');
    const out: Record<string, unknown> = {};
    for (const name of Object.keys(CANONICAL_FIELDS) as CanonicalField[]) {
      if (raw[name] !== undefined) out[name] = this.source(name, raw[name], [...path, name], data, header);
    }
    if (raw['outcome'] !== undefined) out['outcome'] = this.outcome(raw['outcome'], [...path, 'outcome'], data);
    const mapping = out as unknown as RecordMapping;
    const mmdd = Object.entries(out).find(([, s]) => (s as FieldSource).format === 'MMDD');
    if (mmdd && !mapping.fileDate) this.fail([...path, mmdd[0]], 'an MMDD date takes its year from the file date: map fileDate (a header field) too');
    if (mapping.fileDate?.format === 'MMDD') this.fail([...path, 'fileDate'], 'the file date needs its year: use YYYYMMDD or YYMMDD');
    return mapping;
  }

  private source(name: CanonicalField, raw: unknown, path: Path, data: MessageSpec[], header: MessageSpec): FieldSource {
    const kind = CANONICAL_FIELDS[name];
    if (!isRecord(raw)) this.fail(path, 'a source is a mapping like { field: amount } or { header: fileDate, format: YYMMDD }');
    this.onlyKeys(raw, path, ['field', 'header', 'from', 'length', 'format']);
    if ((raw['field'] === undefined) === (raw['header'] === undefined)) this.fail(path, 'name exactly one of field (a data field) or header (a header field)');
    const record = raw['header'] !== undefined ? 'header' : 'data';
    if (name === 'fileDate' && record !== 'header') this.fail(path, 'the file date is the header\'s: use { header: <field> }');
    if (record === 'header' && name !== 'fileDate' && name !== 'sendDate') this.fail([...path, 'header'], `${name} comes from each data record, not from the header`);
    const fieldName = record === 'header' ? raw['header'] : raw['field'];
    const fp = [...path, record === 'header' ? 'header' : 'field'];
    const fields = (record === 'header' ? [header] : data).map((m) => ({ m, f: this.fieldOf(m, fieldName, fp) }));
    const from = raw['from'] === undefined ? 0 : this.nonNegativeInt(raw['from'], [...path, 'from']);
    const length = raw['length'] === undefined ? undefined : this.positiveInt(raw['length'], [...path, 'length']);
    const sliced = from !== 0 || length !== undefined;
    const format = raw['format'] as DateFormat | undefined;
    if (format !== undefined && !(format in DATE_FORMATS)) this.fail([...path, 'format'], `format is one of ${Object.keys(DATE_FORMATS).join(', ')}, not ${JSON.stringify(format)}`);
    if (format !== undefined && kind !== 'date') this.fail([...path, 'format'], `format is for dates; ${name} is not one`);
    for (const { m, f } of fields) {
      const at = { message: m.name, field: f.name };
      const size = (length ?? f.length - from);
      if (from + size > f.length || size <= 0) this.fail(path, `bytes ${from}+${size} do not fit ${f.name} (${f.length} bytes)`, at);
      if (sliced && f.type !== 'X' && f.type !== 'N') this.fail(path, `only text (X) and digit (N) fields can be sliced; ${f.name} is ${f.type}`, at);
      if (f.type === 'filler') this.fail(fp, `${f.name} is a filler: its content is never read`, at);
      if (kind === 'date') {
        if (f.type === 'date' && !sliced) {
          if (format !== undefined && format !== 'YYYYMMDD') this.fail([...path, 'format'], `${f.name} is a date field (YYYYMMDD)`, at);
        } else {
          if (format === undefined) this.fail(path, `${f.name} is ${f.type}: say its format (${Object.keys(DATE_FORMATS).join(', ')})`, at);
          if (DATE_FORMATS[format] !== size) this.fail([...path, 'format'], `${format} is ${DATE_FORMATS[format]} bytes, the source is ${size}`, at);
        }
      } else if (name === 'amount' || name === 'fee') {
        if (sliced || !(f.type === 'N' || (f.type === 'amount' && f.scale === 0))) this.fail(path, `${name} is whole won: a whole digits (N) or amount field without scale, not ${f.type}${sliced ? ' sliced' : ''}`, at);
      } else if (kind === 'digits') {
        if (f.type !== 'N' && f.type !== 'X') this.fail(path, `${name} is digits: a digits (N) or text (X) field, not ${f.type}`, at);
      } else if (f.type !== 'X' && f.type !== 'N') this.fail(path, `${name} is text: a text (X) or digits (N) field, not ${f.type}`, at);
      // Sliced fields are composed from their parts when written: a default there must be plain ASCII.
      if (sliced && f.default !== undefined && !/^[\x20-\x7e]*$/.test(f.default)) this.fail(path, `${f.name} is sliced: its default must be ASCII`, at);
      if (sliced && f.value !== undefined) this.fail(path, `${f.name} has a fixed value: nothing can be written in a slice of it`, at);
    }
    return { record, field: fieldName as string, from, length, ...(format ? { format } : {}) };
  }

  private outcome(raw: unknown, path: Path, data: MessageSpec[]): OutcomeSource {
    if (!isRecord(raw)) this.fail(path, 'outcome is a mapping { field, values: { "1": succeeded, "2": failed } }');
    this.onlyKeys(raw, path, ['field', 'values', 'paidAmount']);
    const fields = data.map((m) => this.fieldOf(m, raw['field'], [...path, 'field']));
    for (const f of fields) if (f.type !== 'X' && f.type !== 'N') this.fail([...path, 'field'], `a result flag is text (X) or digits (N), not ${f.type}`, { field: f.name });
    const vp = [...path, 'values'];
    const node = this.doc.getIn(vp, true);
    if (!isMap(node) || node.items.length === 0) this.fail(vp, 'values must map quoted wire values to succeeded or failed');
    const values = new Map<string, 'succeeded' | 'failed'>();
    for (const item of node.items) {
      const key = item.key;
      const keyPath = [...vp, isScalar(key) ? String(key.value) : '?'];
      if (!isScalar(key) || typeof key.value !== 'string') {
        const line = isScalar(key) && key.range ? this.lines.linePos(key.range[0]).line : undefined;
        throw new BankFileSpecError({ file: this.file, path: keyPath.join('.'), ...(line ? { line } : {}) }, `${String(isScalar(key) ? key.value : key)} is not a quoted string: flags must be quoted ("1"), or YAML reads a number`);
      }
      const wire = this.wireValue(key.value, keyPath, Math.min(...fields.map((f) => f.length)), String(raw['field']));
      const v = isScalar(item.value) ? item.value.value : undefined;
      if (v !== 'succeeded' && v !== 'failed') this.fail(keyPath, `maps to succeeded or failed, not ${JSON.stringify(v)}; any value not listed (blank included) is unknown`);
      values.set(wire, v);
    }
    let paidAmount: string | undefined;
    if (raw['paidAmount'] !== undefined) {
      for (const m of data) {
        const f = this.fieldOf(m, raw['paidAmount'], [...path, 'paidAmount']);
        if (!(f.type === 'N' || (f.type === 'amount' && f.scale === 0))) this.fail([...path, 'paidAmount'], `a paid amount is whole won (N or amount without scale), not ${f.type}`, { message: m.name, field: f.name });
      }
      paidAmount = raw['paidAmount'] as string;
    }
    return { field: raw['field'] as string, values, ...(paidAmount ? { paidAmount } : {}) };
  }

  private sequence(raw: unknown, path: Path, data: MessageSpec[]): RecordSequence {
    if (!isRecord(raw)) this.fail(path, 'sequence is a mapping { field, check }');
    this.onlyKeys(raw, path, ['field', 'check']);
    for (const m of data) {
      const f = this.fieldOf(m, raw['field'], [...path, 'field']);
      if (f.type !== 'N') this.fail([...path, 'field'], `a record number is digits (N), not ${f.type}`, { message: m.name, field: f.name });
    }
    const check = raw['check'] ?? false;
    if (typeof check !== 'boolean') this.fail([...path, 'check'], 'check is true or false');
    return { field: raw['field'] as string, check };
  }

  private wireValue(v: unknown, path: Path, length: number, field: string): string {
    if (typeof v === 'number') this.fail(path, `${v} is a number: values must be quoted strings ("${v}"), or leading zeros are lost`);
    if (typeof v !== 'string' || v.length === 0 || !WIRE_VALUE.test(v) || v.length > length) this.fail(path, `must be printable ASCII of 1 to ${length} bytes (the width of ${field})`);
    return v;
  }

  private messageName(v: unknown, path: Path): string {
    if (typeof v !== 'string' || !this.spec.messages.has(v)) this.fail(path, `must name a message (${[...this.spec.messages.keys()].join(', ')}), not ${JSON.stringify(v)}`);
    return v;
  }

  private fieldOf(m: MessageSpec, name: unknown, path: Path): FieldSpec {
    const f = typeof name === 'string' ? m.layout.find((x) => x.name === name) : undefined;
    if (!f) this.fail(path, `${JSON.stringify(name)} is not a field of ${m.name}`, { message: m.name });
    return f;
  }

  private positiveInt(v: unknown, path: Path): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) this.fail(path, v === undefined ? 'is required' : `must be a positive integer, not ${JSON.stringify(v)}`);
    return v;
  }

  private nonNegativeInt(v: unknown, path: Path): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) this.fail(path, `must be an integer from 0, not ${JSON.stringify(v)}`);
    return v;
  }

  private onlyKeys(obj: Record<string, unknown>, path: Path, allowed: string[]): void {
    for (const k of Object.keys(obj)) if (!allowed.includes(k)) this.fail([...path, k], `unknown key "${k}" (allowed: ${allowed.join(', ')})`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
