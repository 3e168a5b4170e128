import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BankFileError } from '../src/bankfile/bank-file-error.js';
import { BankFileSpecError } from '../src/bankfile/bank-file-spec-error.js';
import type { BankFileSpec } from '../src/bankfile/bank-file-spec.js';
import type { BankOutcome, BankRecord, BankRecordInput } from '../src/bankfile/bank-record.js';
import { loadBankFileSpec, parseBankFileSpec } from '../src/bankfile/load-bank-file-spec.js';
import { decodeBankRecord, readBankFile, readBankRecords } from '../src/bankfile/read-bank-file.js';
import { canonicalWidth } from '../src/bankfile/mapping-source.js';
import { encodeBankRecord, writeBankFile } from '../src/bankfile/write-bank-file.js';
import type { Fields } from '../src/codec/values.js';
import { projectRoot } from '../src/paths.js';
import { writeSimDayFile, type SimDayTransfer } from '../src/sim/day-file.js';
import { SpecError } from '../src/spec/spec-error.js';

const SPECS = join(projectRoot(), 'specs/files');
const FIXTURES = join(projectRoot(), 'test/fixtures/bank-files');
const spec = (name: string): BankFileSpec => loadBankFileSpec(join(SPECS, name));
const kb = spec('kb-cash.yaml');
const ibk = spec('ibk-cash.yaml');
const woori = spec('woori-cash.yaml');
const hana = spec('hana-cash.yaml');
const eb21 = spec('kftc-eb21.yaml');
const eb22 = spec('kftc-eb22.yaml');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bank-file-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;
const tmp = (name = 'f') => join(dir, `${name}-${++fileNo}.dat`);

/**
 * A record as the reference documents print it: spaces, with each text at its position. `base` 1 for the
 * LG CNS document (its "Pos (1-based)" column), 0 for the KFTC document (its 0-based "Offset" column).
 */
function bytesAt(length: number, base: 0 | 1, parts: [number, string | Buffer][]): Buffer {
  const b = Buffer.alloc(length, 0x20);
  for (const [pos, text] of parts) (typeof text === 'string' ? Buffer.from(text, 'latin1') : text).copy(b, pos - base);
  return b;
}

/** Decoded fields with amounts as strings, to compare with literals. */
function plain(fields: Fields): Record<string, string | null> {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v instanceof Decimal ? v.toString() : v]));
}

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function readError(source: string | NodeJS.ReadableStream | Buffer, s: BankFileSpec): Promise<BankFileError> {
  try {
    await all(readBankRecords(Buffer.isBuffer(source) ? Readable.from([source]) : source, s, { name: 'bad.dat' }));
  } catch (e) {
    expect(e).toBeInstanceOf(BankFileError);
    return e as BankFileError;
  }
  throw new Error('expected the read to fail');
}

function canonical(r: Partial<BankRecord> & Pick<BankRecord, 'amount'>): BankRecord {
  return { recordNo: 2, sendDate: null, seqNo: null, bankTxId: null, bankCode: null, account: null, fee: null, outcome: 'unknown', code: null, fileDate: null, ...r };
}

