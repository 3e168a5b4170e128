import type { Fields } from '../codec/values.js';
import type { BankFileSpec, RecordRole } from './bank-file-spec.js';
import type { BankRecord } from './bank-record.js';
import { BankFileError } from './bank-file-error.js';
import { compiledFile } from './compiled-file.js';
import { RecordFault } from './record-bytes.js';
import { headerContext } from './mapping-source.js';
import { decodeFault, faultError, scanBankFile, type BankFileSource, type ReadBankFileOptions } from './scan-bank-file.js';

export type { BankFileSource, ReadBankFileOptions } from './scan-bank-file.js';

/** One record of a bank file, every field decoded by the spec's codec. */
export interface BankFileRecord {
  /** 1-based (the header is 1). */
  readonly recordNo: number;
  readonly role: RecordRole;
  /** The spec's message name. */
  readonly message: string;
  readonly fields: Fields;
}

/**
 * Reads a bank file record by record: header, data records, trailer, each with all its fields. Streams
 * (memory does not depend on the file's size). Throws {@link BankFileError} at the first fault, naming the
 * record and byte; when the iteration ends normally, the trailer's totals have been checked and nothing
 * follows it. Stopping early (break) closes the file.
 */
export function readBankFile(source: BankFileSource, spec: BankFileSpec, opts: ReadBankFileOptions = {}): AsyncIterableIterator<BankFileRecord> {
  const c = compiledFile(spec);
  const L = spec.layout.recordLength;
  return scanBankFile(source, spec, opts, (role, m, b, base, recordNo) => ({
    recordNo,
    role,
    message: c.messages[m]!.name,
    // Already validated: this decode cannot fail, it only builds the values.
    fields: spec.codec.decode(b.subarray(base, base + L)).fields,
  }));
}

/**
 * Reads the data records of a bank file as canonical {@link BankRecord}s, through the spec's `records:`
 * mapping: only the mapped fields are built (every field's bytes are still checked). Same streaming and
 * the same checks as {@link readBankFile}: a normal end means the trailer agreed with the records.
 */
export function readBankRecords(source: BankFileSource, spec: BankFileSpec, opts: ReadBankFileOptions = {}): AsyncIterableIterator<BankRecord> {
  const mappings = compiledFile(spec).mappings;
  return scanBankFile(source, spec, opts, (role, m, b, base, recordNo, header) => (role === 'data' ? mappings[m - 2]!.read(b, base, recordNo, header) : undefined));
}

/**
 * One data record's bytes (no line ending) as a canonical record, outside any file: for tests and tools.
 * `fileDate` (and a header-borne `sendDate`) stand in for the header; `recordNo` (default 2) names the
 * record. Throws {@link BankFileError} as the readers do.
 */
export function decodeBankRecord(spec: BankFileSpec, bytes: Uint8Array, opts: { fileDate?: string | null; sendDate?: string | null; recordNo?: number; name?: string } = {}): BankRecord {
  const c = compiledFile(spec);
  const file = opts.name ?? '<record>';
  const recordNo = opts.recordNo ?? 2;
  const m = bytes.length === spec.layout.recordLength ? c.identify(bytes, 0) : -1;
  if (m < 2) {
    const what = bytes.length !== spec.layout.recordLength ? `${bytes.length} bytes, records are ${spec.layout.recordLength}` : m < 0 ? 'an unknown record type' : `a ${c.roles[m]} record`;
    throw new BankFileError('FB_FILE_INVALID', `not a data record: ${what}`, { file, recordNo, byteOffset: 0 });
  }
  if (!c.validators[m]!(bytes, 0, false)) throw decodeFault(c, file, 0, bytes, 0, recordNo, m);
  try {
    return c.mappings[m - 2]!.read(bytes, 0, recordNo, headerContext(opts.fileDate ?? null, opts.sendDate ?? null));
  } catch (e) {
    if (e instanceof RecordFault) throw faultError(c, file, 0, bytes, 0, recordNo, m, e);
    throw e;
  }
}
