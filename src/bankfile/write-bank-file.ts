import { randomBytes } from 'node:crypto';
import { close, fsync, open, rename, write } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { EncodeError } from '../codec/encode-error.js';
import type { FieldInput } from '../codec/values.js';
import { openPrivateFile } from '../files/private-files.js';
import { BankFileError } from './bank-file-error.js';
import type { BankFileSpec } from './bank-file-spec.js';
import type { BankRecordInput } from './bank-record.js';
import { compiledFile, type CompiledFile } from './compiled-file.js';
import { RecordFault } from './record-bytes.js';
import { headerContext, NO_HEADER, type HeaderContext } from './mapping-source.js';
import { TrailerTally } from './trailer-tally.js';

const writeP = promisify(write);
const fsyncP = promisify(fsync);
const closeP = promisify(close);
const renameP = promisify(rename);
const openP = promisify(open);

/** What goes into a bank file besides its data records. */
export interface BankFileContent {
  /** Header fields by spec name (company code, accounts …), as the codec takes them. */
  readonly header: Readonly<Record<string, FieldInput>>;
  /** The file date, YYYY-MM-DD, written where the spec's `records.fileDate` says (instead of giving that field raw). */
  readonly fileDate?: string;
  /** A send date for every record, YYYY-MM-DD, when the spec takes `sendDate` from the header. */
  readonly sendDate?: string;
  readonly records: Iterable<BankRecordInput> | AsyncIterable<BankRecordInput>;
  /** Trailer fields that no check computes (a 복기부호, a MAC); the checked totals are the writer's. */
  readonly trailer?: Readonly<Record<string, FieldInput>>;
}

export interface WrittenBankFile {
  readonly path: string;
  readonly dataRecords: number;
  readonly bytes: number;
}

const FLUSH_AT = 1 << 20;

/**
 * Writes a bank file: the header, the records (streamed from an iterable or async iterable: the file is
 * never held in memory), and a trailer whose checked totals the writer computes from the bytes it wrote —
 * the same code that checks them when reading. Written to a temp file (mode 0600) beside `path`, fsynced,
 * then renamed over it: `path` holds either the old content or the whole new file, never half of one. On
 * any failure the temp file is removed and the error is thrown ({@link BankFileError} `FB_FILE_UNWRITABLE`
 * naming the record and field for a value that cannot be written).
 */