describe('shipped bank-file specs', () => {
  it('every spec in specs/files loads', () => {
    const files = readdirSync(SPECS).filter((f) => f.endsWith('.yaml'));
    expect(files.sort()).toEqual(['hana-cash.yaml', 'ibk-cash.yaml', 'kb-cash.yaml', 'kftc-eb21.yaml', 'kftc-eb22.yaml', 'woori-cash.yaml']);
    for (const f of files) expect(spec(f).layout.recordLength).toBeGreaterThan(0);
  });

  // Each record below is written from the reference document's table (the as-written layout), not from
  // our spec: the spec must decode it to the fields the document names, and encode them back byte for byte.
  const cases: { name: string; spec: () => BankFileSpec; bytes: () => Buffer; fields: Record<string, string | null>; canonical: BankRecord; fileDate: string; sendDate?: string; extra?: BankRecordInput['fields'] }[] = [
    {
      name: 'KB 국민 data record D (lgcns §6.4.2)',
      spec: () => kb,
      // pos 1 D, 2–6 일련번호, 7–8 입금은행, 9–22 계좌, 23–32 의뢰금액, 33 이체결과, 34–37 결과코드, 38–47 실제이체금액, 48–57 업체사용정보
      bytes: () => bytesAt(80, 1, [[1, 'D'], [2, '00001'], [7, '04'], [9, '110123456789'], [23, '0000012000'], [33, 'Y'], [34, '0000'], [38, '0000012000'], [48, '1124000123']]),
      fields: { recordType: 'D', dataSeq: '00001', bankCode: '04', account: '110123456789', amount: '12000', resultFlag: 'Y', resultCode: '0000', paidAmount: '12000', companyUse: '1124000123', passbookMemo: '', passbookMemoType: '' },
      canonical: canonical({ sendDate: '2026-11-24', seqNo: '000123', bankCode: '04', account: '110123456789', amount: '12000', outcome: 'succeeded', code: '0000', fileDate: '2026-11-24' }),
      fileDate: '2026-11-24',
    },
    {
      name: 'IBK 기업 data record 22 (lgcns §6.3.2, as written)',
      spec: () => ibk,
      // pos 1–2 22, 3–4 입금은행, 5–6 82, 7–12 일련번호, 13–26 계좌, 27–37 의뢰금액 (11), 38–71 업체사용정보 (34), 72 처리구분, 73–76 불능코드
      bytes: () => bytesAt(80, 1, [[1, '22'], [3, '88'], [5, '82'], [7, '000001'], [13, '110987654321'], [27, '00000005000'], [38, '1123000124'], [72, '2'], [73, '0122']]),
      fields: { recordType: '22', bankCode: '88', businessCode: '82', dataSeq: '000001', account: '110987654321', amount: '5000', companyUse: '1123000124', resultFlag: '2', resultCode: '0122', fundType: '' },
      canonical: canonical({ sendDate: '2026-11-23', seqNo: '000124', bankCode: '88', account: '110987654321', amount: '5000', outcome: 'failed', code: '0122', fileDate: '2026-11-24' }),
      fileDate: '2026-11-24',
    },
    {
      name: 'Woori 우리 data record D (lgcns §6.5.2, as written)',
      spec: () => woori,
      // pos 1 D, 2–3 입금은행, 4–18 계좌 (15), 19–20 거래구분 40, 21–31 이체금액, 34 처리여부, 35–38 불능코드, 49–72 업체사용영역, 73–76 일련번호
      bytes: () => bytesAt(80, 1, [[1, 'D'], [2, '20'], [4, '1002003004005'], [19, '40'], [21, '00000012000'], [34, 'N'], [35, '0133'], [49, '1231000001'], [73, '0001']]),
      fields: { recordType: 'D', bankCode: '20', account: '1002003004005', transactionType: '40', amount: '12000', resultFlag: 'N', resultCode: '0133', unpaidAmount: null, companyUse: '1231000001', dataSeq: '0001' },
      // A 1231 reference in a file of 2027-01-01 is the day before, in 2026.
      canonical: canonical({ sendDate: '2026-12-31', seqNo: '000001', bankCode: '20', account: '1002003004005', amount: '12000', outcome: 'failed', code: '0133', fileDate: '2027-01-01' }),
      fileDate: '2027-01-01',
    },
    {
      name: 'Hana 하나 data record D (lgcns §6.6.2)',
      spec: () => hana,
      // pos 1 D, 2–8 일련번호, 9–10 입금은행, 11–24 계좌, 25–35 의뢰금액, 36–46 실제이체금액, 47–59 주민/사업자번호, 60 처리결과, 61–64 불능코드, 65–76 적요
      bytes: () => bytesAt(80, 1, [[1, 'D'], [2, '0000001'], [9, '81'], [11, '22233344455'], [25, '00000070000'], [36, '00000070000'], [60, 'Y'], [61, '0000'], [65, 'RENT NOV']]),
      fields: { recordType: 'D', dataSeq: '0000001', bankCode: '81', account: '22233344455', amount: '70000', paidAmount: '70000', payeeId: '', resultFlag: 'Y', resultCode: '0000', memo: 'RENT NOV' },
      canonical: canonical({ sendDate: '2026-11-24', bankCode: '81', account: '22233344455', amount: '70000', outcome: 'succeeded', code: '0000', fileDate: '2026-11-24' }),
      fileDate: '2026-11-24',
      sendDate: '2026-11-24',
      extra: { memo: 'RENT NOV' },
    },
    {
      name: 'KFTC EB22 data record R (kftc §5.2, §6.2; 출금여부 @68)',
      spec: () => eb22,
      // offset 0 R, 1–8 일련번호, 9–18 기관코드, 19–25 은행점코드, 26–41 계좌, 42–54 금액, 55–67 생년월일, 68 출금여부, 69–72 불능코드,
      // 73–88 통장기재내용 (Hangul), 89–90 자금종류, 91–110 납부자번호, 111–115 이용기관 사용영역, 116 출금형태, 117–128 전화번호
      bytes: () =>
        bytesAt(150, 0, [[0, 'R'], [1, '00000007'], [9, '9993083157'], [19, '0040000'], [26, '110123456789'], [42, '0000000050000'], [55, '900101'], [68, 'N'], [69, '0021'],
          [73, Buffer.from('b8c5c0cfb0e6c1a6', 'hex')], [91, '00012345678'], [111, '00003'], [116, '1'], [117, '01012345678']]),
      fields: { recordType: 'R', serialNo: '00000007', institutionCode: '9993083157', bankBranch: '0040000', account: '110123456789', amount: '50000', payerId: '900101', resultFlag: 'N', resultCode: '0021', passbookText: '매일경제', fundType: '', payerNo: '00012345678', institutionUse: '00003', withdrawType: '1', phone: '01012345678' },
      canonical: canonical({ sendDate: '2026-11-25', bankCode: '004', account: '110123456789', amount: '50000', outcome: 'failed', code: '0021', fileDate: '2026-11-25' }),
      fileDate: '2026-11-25',
      sendDate: '2026-11-25',
      extra: { serialNo: '00000007', institutionCode: '9993083157', payerId: '900101', passbookText: '매일경제', payerNo: '00012345678', institutionUse: '00003', phone: '01012345678' },
    },
    {
      name: 'KFTC EB21 data record R (kftc §5.2)',
      spec: () => eb21,
      bytes: () => bytesAt(150, 0, [[0, 'R'], [1, '00000001'], [9, '9993083157'], [19, '0880000'], [26, '110987654321'], [42, '0000000012000'], [55, '1208147521'], [91, 'A-0001'], [116, '1']]),
      fields: { recordType: 'R', serialNo: '00000001', institutionCode: '9993083157', bankBranch: '0880000', account: '110987654321', amount: '12000', payerId: '1208147521', resultFlag: '', resultCode: '', passbookText: '', fundType: '', payerNo: 'A-0001', institutionUse: '', withdrawType: '1', phone: '' },
      canonical: canonical({ sendDate: '2026-11-26', bankCode: '088', account: '110987654321', amount: '12000', fileDate: '2026-11-26' }),
      fileDate: '2026-11-26',
      sendDate: '2026-11-26',
      extra: { institutionCode: '9993083157', payerId: '1208147521', payerNo: 'A-0001' },
    },
  ];

  it.each(cases)('$name decodes to the document\'s fields and re-encodes byte for byte', (c) => {
    const s = c.spec();
    const bytes = c.bytes();
    const decoded = s.codec.decode(bytes);
    expect(plain(decoded.fields)).toEqual(c.fields);
    expect(s.codec.encode(decoded.message, decoded.fields).equals(bytes)).toBe(true);
    // The canonical mapping, both ways.
    const opts = { fileDate: c.fileDate, ...(c.sendDate ? { sendDate: c.sendDate } : {}) };
    const record = decodeBankRecord(s, bytes, opts);
    expect(record).toEqual(c.canonical);
    expect(encodeBankRecord(s, { ...record, ...(c.extra ? { fields: c.extra } : {}) }, opts).toString('hex')).toBe(bytes.toString('hex'));
  });

  it('reads a whole KB result file written by hand from the document (header S, data D, trailer E with data + 2)', async () => {
    const header = bytesAt(80, 1, [[1, 'S'], [2, 'C2'], [4, '04'], [6, 'FIRM0001'], [20, '261124'], [32, 'PASSWORD'], [40, '12345678901234']]);
    const data = cases[0]!.bytes();
    const trailer = bytesAt(80, 1, [[1, 'E'], [2, '0000003'], [9, '0000001'], [16, '0000000012000'], [29, '0000001'], [36, '0000000012000'], [49, '0000000'], [56, '0000000000000']]);
    const path = tmp('kb-hand');
    writeFileSync(path, Buffer.concat([header, Buffer.from('\r\n'), data, Buffer.from('\r\n'), trailer, Buffer.from('\r\n')]));
    expect(await all(readBankRecords(path, kb))).toEqual([cases[0]!.canonical]);
    const records = await all(readBankFile(path, kb));
    expect(records.map((r) => [r.recordNo, r.role, r.message])).toEqual([[1, 'header', 'header'], [2, 'data', 'data'], [3, 'trailer', 'trailer']]);
    expect(plain(records[0]!.fields)).toMatchObject({ companyCode: 'FIRM0001', payDate: '261124', withdrawAccount: '12345678901234' });
    expect(plain(records[2]!.fields)).toMatchObject({ totalRecords: '0000003', requestCount: '0000001', requestAmount: '12000', successAmount: '12000', failCount: '0000000' });
  });

  it('reads a whole EB22 file written by hand from the document: 150-byte records, no line breaks', async () => {
    const header = bytesAt(150, 0, [[0, 'H'], [1, '00000000'], [9, '9993083157'], [19, 'EB221125'], [27, '261125'], [33, '0880000'], [40, '1002003004005']]);
    const trailer = bytesAt(150, 0, [[0, 'T'], [1, '99999999'], [9, '9993083157'], [19, 'EB221125'], [27, '00000001'], [35, '00000001'], [43, '0000000050000'], [56, '00000000'], [64, '0000000000000'], [77, '00000000'], [85, '0000'], [89, '00000000120'], [100, '00000000000']]);
    const path = tmp('eb22-hand');
    writeFileSync(path, Buffer.concat([header, cases[4]!.bytes(), trailer]));
    expect(await all(readBankRecords(path, eb22))).toEqual([cases[4]!.canonical]);
    const t = (await all(readBankFile(path, eb22)))[2]!;
    expect(plain(t.fields)).toMatchObject({ dataRecords: '00000001', fullFailCount: '00000001', fullFailAmount: '50000', debitBankFee: '120' });
  });

  it('reads the EB22 fixture on disk (H + one R + T)', async () => {
    const records = await all(readBankRecords(join(FIXTURES, 'eb22-one-failure.dat'), eb22));
    expect(records).toEqual([cases[4]!.canonical]);
  });
});

describe('bank-file spec errors', () => {
  const base = (file: string, extra = '') => `institution: test-file
encoding: euc-kr
framing: { kind: fixed }
${extra}messages:
  head:
    key: { recordType: "H" }
    length: 20
    fields:
      - { name: recordType, type: X, length: 1 }
      - { name: fileDate, type: date, length: 8 }
      - { name: spare, type: filler, length: 11 }
  item:
    key: { recordType: "D" }
    length: 20
    fields:
      - { name: recordType, type: X, length: 1 }
      - { name: amount, type: amount, length: 10 }
      - { name: flag, type: X, length: 1 }
      - { name: ref, type: X, length: 8 }
  tail:
    key: { recordType: "T" }
    length: 20
    fields:
      - { name: recordType, type: X, length: 1 }
      - { name: count, type: N, length: 6 }
      - { name: total, type: amount, length: 13 }
file:
${file}`;
  const ok = `  recordLength: 20
  lineEnding: lf
  header: head
  data: [item]
  trailer: tail
  checks:
    - { field: count, count: data }
    - { field: total, sum: amount }
  records:
    amount: { field: amount }
    seqNo: { field: ref, from: 4, length: 4 }
    sendDate: { field: ref, from: 0, length: 4, format: MMDD }
    outcome: { field: flag, values: { "1": succeeded, "2": failed } }
    fileDate: { header: fileDate }
`;
  const fileLine = 27; // the line of `file:` in base()

  function specError(text: string): BankFileSpecError {
    try {
      parseBankFileSpec(text, 'test.yaml');
    } catch (e) {
      expect(e).toBeInstanceOf(BankFileSpecError);
      return e as BankFileSpecError;
    }
    throw new Error('expected a BankFileSpecError');
  }

  it('loads the good one, and it round-trips', async () => {
    const s = parseBankFileSpec(base(ok), 'test.yaml');
    const path = tmp('small');
    await writeBankFile(path, s, { header: {}, fileDate: '2026-11-24', records: [{ amount: '5', seqNo: '0042', sendDate: '2026-11-20', outcome: 'failed' }] });
    expect(readFileSync(path, 'latin1')).toBe('H20261124           \nD0000000005211200042\nT0000010000000000005\n');
    expect(await all(readBankRecords(path, s))).toEqual([canonical({ amount: '5', seqNo: '0042', sendDate: '2026-11-20', outcome: 'failed', fileDate: '2026-11-24' })]);
  });

  it.each([
    ['a record length no message has', ok.replace('recordLength: 20', 'recordLength: 80'), /every record is 80 bytes, but message head is 20/, 1],
    ['an unknown key', ok.replace('lineEnding: lf', 'lineEnding: lf\n  lineEndings: crlf'), /unknown key "lineEndings"/, 3],
    ['an unknown line ending', ok.replace('lineEnding: lf', 'lineEnding: cr'), /must be one of none, lf, crlf, any/, 2],
    ['a check on a field the trailer lacks', ok.replace('field: total,', 'field: totl,'), /"totl" is not a field of tail/, 8],
    ['a check with count and sum', ok.replace('count: data }', 'count: data, sum: amount }'), /exactly one of count/, 7],
    ['a filter value that YAML reads as a number', ok.replace('count: data }', 'count: data, where: { flag: [1] } }'), /1 is a number: values must be quoted/, 7],
    ['a flag value YAML reads as a number', ok.replace('"1": succeeded', '1: succeeded'), /1 is not a quoted string/, 13],
    ['a flag mapped to something else', ok.replace('"2": failed', '"2": lost'), /maps to succeeded or failed/, 13],
    ['a slice that does not fit its field', ok.replace('from: 4, length: 4', 'from: 6, length: 4'), /bytes 6\+4 do not fit ref \(8 bytes\)/, 11],
    ['an MMDD date without a file date', ok.replace('    fileDate: { header: fileDate }\n', ''), /an MMDD date takes its year from the file date/, 12],
    ['a date format of the wrong width', ok.replace('length: 4, format: MMDD', 'length: 4, format: YYMMDD'), /YYMMDD is 6 bytes, the source is 4/, 12],
    ['a file date from a data record', ok.replace('fileDate: { header: fileDate }', 'fileDate: { field: ref, format: YYYYMMDD }'), /the file date is the header's/, 14],
    ['a mapping without an amount', ok.replace('    amount: { field: amount }\n', ''), /is required: every data record has an amount/, 10],
    ['a message without a role', ok.replace('data: [item]', 'data: []'), /data must name one or more data messages/, 4],
  ])('refuses %s, naming file, line and reason', (_what, file, reason, line) => {
    const e = specError(base(file));
    expect(e.code).toBe('FB_FILE_SPEC_INVALID');
    expect(e.message).toMatch(reason);
    expect(e.message).toContain('test.yaml');
    expect(e.location.line).toBe(fileLine + line);
  });

  it('refuses a spec without a file section, and one whose framing is not fixed', () => {
    expect(specError(base(ok).replace(/file:\n[\s\S]*$/, '')).message).toMatch(/file: is required/);
    expect(specError(base(ok).replace('{ kind: fixed }', '{ kind: length-prefix, digits: 4 }')).message).toMatch(/framing must be \{ kind: fixed \}/);
  });

  it('still reports errors of the record layouts as SpecError at the right line, with file: first', () => {
    const text = base(ok);
    const fileFirst = text.replace(/file:\n[\s\S]*$/, '').replace('institution: test-file\n', `institution: test-file\nfile:\n${ok}`);
    expect(() => parseBankFileSpec(fileFirst, 'test.yaml')).not.toThrow();
    const broken = fileFirst.replace('type: amount, length: 10', 'type: money, length: 10');
    const lines = broken.split('\n');
    const expected = lines.findIndex((l) => l.includes('type: money')) + 1;
    try {
      parseBankFileSpec(broken, 'test.yaml');
      throw new Error('expected a SpecError');
    } catch (e) {
      expect(e).toBeInstanceOf(SpecError);
      expect((e as SpecError).location.line).toBe(expected);
      expect((e as SpecError).message).toMatch(/unknown type "money"/);
    }
  });
});

/** Per result spec: random canonical records that its file can carry, and what reading must give back. */
function recordsArb(s: BankFileSpec, fileDate: string) {
  const map = s.layout.records;
  const width = (name: 'bankCode' | 'account') => canonicalWidth(s.layout, s.telegram.messages, name)!;
  const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
  const outcomes: BankOutcome[] = map.outcome ? ['succeeded', 'failed', 'unknown'] : ['unknown'];
  const day = Date.parse(`${fileDate}T00:00:00Z`);
  const one = fc.record({
    seqNo: map.seqNo ? digits(6, 6) : fc.constant(null),
    // MMDD dates reach back at most a year before the file date.
    daysBefore: fc.nat(360),
    bankCode: digits(width('bankCode'), width('bankCode')),
    account: digits(6, Math.min(14, width('account'))),
    amount: fc.bigInt({ min: 0n, max: 999_999_999n }).map(String),
    outcome: fc.constantFrom(...outcomes),
    code: fc.option(fc.string({ unit: fc.constantFrom(...'0123456789AZ'), minLength: 4, maxLength: 4 }), { nil: null }),
  });
  return fc.array(one, { minLength: 1, maxLength: 12 }).map((rs) =>
    rs.map((r, i) => {
      const sendDate = map.sendDate?.record === 'data' ? new Date(day - r.daysBefore * 86_400_000).toISOString().slice(0, 10) : map.sendDate ? fileDate : null;
      const expected = canonical({ recordNo: i + 2, sendDate, seqNo: r.seqNo, bankCode: r.bankCode, account: r.account, amount: r.amount, outcome: r.outcome, code: map.code ? r.code : null, fileDate });
      return { input: { sendDate, seqNo: r.seqNo, bankCode: r.bankCode, account: r.account, amount: r.amount, outcome: r.outcome, code: r.code } as BankRecordInput, expected };
    }),
  );
}

/** A stream of the file's bytes in chunks of the given sizes (cycled): records straddle chunk boundaries. */
function chunked(bytes: Buffer, sizes: number[]): Readable {
  const parts: Buffer[] = [];
  for (let p = 0, i = 0; p < bytes.length; i++) {
    const n = sizes[i % sizes.length]!;
    parts.push(bytes.subarray(p, p + n));
    p += n;
  }
  return Readable.from(parts, { objectMode: false });
}

describe('write → read, as a property', () => {
  const results: [string, BankFileSpec][] = [['kb', kb], ['ibk', ibk], ['woori', woori], ['hana', hana], ['eb22', eb22]];

  it.each(results)('%s: random records read back as written, in any chunking; a flipped amount digit or a dropped record fails at the trailer', async (_name, s) => {
    const fileDate = '2026-03-01';
    const L = s.layout.recordLength;
    const ending = s.layout.lineEnding === 'none' ? 0 : s.layout.lineEnding === 'lf' ? 1 : 2;
    const amount = s.telegram.messages.get(s.layout.data[0]!)!.layout.find((f) => f.name === s.layout.records.amount.field)!;
    await fc.assert(
      fc.asyncProperty(recordsArb(s, fileDate), fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 5 }), fc.nat(), fc.nat(), fc.nat(), async (records, sizes, pick, digit, bump) => {
        const path = tmp('prop');
        await writeBankFile(path, s, { header: {}, fileDate, records: records.map((r) => r.input) });
        const expected = records.map((r) => r.expected);
        expect(await all(readBankRecords(path, s))).toEqual(expected);
        const bytes = readFileSync(path);
        expect(await all(readBankRecords(chunked(bytes, sizes), s))).toEqual(expected);

        const n = records.length;
        const i = pick % n;
        const at = (1 + i) * (L + ending) + amount.offset + (digit % amount.length);
        const flipped = Buffer.from(bytes);
        flipped[at] = 0x30 + ((flipped[at]! - 0x30 + 1 + (bump % 9)) % 10);
        const e1 = await readError(flipped, s);
        expect([e1.code, e1.recordNo]).toEqual(['FB_FILE_INVALID', n + 2]);
        expect(e1.message).toMatch(/the trailer's \w+ says \d+, but the file holds \d+/);

        const dropped = Buffer.concat([bytes.subarray(0, (1 + i) * (L + ending)), bytes.subarray((2 + i) * (L + ending))]);
        const e2 = await readError(dropped, s);
        expect([e2.code, e2.recordNo]).toEqual(['FB_FILE_INVALID', n + 1]);
        expect(e2.message).toMatch(/trailer/);
      }),
      { numRuns: 25 },
    );
  });
});