export async function writeBankFile(path: string, spec: BankFileSpec, content: BankFileContent): Promise<WrittenBankFile> {
  const encoder = new BankFileEncoder(spec, path);
  const ending = Buffer.from(spec.layout.lineEnding === 'lf' ? '\n' : spec.layout.lineEnding === 'none' ? '' : '\r\n', 'latin1');
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined = openPrivateFile(tmp, 'wx');
  const out = Buffer.allocUnsafe(FLUSH_AT + spec.layout.recordLength + ending.length);
  let used = 0;
  let bytes = 0;
  const flush = async () => {
    let done = 0;
    while (done < used) done += (await writeP(fd!, out, done, used - done)).bytesWritten;
    bytes += used;
    used = 0;
  };
  /** Appends a record and its line ending; true when the buffer is due to be written out. */
  const put = (record: Buffer): boolean => {
    out.set(record, used);
    used += record.length;
    out.set(ending, used);
    used += ending.length;
    return used >= FLUSH_AT;
  };
  try {
    put(encoder.header(content));
    const records = content.records;
    // A plain iterable is walked without an await per record (an await each costs more than the encoding).
    if (Symbol.asyncIterator in records) {
      for await (const r of records) if (put(encoder.data(r))) await flush();
    } else {
      for (const r of records) if (put(encoder.data(r))) await flush();
    }
    put(encoder.trailer(content.trailer ?? {}));
    await flush();
    await fsyncP(fd);
    await closeP(fd);
    fd = undefined;
    await renameP(tmp, path);
    await syncDir(dirname(path));
    return { path, dataRecords: encoder.dataRecords, bytes };
  } catch (e) {
    if (fd !== undefined) await closeP(fd).catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}

/**
 * One data record's bytes (no line ending) from a canonical record: for tests and tools. `fileDate` gives
 * MMDD dates their year; `recordNo` (default 2, the first data record) names the record in errors and
 * numbers it when the spec has a `sequence`.
 */
export function encodeBankRecord(spec: BankFileSpec, record: BankRecordInput, opts: { fileDate?: string | null; sendDate?: string | null; recordNo?: number } = {}): Buffer {
  const encoder = new BankFileEncoder(spec, '<record>');
  return encoder.data(record, headerContext(opts.fileDate ?? null, opts.sendDate ?? null), opts.recordNo ?? 2);
}

/** Encodes the records of one file in order, counting the trailer's totals as it goes. */
class BankFileEncoder {
  private readonly c: CompiledFile;
  private readonly tally: TrailerTally;
  private context: HeaderContext = NO_HEADER;
  private recordNo = 0;

  constructor(
    private readonly spec: BankFileSpec,
    private readonly file: string,
  ) {
    this.c = compiledFile(spec);
    this.tally = new TrailerTally(spec.layout, this.c.messages.slice(2));
  }

  get dataRecords(): number {
    return this.tally.dataRecords;
  }

  header(content: BankFileContent): Buffer {
    this.recordNo = 1;
    const mapped = this.c.header.toFields(content.fileDate ?? null, content.sendDate ?? null);
    for (const name of Object.keys(mapped)) {
      if (content.header[name] !== undefined) this.fail(`${name} carries the file's date: give it as fileDate or in the header, not both`, name);
    }
    const bytes = this.encode(this.spec.layout.header, { ...content.header, ...mapped });
    // What the file will say, read back from the bytes (a date given raw in the header counts too).
    this.context = this.wrap(() => this.c.header.read(bytes, 0));
    const map = this.spec.layout.records;
    if (content.sendDate !== undefined && map.sendDate?.record === 'header' && this.context.sendDate !== content.sendDate) {
      this.fail(`the header carries one send date, ${this.context.sendDate ?? 'none'}; ${content.sendDate} cannot be written too`, map.sendDate.field);
    }
    if (content.sendDate !== undefined && map.sendDate?.record !== 'header') this.fail('this file carries send dates in its records, not in its header: give them per record');
    return bytes;
  }

  data(r: BankRecordInput, context: HeaderContext = this.context, recordNo = ++this.recordNo): Buffer {
    this.recordNo = recordNo;
    const name = r.message ?? this.spec.layout.data[0]!;
    const d = this.spec.layout.data.indexOf(name);
    if (d < 0) this.fail(`${name} is not a data message (${this.spec.layout.data.join(', ')})`);
    const map = this.spec.layout.records;
    if (r.fileDate != null && r.fileDate !== context.fileDate) this.fail(`the record's file date ${r.fileDate} is not the header's (${context.fileDate ?? 'none'})`, map.fileDate?.field);
    if (map.sendDate?.record === 'header' && r.sendDate != null && r.sendDate !== context.sendDate) {
      this.fail(`the file carries one send date, in its header (${context.sendDate ?? 'none'}): this record's ${r.sendDate} cannot be written`, map.sendDate.field);
    }
    const mapping = this.c.mappings[d]!;
    const values = this.wrap(() => mapping.toFields(r, context));
    for (const [k, v] of Object.entries(r.fields ?? {})) {
      if (mapping.mappedFields.has(k)) this.fail(`${k} is written from the record's canonical values: do not give it in fields`, k);
      values[k] = v;
    }
    const seq = this.spec.layout.sequence;
    if (seq && values[seq.field] === undefined) values[seq.field] = String(this.tally.dataRecords + 1);
    const bytes = this.encode(name, values);
    this.wrap(() => this.tally.add(d, bytes, 0));
    return bytes;
  }

  trailer(extra: Readonly<Record<string, FieldInput>>): Buffer {
    this.recordNo++;
    const values: Record<string, FieldInput> = { ...extra };
    for (const [field, { value }] of this.tally.totals()) {
      if (extra[field] !== undefined) this.fail(`${field} is a checked total: the writer computes it`, field);
      values[field] = value.toString();
    }
    return this.encode(this.spec.layout.trailer, values);
  }

  private encode(message: string, values: Record<string, FieldInput>): Buffer {
    try {
      return this.spec.codec.encode(message, values);
    } catch (e) {
      if (e instanceof EncodeError) this.fail(e.message, e.field);
      throw e;
    }
  }

  private wrap<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof RecordFault) this.fail(e.detail, e.field);
      throw e;
    }
  }

  private fail(reason: string, field?: string): never {
    throw new BankFileError('FB_FILE_UNWRITABLE', reason, { file: this.file, recordNo: this.recordNo, byteOffset: null, ...(field ? { field } : {}) });
  }
}

/** The rename is durable once the folder is synced; some systems cannot sync a folder, which is not an error. */
async function syncDir(dir: string): Promise<void> {
  let fd: number | undefined;
  try {
    fd = await openP(dir, 'r');
    await fsyncP(fd);
  } catch {
    // EISDIR / EPERM / EINVAL on systems that do not fsync directories.
  } finally {
    if (fd !== undefined) await closeP(fd).catch(() => undefined);
  }
}