/** A small KB result file (3 data records), as bytes, to break in the tests below. */
async function kbFile(): Promise<{ bytes: Buffer; lines: Buffer[] }> {
  const path = tmp('kb');
  await writeBankFile(path, kb, {
    header: { companyCode: 'FIRM0001', withdrawAccount: '12345678901234' },
    fileDate: '2026-11-24',
    records: [
      { sendDate: '2026-11-24', seqNo: '000001', bankCode: '04', account: '110123456789', amount: '12000', outcome: 'succeeded', code: '0000' },
      { sendDate: '2026-11-24', seqNo: '000002', bankCode: '88', account: '110987654321', amount: '5000', outcome: 'failed', code: '0122' },
      { sendDate: '2026-11-24', seqNo: '000003', bankCode: '20', account: '22233344455', amount: '700', outcome: 'succeeded', code: '0000' },
    ],
  });
  const bytes = readFileSync(path);
  const lines: Buffer[] = [];
  for (let p = 0; p < bytes.length; p += 82) lines.push(bytes.subarray(p, p + 80));
  return { bytes, lines };
}

const crlf = (lines: Buffer[]) => Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\r\n')]));

describe('bad files: each fails with the record, the byte and words to act on', () => {
  it('an empty file', async () => {
    const e = await readError(Readable.from([Buffer.alloc(0)]), kb);
    expect([e.code, e.recordNo, e.byteOffset]).toEqual(['FB_FILE_INVALID', 1, 0]);
    expect(e.message).toMatch(/bad\.dat \(record 1, byte 0\): the file is empty \(0 bytes\)/);
  });

  it('a missing file', async () => {
    const e = await readError(join(dir, 'nothing-here.dat'), kb);
    expect([e.code, e.recordNo]).toEqual(['FB_FILE_UNREADABLE', null]);
    expect(e.message).toMatch(/cannot read the file: ENOENT/);
  });

  it('a truncated last record', async () => {
    const { bytes } = await kbFile();
    const e = await readError(bytes.subarray(0, bytes.length - 32), kb);
    expect([e.recordNo, e.byteOffset]).toEqual([5, 4 * 82]);
    expect(e.message).toMatch(/the file ends inside the record: 50 of 80 bytes \(the file is truncated; ask for it again\)/);
    const e2 = await readError(eb22Bytes().subarray(0, 150 * 3 - 10), eb22);
    expect([e2.recordNo, e2.byteOffset]).toEqual([3, 300]);
    expect(e2.message).toMatch(/140 of 150 bytes/);
  });

  it('a line of 79 bytes in an 80-byte file', async () => {
    const { lines } = await kbFile();
    lines[2] = lines[2]!.subarray(0, 79);
    const e = await readError(crlf(lines), kb);
    expect([e.recordNo, e.byteOffset]).toEqual([3, 2 * 82]);
    expect(e.message).toMatch(/the record is 79 bytes long, then a line break: every record of this file is 80 bytes/);
  });

  it('a line of 81 bytes', async () => {
    const { lines } = await kbFile();
    lines[1] = Buffer.concat([lines[1]!, Buffer.from(' ')]);
    const e = await readError(crlf(lines), kb);
    expect(e.recordNo).toBe(2);
    expect(e.message).toMatch(/not followed by a line break \(CRLF expected\): its line is 81 bytes long/);
  });

  it('an unknown record type', async () => {
    const { lines } = await kbFile();
    lines[2] = Buffer.concat([Buffer.from('X'), lines[2]!.subarray(1)]);
    const e = await readError(crlf(lines), kb);
    expect([e.recordNo, e.byteOffset]).toEqual([3, 164]);
    expect(e.message).toMatch(/unknown record type "X" \(expected S header, E trailer, D data\)/);
  });

  it('a first record that is not the header', async () => {
    const { lines } = await kbFile();
    const e = await readError(crlf(lines.slice(1)), kb);
    expect(e.recordNo).toBe(1);
    expect(e.message).toMatch(/the file starts with a data record \(data\): the first record must be the header \(S\)/);
  });

  it('a second header', async () => {
    const { lines } = await kbFile();
    const e = await readError(crlf([lines[0]!, lines[1]!, lines[0]!, ...lines.slice(2)]), kb);
    expect(e.recordNo).toBe(3);
    expect(e.message).toMatch(/a second header: the file already has one at record 1/);
  });

  it('data after the trailer', async () => {
    const { lines } = await kbFile();
    const e = await readError(crlf([...lines, lines[1]!]), kb);
    expect(e.recordNo).toBe(6);
    expect(e.message).toMatch(/a data record follows the trailer \(record 5\): nothing may come after the trailer/);
  });

  it('no trailer', async () => {
    const { lines } = await kbFile();
    const e = await readError(crlf(lines.slice(0, 4)), kb);
    expect([e.recordNo, e.byteOffset]).toEqual([5, 4 * 82]);
    expect(e.message).toMatch(/the file ends after record 4 without a trailer \(E\): it is incomplete/);
  });

  it('trailer totals that do not match, naming the trailer field', async () => {
    const { lines } = await kbFile();
    const t = Buffer.from(lines[4]!);
    t.write('0000003', 28, 'latin1'); // successCount: records 2 and 4 are Y, not three
    const e = await readError(crlf([...lines.slice(0, 4), t]), kb);
    expect([e.recordNo, e.field, e.byteOffset]).toEqual([5, 'successCount', 4 * 82 + 28]);
    expect(e.message).toMatch(/the trailer's successCount says 3, but the file holds 2 \(data records whose resultFlag is "Y" or "1"\): the file is incomplete or altered/);
  });

  it('bytes that are not EUC-KR, masked in the context when the field is an account', async () => {
    const { lines } = await kbFile();
    const memo = Buffer.from(lines[2]!);
    memo[57] = 0xff;
    memo[58] = 0xfe; // 통장인자 (not masked)
    const e = await readError(crlf([lines[0]!, lines[1]!, memo, ...lines.slice(3)]), kb);
    expect([e.recordNo, e.field, e.byteOffset]).toEqual([3, 'passbookMemo', 2 * 82 + 57]);
    expect(e.message).toMatch(/byte 0xff is not euc-kr text \(not valid in the file's charset\)/);
    expect(e.context).toContain('[ff fe 20');

    const account = Buffer.from(lines[2]!);
    account[8] = 0xb0; // a lead byte followed by a digit: not a character
    const e2 = await readError(crlf([lines[0]!, lines[1]!, account, ...lines.slice(3)]), kb);
    expect([e2.recordNo, e2.field]).toEqual([3, 'account']);
    expect(e2.context).toMatch(/\[\*\* \*\* \*\*/);
    expect(e2.message).not.toContain('110987654321');
    expect(e2.context).not.toMatch(/31 31 30/);
  });

  it('mixed line endings (lineEnding: any holds every record to the first one)', async () => {
    const { lines } = await kbFile();
    const mixed = Buffer.concat([lines[0]!, Buffer.from('\n'), lines[1]!, Buffer.from('\n'), lines[2]!, Buffer.from('\r\n'), lines[3]!, Buffer.from('\n'), lines[4]!]);
    const e = await readError(mixed, kb);
    expect([e.recordNo, e.byteOffset]).toEqual([3, 81 * 2 + 80]);
    expect(e.message).toMatch(/mixed line endings: record 1 is followed by LF, this record by CRLF/);
    // The same file with LF everywhere, or nothing at all between records, is fine.
    expect((await all(readBankRecords(Readable.from([Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]))]), kb))).length).toBe(3);
    expect((await all(readBankRecords(Readable.from([Buffer.concat(lines)]), kb))).length).toBe(3);
  });

  it('a line ending the spec does not allow (lineEnding: lf given CRLF; none given LF)', async () => {
    const lfOnly = parseBankFileSpec(readFileSync(join(SPECS, 'kb-cash.yaml'), 'utf8').replace('lineEnding: any', 'lineEnding: lf'), 'kb-lf.yaml');
    const { bytes } = await kbFile();
    const e = await readError(bytes, lfOnly);
    expect(e.recordNo).toBe(1);
    expect(e.message).toMatch(/the record is followed by CRLF, but the spec says LF \(lineEnding: lf\)/);
    const lf = eb22Bytes();
    const withBreaks = Buffer.concat([lf.subarray(0, 150), Buffer.from('\n'), lf.subarray(150)]);
    const e2 = await readError(withBreaks, eb22);
    expect(e2.recordNo).toBe(1);
    expect(e2.message).toMatch(/followed by LF, but the spec says records are not separated \(lineEnding: none\)/);
    // One line break at the very end of a file of concatenated records is tolerated.
    expect((await all(readBankRecords(Readable.from([Buffer.concat([lf, Buffer.from('\r\n')])]), eb22))).length).toBe(1);
  });

  it('EB21: data records out of order', async () => {
    const path = tmp('eb21');
    await writeBankFile(path, eb21, { header: { institutionCode: '9993083157' }, fileDate: '2026-11-26', records: [{ amount: '1000', bankCode: '004', account: '1' }, { amount: '2000', bankCode: '004', account: '2' }] });
    const bytes = readFileSync(path);
    const swapped = Buffer.concat([bytes.subarray(0, 150), bytes.subarray(300, 450), bytes.subarray(150, 300), bytes.subarray(450)]);
    const e = await readError(swapped, eb21);
    expect([e.recordNo, e.field, e.byteOffset]).toEqual([2, 'serialNo', 151]);
    expect(e.message).toMatch(/data record number "00000002", expected 00000001: records are missing, repeated or out of order/);
  });

  it('a flag the map does not list is unknown, never guessed; a partial payment flagged Y is unknown too', async () => {
    const { lines } = await kbFile();
    const z = Buffer.from(lines[2]!);
    z.write('Z', 32, 'latin1');
    const paid = Buffer.from(lines[1]!);
    paid.write('0000011000', 37, 'latin1'); // 실제이체금액 11000 of 12000
    // The bank's totals for that file: records 2 and 4 flagged Y (paid 11000 and 700), none N (Z is neither).
    const t = Buffer.from(lines[4]!);
    t.write('0000002', 28, 'latin1');
    t.write('0000000011700', 35, 'latin1');
    t.write('0000000', 48, 'latin1');
    t.write('0000000000000', 55, 'latin1');
    const records = await all(readBankRecords(Readable.from([crlf([lines[0]!, paid, z, lines[3]!, t])]), kb));
    expect(records.map((r) => r.outcome)).toEqual(['unknown', 'unknown', 'succeeded']);
  });
});

function eb22Bytes(): Buffer {
  return readFileSync(join(FIXTURES, 'eb22-one-failure.dat'));
}

describe('writing', () => {
  it('writes mode 0600, through a temp file that never stays behind', async () => {
    const sub = mkdtempSync(join(dir, 'w-'));
    const path = join(sub, 'out.dat');
    await writeBankFile(path, kb, { header: {}, fileDate: '2026-11-24', records: [{ amount: '1', bankCode: '04', account: '1' }] });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(sub)).toEqual(['out.dat']);
  });

  it('a failure halfway leaves the old file as it was and no temp file', async () => {
    const sub = mkdtempSync(join(dir, 'w-'));
    const path = join(sub, 'out.dat');
    writeFileSync(path, 'old content');
    async function* records() {
      yield { amount: '1', bankCode: '04', account: '1' };
      throw new Error('the ledger went away');
    }
    await expect(writeBankFile(path, kb, { header: {}, fileDate: '2026-11-24', records: records() })).rejects.toThrow('the ledger went away');
    expect(readdirSync(sub)).toEqual(['out.dat']);
    expect(readFileSync(path, 'utf8')).toBe('old content');
  });

  it('refuses a value the file cannot hold, naming the record and field, and leaves nothing', async () => {
    const sub = mkdtempSync(join(dir, 'w-'));
    const path = join(sub, 'out.dat');
    const write = (r: BankRecordInput) => writeBankFile(path, kb, { header: {}, fileDate: '2026-11-24', records: [{ amount: '1', bankCode: '04', account: '1' }, r] });
    const fail = async (r: BankRecordInput) => {
      const e = await write(r).then(() => undefined, (x: unknown) => x);
      expect(e).toBeInstanceOf(BankFileError);
      return e as BankFileError;
    };
    const e1 = await fail({ amount: '1', bankCode: '004', account: '1' });
    expect([e1.code, e1.recordNo, e1.field]).toEqual(['FB_FILE_UNWRITABLE', 3, 'bankCode']);
    const e2 = await fail({ amount: '1.5', bankCode: '04', account: '1' });
    expect([e2.recordNo, e2.field]).toEqual([3, 'amount']);
    expect(e2.message).toMatch(/not a whole, non-negative amount of won/);
    const e3 = await fail({ amount: '1', bankCode: '04', account: '1', sendDate: '2026-11-25', seqNo: '000001' });
    expect(e3.field).toBe('companyUse');
    expect(e3.message).toMatch(/cannot be written as MMDD in a file dated 2026-11-24: it would read back as 2025-11-25/);
    const e4 = await fail({ amount: '1', bankCode: '04', account: '1', seqNo: '1234567' });
    expect(e4.message).toMatch(/does not fit bytes 4–9 of companyUse/);
    const e5 = await fail({ amount: '1', bankCode: '04', account: '1', fields: { companyUse: 'x' } });
    expect(e5.message).toMatch(/written from the record's canonical values/);
    expect(readdirSync(sub)).toEqual([]);
    const e6 = (await writeBankFile(path, kb, { header: {}, records: [], trailer: { requestCount: '1' } }).catch((x: unknown) => x)) as BankFileError;
    expect(e6.message).toMatch(/requestCount is a checked total: the writer computes it/);
  });

  it('writes a file of no data records that reads back empty', async () => {
    const path = tmp('empty-data');
    await writeBankFile(path, woori, { header: { companyCode: 'FIRM' }, fileDate: '2026-11-24', records: [] });
    expect(readFileSync(path, 'latin1').slice(82, 90)).toBe('E0000002');
    expect(await all(readBankRecords(path, woori))).toEqual([]);
  });
});

describe('streaming', () => {
  it('reads a 200,000-record file in bounded memory', async () => {
    let gc: (() => void) | undefined;
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    } catch {
      gc = undefined;
    }
    const N = 200_000;
    const path = tmp('big');
    function* records(): Generator<BankRecordInput> {
      for (let i = 0; i < N; i++) {
        yield { sendDate: '2026-11-24', seqNo: String(i % 1_000_000).padStart(6, '0'), bankCode: '04', account: `1101${String(i).padStart(8, '0')}`, amount: String(1000 + (i % 997)), outcome: i % 5 === 0 ? 'failed' : 'succeeded', code: i % 5 === 0 ? '0122' : '0000', fields: { dataSeq: String(i % 100_000).padStart(5, '0') } };
      }
    }
    await writeBankFile(path, kb, { header: { companyCode: 'FIRM0001' }, fileDate: '2026-11-24', records: records() });
    expect(statSync(path).size).toBe((N + 2) * 82);

    gc?.();
    const before = process.memoryUsage();
    let peak = 0;
    let n = 0;
    let total = 0n;
    for await (const r of readBankRecords(path, kb)) {
      n++;
      total += BigInt(r.amount);
      if (n % 20_000 === 0) {
        gc?.();
        const m = process.memoryUsage();
        peak = Math.max(peak, m.heapUsed + m.arrayBuffers - before.heapUsed - before.arrayBuffers);
      }
    }
    expect(n).toBe(N);
    expect(total).toBeGreaterThan(0n);
    // With gc the live heap is measured: less than the file itself (no whole-file buffer, no array of
    // records). Without gc, garbage counts too, hence the looser bound.
    expect(peak).toBeLessThan(gc ? Math.min(50 * 1024 * 1024, statSync(path).size) : 120 * 1024 * 1024);
  }, 60_000);
});

describe('the readers as iterators', () => {
  it('stopping early closes the stream; a text stream is refused', async () => {
    const { bytes } = await kbFile();
    const stream = Readable.from([bytes.subarray(0, 100), bytes.subarray(100)]);
    for await (const r of readBankRecords(stream, kb)) {
      expect(r.recordNo).toBe(2);
      break;
    }
    expect(stream.destroyed).toBe(true);
    const e = await readError(Readable.from(['S'.repeat(80)]), kb);
    expect(e.code).toBe('FB_FILE_UNREADABLE');
    expect(e.message).toMatch(/the stream yields text/);
  });

  it('a date that is no date names the record and the bytes of the field', async () => {
    const { lines } = await kbFile();
    const bad = Buffer.from(lines[1]!);
    bad.write('1332', 47, 'latin1'); // 업체사용정보 MMDD: month 13
    const e = await readError(crlf([lines[0]!, bad, ...lines.slice(2)]), kb);
    expect([e.recordNo, e.field, e.byteOffset]).toEqual([2, 'companyUse', 82 + 47]);
    expect(e.message).toMatch(/bytes 0–3 of companyUse 1332 is not a calendar date \(MMDD\)/);
  });
});

describe('the simulator\'s day as a file', () => {
  const transfers: SimDayTransfer[] = [
    { date: '2026-11-24', seqNo: '000003', depositBankCode: '088', depositAccount: '110987654321', amount: new Decimal(5000), fee: new Decimal(500), code: '0122', state: 'rejected' },
    { date: '2026-11-24', seqNo: '000001', depositBankCode: '004', depositAccount: '110123456789', amount: new Decimal(12000), fee: new Decimal(0), code: '0000', state: 'applied' },
    { date: '2026-11-24', seqNo: '000002', depositBankCode: '020', depositAccount: '22233344455', amount: new Decimal(700), fee: new Decimal(500), code: '0000', state: 'reversed' },
    { date: '2026-11-23', seqNo: '000009', depositBankCode: '081', depositAccount: '22233344455', amount: new Decimal(300), fee: new Decimal(500), code: '0000', state: 'applied' },
  ];

  it('KB: in 전문번호 order, 2-digit bank codes, applied → succeeded, rejected and reversed → failed', async () => {
    const path = tmp('sim-kb');
    await writeSimDayFile(path, kb, { date: '2026-11-24', header: { companyCode: 'FIRM0001', withdrawAccount: '12345678901234' } }, transfers);
    const records = await all(readBankRecords(path, kb));
    expect(records.map((r) => [r.sendDate, r.seqNo, r.bankCode, r.amount, r.outcome, r.code])).toEqual([
      ['2026-11-23', '000009', '81', '300', 'succeeded', '0000'],
      ['2026-11-24', '000001', '04', '12000', 'succeeded', '0000'],
      ['2026-11-24', '000002', '20', '700', 'failed', '0000'],
      ['2026-11-24', '000003', '88', '5000', 'failed', '0122'],
    ]);
    expect(records.every((r) => r.fileDate === '2026-11-24')).toBe(true);
  });

  it('EB22: 3-digit bank codes in the 은행점코드, one date in the header', async () => {
    const path = tmp('sim-eb22');
    const today = transfers.filter((t) => t.date === '2026-11-24');
    await writeSimDayFile(path, eb22, { date: '2026-11-24', header: { institutionCode: '9993083157', fileName: 'EB221124' } }, today);
    const records = await all(readBankRecords(path, eb22));
    expect(records.map((r) => [r.sendDate, r.seqNo, r.bankCode, r.outcome])).toEqual([
      ['2026-11-24', null, '004', 'succeeded'],
      ['2026-11-24', null, '020', 'failed'],
      ['2026-11-24', null, '088', 'failed'],
    ]);
  });

  it('a bank with no code in a 2-digit file is refused, not cut', async () => {
    const t: SimDayTransfer = { ...transfers[0]!, depositBankCode: '102' };
    await expect(writeSimDayFile(tmp('sim-bad'), ibk, { date: '2026-11-24' }, [t])).rejects.toThrow(/bank 102 has no 2-digit code/);
  });
});
