import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import iconv from 'iconv-lite';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { TelegramCodec } from '../src/codec/telegram-codec.js';
import { ResponseCodeTable } from '../src/codes/response-codes.js';
import { loadSpecFile } from '../src/spec/load-spec.js';
import type { FieldSpec, MessageSpec } from '../src/spec/types.js';
import { ROOT } from './helpers/specs.js';

/**
 * specs/lgcns.yaml against the tables of ../shared/reference/lgcns-van-layouts.md (extracted by
 * scripts/extract-lgcns-layouts.mjs into test/fixtures/lgcns-layouts.json): every field at the printed
 * absolute offset with the printed length, except where the spec departs from the document on purpose —
 * each such place is asserted on its own, with its reason. Then telegrams built by hand, byte by byte, the
 * way the ERP builds them (padEnd / padStart into 300 bytes).
 */
interface Row {
  no: number;
  field: string;
  label: string;
  length: number;
  offset: number;
  type: string;
}
const doc = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/lgcns-layouts.json'), 'utf8')) as Record<string, { title: string; rows: Row[]; sum: number }>;
const spec = loadSpecFile(join(ROOT, 'specs/lgcns.yaml'));
const codec = new TelegramCodec(spec);

/** Which spec messages each printed record describes (requests, answers and notice replies share a body). */
const RECORDS: Record<string, string[]> = {
  '4.2': ['depositNotice.request', 'depositNotice.response'],
  '4.3': ['depositGap.request', 'depositGap.response'],
  '4.4': ['transfer.own.request', 'transfer.own.response', 'transfer.other.request', 'transfer.other.response'],
  '4.5': ['resultInquiry.request', 'resultInquiry.response'],
  '4.6': ['balance.request', 'balance.response'],
  '4.7': ['totals.request', 'totals.response'],
  '4.8': ['virtualAccountNotice.request', 'virtualAccountNotice.response', 'virtualAccountGap.request', 'virtualAccountGap.response'],
  '4.9': ['nameInquiry.request', 'nameInquiry.response'],
  '4.10': ['failureNotice.request', 'failureNotice.response'],
};
/** 4.1 개시 has no record TYPE: 200 spaces. */
const OPEN = ['open.request', 'open.response'];

const message = (name: string): MessageSpec => {
  const m = spec.messages.get(name);
  if (!m) throw new Error(`no message ${name} in specs/lgcns.yaml`);
  return m;
};
const body = (m: MessageSpec): FieldSpec[] => m.layout.filter((f) => f.offset >= 100);
const at = (fields: readonly { offset: number; length: number }[]) => fields.map((f) => [f.offset, f.length]);
/** X versus 9 as the document prints it; `?` (no evidence in the source) says nothing. */
const kindOf = (f: FieldSpec) => (['X', 'sign', 'filler'].includes(f.type) ? 'X' : '9');
const docKind = (r: Row) => r.type[0]!;

function expectKinds(m: MessageSpec, rows: readonly Row[]): void {
  for (const r of rows) {
    if (docKind(r) === '?') continue;
    const covering = m.layout.filter((f) => f.offset >= r.offset && f.offset < r.offset + r.length);
    for (const f of covering) expect(kindOf(f), `${m.name}.${f.name} at ${f.offset}: the document says ${r.type} (${r.label})`).toBe(docKind(r));
  }
}

describe('specs/lgcns.yaml against the document', () => {
  it('the extracted tables are the ones the spec is checked against', () => {
    expect(Object.keys(doc).sort()).toEqual(['2', '4.10', '4.2', '4.3', '4.4', '4.4-declared', '4.5', '4.6', '4.7', '4.8', '4.9'].sort());
    for (const [key, r] of Object.entries(doc)) {
      // The printed offsets follow from the printed lengths: the extraction copied a consistent table.
      r.rows.forEach((row, i) => {
        if (i > 0) expect(row.offset, `${key} row ${row.no}`).toBe(r.rows[i - 1]!.offset + r.rows[i - 1]!.length);
      });
    }
  });

  it('every message of the spec is one of the printed records (or the open, 200 spaces), all 300 bytes', () => {
    const covered = new Set([...Object.values(RECORDS).flat(), ...OPEN]);
    expect([...spec.messages.keys()].sort()).toEqual([...covered].sort());
    for (const m of spec.messages.values()) expect(m.length, m.name).toBe(300);
    for (const name of OPEN) expect(at(body(message(name)))).toEqual([[100, 200]]);
  });

  it('§2 common part: every field at the printed offset and length, the 49-byte reserve included', () => {
    const rows = doc['2']!.rows;
    expect(doc['2']!.sum).toBe(300);
    const head = rows.filter((r) => r.offset < 100);
    expect(at(spec.header)).toEqual(at(head));
    expect(spec.header.map((f) => f.name)).toEqual([
      'systemId', 'companyId', 'bankCode', 'messageCode', 'businessCode', 'sendCount', 'seqNo', 'sendDate', 'sendTime', 'responseCode', 'reserve',
    ]);
    // 개별부 영역 (row 12) is the 200-byte individual part.
    expect(rows.at(-1)).toMatchObject({ field: 'gaeb_area', offset: 100, length: 200 });
    for (const m of spec.messages.values()) expect(at(m.layout.filter((f) => f.offset < 100)), m.name).toEqual(at(head));
  });

  it('§2 types agree, except the message keys: 전문코드 and 업무코드 are digits but compared as text', () => {
    const m = message('open.request');
    const keys = spec.header.filter((f) => f.name === 'messageCode' || f.name === 'businessCode');
    expect(keys.map((f) => [f.name, f.type])).toEqual([['messageCode', 'X'], ['businessCode', 'X']]);
    expect(doc['2']!.rows.filter((r) => r.field === 'docu_code' || r.field === 'upmu_code').map((r) => r.type)).toEqual(['9(4)', '9(3)']);
    expectKinds(m, doc['2']!.rows.filter((r) => r.offset < 100 && r.field !== 'docu_code' && r.field !== 'upmu_code'));
  });

  for (const section of ['4.2', '4.3', '4.4', '4.7', '4.8', '4.9', '4.10']) {
    it(`§${section}: every field at the printed absolute offset and length, types agreeing`, () => {
      const rows = doc[section]!.rows;
      expect(doc[section]!.sum).toBe(200);
      for (const name of RECORDS[section]!) {
        const m = message(name);
        expect(at(body(m)), name).toEqual(at(rows));
        expectKinds(m, rows);
      }
    });
  }

  it('§4.4: the as-sent layout, not the declared TYPE (CMS코드 6 bytes, not 16: the declared record sums to 210)', () => {
    const declared = doc['4.4-declared']!;
    const sent = doc['4.4']!;
    expect(declared.sum).toBe(210);
    expect(sent.sum).toBe(200);
    const cmsDeclared = declared.rows.find((r) => r.field === 'cms')!;
    const cmsSent = sent.rows.find((r) => r.field === 'cms')!;
    expect([cmsDeclared.offset, cmsDeclared.length, cmsSent.offset, cmsSent.length]).toEqual([186, 16, 186, 6]);
    const m = message('transfer.other.request');
    expect(m.layout.find((f) => f.name === 'cmsCode')).toMatchObject({ offset: 186, length: 6 });
    // Everything after CMS코드 sits 10 bytes earlier than the declared TYPE says.
    const after = (rows: Row[]) => rows.filter((r) => r.offset > 186).map((r) => r.offset);
    expect(after(declared.rows).map((o) => o - 10)).toEqual(after(sent.rows));
    expect(body(m).filter((f) => f.offset > 186).map((f) => f.offset)).toEqual(after(sent.rows));
    // 출금계좌번호 at 100: the ERP filled it with the payee account (a defect); the slot is ours to fill.
    expect(sent.rows[0]).toMatchObject({ offset: 100, length: 15, label: '1.출금계좌번호' });
    expect(m.layout.find((f) => f.offset === 100)).toMatchObject({ name: 'withdrawAccount', mask: 'account' });
  });

  it('§4.5: the declared fields as printed, and the 3 bytes the TYPE lacks (sum 197) added at the end', () => {
    const printed = doc['4.5']!;
    expect(printed.sum).toBe(197);
    for (const name of RECORDS['4.5']!) {
      const ours = body(message(name));
      const last = ours.at(-1)!;
      const printedLast = printed.rows.at(-1)!;
      // Every declared field but the last at its printed place …
      expect(at(ours.slice(0, -1)), name).toEqual(at(printed.rows.slice(0, -1)));
      // … and the trailing DUMMY (111) grown by the 3 missing bytes: the source is silent on where they go.
      expect([last.name, last.offset, last.length]).toEqual(['spare', printedLast.offset, printedLast.length + 3]);
      expect(last.length - printedLast.length).toBe(200 - printed.sum);
      // 처리결과, the field the engine reads, stays at the printed offset 180 (to be confirmed with the VAN).
      expect(ours.find((f) => f.name === 'result')).toMatchObject({ offset: 180, length: 4, type: 'X' });
      expectKinds(message(name), printed.rows);
    }
  });

  it('§4.6: the declared 4-byte 비밀번호 and the 154-byte DUMMY are one 158-byte spare, as the code sends them', () => {
    const printed = doc['4.6']!;
    expect(printed.sum).toBe(200);
    const pw = printed.rows.find((r) => r.field === 'account_pw')!;
    const dummy = printed.rows.find((r) => r.field === 'dummy')!;
    expect([pw.offset, pw.length, dummy.offset, dummy.length]).toEqual([142, 4, 146, 154]);
    for (const name of RECORDS['4.6']!) {
      const ours = body(message(name));
      expect(at(ours.slice(0, 4)), name).toEqual(at(printed.rows.slice(0, 4)));
      expect(ours[4]).toMatchObject({ name: 'spare', type: 'X', offset: pw.offset, length: pw.length + dummy.length });
      expect(ours).toHaveLength(5);
      expect(ours.some((f) => f.mask === 'secret'), 'no password is ever sent in a balance inquiry').toBe(false);
      expectKinds(message(name), printed.rows);
    }
  });

  it('key fields sit at the same offsets in every message (전문코드 at 19, 업무코드 at 23)', () => {
    expect(spec.keyFields).toEqual(['messageCode', 'businessCode']);
    for (const m of spec.messages.values()) {
      expect(m.layout.find((f) => f.name === 'messageCode'), m.name).toMatchObject({ offset: 19, length: 4 });
      expect(m.layout.find((f) => f.name === 'businessCode'), m.name).toMatchObject({ offset: 23, length: 3 });
    }
  });

  it('answers are the request code with "10" for its last two digits, and notices come from the bank as x00', () => {
    for (const m of spec.messages.values()) {
      if (!m.response) continue;
      const r = message(m.response);
      expect(r.key, m.name).toEqual({ messageCode: `${m.key['messageCode']!.slice(0, 2)}10`, businessCode: m.key['businessCode'] });
      expect(at(body(r)), m.name).toEqual(at(body(m)));
    }
    expect(['depositNotice.request', 'failureNotice.request', 'virtualAccountNotice.request'].map((n) => [message(n).from, message(n).key['messageCode']])).toEqual([
      ['bank', '0200'], ['bank', '0400'], ['bank', '0200'],
    ]);
  });
});

/** The ERP's sprintf('%-N.Ns') and LPAD(…, N, '0'), in latin1 (ASCII) bytes. */
const sp = (s: string, n: number) => s.padEnd(n, ' ');
const zp = (s: string, n: number) => s.padStart(n, '0');
const ascii = (s: string) => Buffer.from(s, 'latin1');
function header(docu: string, upmu: string, responseCode = ''): string {
  return [sp('LGFBS0001', 9), sp('CJDEV01', 8), '20', docu, upmu, '1', zp('123', 6), '20261124', '093005', sp(responseCode, 4), sp('', 49)].join('');
}
const plain = (fields: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v instanceof Decimal ? v.toFixed() : v]));

describe('telegrams built by hand from the document', () => {
  it('a 타행이체 0100/200 built field by field as the ERP does decodes to its values, and encoding them gives the same bytes', () => {
    const bytes = Buffer.concat([
      ascii(header('0100', '200')),
      ascii(sp('1002345678901', 15)), // 1.출금계좌번호 — our parent account (the ERP wrote the payee's here)
      ascii('12341234'), // 2.비밀번호(8): the 4-char password twice
      ascii(sp('482913', 6)), // 3.복기부호
      ascii(zp('1500000', 13)), // 4.출금금액
      ascii(' '), // 5.출금후잔액부호
      ascii(sp('', 13)), // 6.출금후잔액
      ascii('04'), // 7.입금은행코드
      ascii(sp('110123456789', 15)), // 8.입금계좌번호
      ascii(sp('', 13)), // 9.수수료
      ascii(sp('', 6)), // 10.CMS코드 (6 as sent)
      ascii(sp('', 22)), // 11.입금인 성명(사용안함)
      Buffer.concat([iconv.encode('급여', 'euc-kr'), ascii(sp('', 10))]), // 12.입금인통장적요: 4 bytes of EUC-KR + 10 spaces
      ascii(sp('', 72)), // 13.예비
    ]);
    expect(bytes.length).toBe(300);
    const decoded = codec.decode(bytes);
    expect(decoded.message).toBe('transfer.other.request');
    expect(plain(decoded.fields)).toEqual({
      systemId: 'LGFBS0001', companyId: 'CJDEV01', bankCode: '20', messageCode: '0100', businessCode: '200', sendCount: '1',
      seqNo: '000123', sendDate: '2026-11-24', sendTime: '09:30:05', responseCode: '', reserve: '',
      withdrawAccount: '1002345678901', password: '12341234', verifyCode: '482913', amount: '1500000', balanceSign: null, balance: null,
      depositBankCode: '04', depositAccount: '110123456789', fee: null, cmsCode: '', depositorName: '', memo: '급여', spare: '',
    });
    expect(codec.encode('transfer.other.request', decoded.fields).equals(bytes)).toBe(true);
    // The same telegram from the values a caller gives (key fields and sendCount from the spec).
    const fromCaller = codec.encode('transfer.other.request', {
      systemId: 'LGFBS0001', companyId: 'CJDEV01', bankCode: '20', seqNo: '123', sendDate: '2026-11-24', sendTime: '09:30:05',
      withdrawAccount: '1002345678901', password: '12341234', verifyCode: '482913', amount: '1500000', depositBankCode: '04',
      depositAccount: '110123456789', memo: '급여',
    });
    expect(fromCaller.toString('hex')).toBe(bytes.toString('hex'));
    // 당행이체 differs in 업무코드 only.
    const own = codec.encode('transfer.own.request', { ...decoded.fields, businessCode: undefined });
    expect(own.subarray(23, 26).toString('latin1')).toBe('100');
    expect(Buffer.concat([own.subarray(0, 23), own.subarray(26)]).equals(Buffer.concat([bytes.subarray(0, 23), bytes.subarray(26)]))).toBe(true);
  });

  it('the bank\'s answer 0110/200 gives the fee at offset 173 (the only field the ERP reads) and the balance', () => {
    const sent = codec.encode('transfer.other.request', { bankCode: '20', seqNo: '123', sendDate: '2026-11-24', sendTime: '09:30:05', amount: '1500000', depositBankCode: '04' });
    const answer = Buffer.from(sent);
    answer.write('0110', 19, 'latin1');
    answer.write('0000', 47, 'latin1');
    answer.write('+', 142, 'latin1');
    answer.write(zp('98500000', 13), 143, 'latin1');
    answer.write(zp('500', 13), 173, 'latin1');
    const d = codec.decode(answer);
    expect(d.message).toBe('transfer.other.response');
    expect(plain(d.fields)).toMatchObject({ responseCode: '0000', balanceSign: '+', balance: '98500000', fee: '500', amount: '1500000' });
  });

  it('a 타행이체불능통지 0400/100 with its 3-byte error code decodes, and our 0410/100 reply echoes its body', () => {
    const bytes = ascii(
      header('0400', '100') +
        zp('123', 6) + // 1.원거래전문번호
        sp('1002345678901', 15) + // 2.출금계좌번호
        sp('110123456789', 15) + // 3.입금계좌번호
        '04' + // 4.입금은행코드
        zp('1500000', 13) + // 5.의뢰금액
        zp('1500000', 13) + // 6.미처리금액
        '413' + // 7.에러코드 (3 bytes)
        sp('', 133), // 8.예비
    );
    expect(bytes.length).toBe(300);
    const d = codec.decode(bytes);
    expect(d.message).toBe('failureNotice.request');
    expect(plain(d.fields)).toMatchObject({
      originalSeqNo: '000123', withdrawAccount: '1002345678901', depositAccount: '110123456789', depositBankCode: '04',
      requestedAmount: '1500000', unpaidAmount: '1500000', errorCode: '413', spare: '',
    });
    expect(codec.encode('failureNotice.request', d.fields).equals(bytes)).toBe(true);
    const reply = codec.encode('failureNotice.response', { ...d.fields, messageCode: undefined, responseCode: '0000' });
    expect(reply.subarray(19, 23).toString('latin1')).toBe('0410');
    expect(reply.subarray(100).equals(bytes.subarray(100))).toBe(true);
    // A 4-character code does not fit: never truncated.
    expect(() => codec.encode('failureNotice.request', { errorCode: '0413' })).toThrowError(expect.objectContaining({ code: 'FB_ENCODE_TOO_LONG', field: 'errorCode', offset: 164 }));
    // No code of the family is listed but 0000: the error code means an unknown outcome, never a refusal.
    expect(ResponseCodeTable.load(join(ROOT, 'specs/codes/lgcns-response-codes.csv')).lookup('004', '413').outcome).toBe('unknown');
  });

  it('a 0610/100 answer with blank fields decodes: blank numerics are null, blank text empty, nothing throws', () => {
    const bytes = ascii(header('0610', '100', '0000') + zp('123', 6) + sp('', 194));
    const d = codec.decode(bytes);
    expect(d.message).toBe('resultInquiry.response');
    expect(plain(d.fields)).toMatchObject({
      responseCode: '0000', originalSeqNo: '000123', withdrawAccount: '', depositAccount: '', amount: null, fee: null,
      subSeqNo: '', transferDate: null, transferTime: '', result: '', depositBankCode: null, spare: '',
    });
    expect(codec.encode('resultInquiry.response', d.fields).equals(bytes)).toBe(true);
    // All zeros where a bank might write them instead of blanks decodes too.
    const zeros = ascii(header('0610', '100', '0000') + zp('123', 6) + sp('', 30) + zp('', 26) + sp('', 4) + zp('', 8) + zp('', 6) + sp('', 4) + zp('', 2) + sp('', 114));
    expect(plain(codec.decode(zeros).fields)).toMatchObject({ amount: '0', fee: '0', transferDate: '0000-00-00', transferTime: '000000', depositBankCode: '00' });
    // And a fully blank individual part (an error answer).
    expect(plain(codec.decode(ascii(header('0610', '100', 'E999') + sp('', 200))).fields)).toMatchObject({ originalSeqNo: null, result: '', amount: null });
  });
});

describe('the family\'s data files agree with the spec', () => {
  const profile = parse(readFileSync(join(ROOT, 'specs/lgcns.profile.yaml'), 'utf8')) as {
    institution: string;
    spec: string;
    bankCodes: { width: number; map: string };
    operations: Record<string, { message: string | { ownBank: string; otherBank: string }; fields?: Record<string, string>; answer?: Record<string, string>; values?: Record<string, string> }>;
  };

  it('every field the profile binds exists in its request or answer layout', () => {
    expect([profile.institution, profile.spec, profile.bankCodes.width]).toEqual(['lgcns', 'lgcns.yaml', 2]);
    for (const [op, b] of Object.entries(profile.operations)) {
      const names = typeof b.message === 'string' ? [b.message] : [b.message.ownBank, b.message.otherBank];
      for (const n of names) {
        const m = message(n);
        for (const f of [...Object.values(b.fields ?? {}), ...Object.keys(b.values ?? {})]) expect(m.layout.some((x) => x.name === f), `${op}: ${n}.${f}`).toBe(true);
        for (const f of Object.values(b.answer ?? {})) expect(message(m.response!).layout.some((x) => x.name === f), `${op}: ${m.response}.${f}`).toBe(true);
      }
    }
    expect(profile.operations['transfer']!.message).toEqual({ ownBank: 'transfer.own.request', otherBank: 'transfer.other.request' });
    expect(profile.operations['transfer']!.fields).not.toHaveProperty('recipientName');
  });

  it('the bank-code map is every KFTC code below 100, without its leading zero', () => {
    const rows = (file: string) =>
      readFileSync(join(ROOT, file), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#')).slice(1).map((l) => l.split(','));
    const kftc = rows('specs/codes/kftc-bank-codes.csv').filter(([c]) => Number(c) < 100);
    const map = rows('specs/codes/lgcns-bank-codes.csv');
    expect(map).toEqual(kftc.map(([c, name]) => [c!.slice(1), c, name]));
    for (const c of ['03', '04', '20', '81']) expect(map.some(([c2]) => c2 === c)).toBe(true);
  });

  it('only 0000 is a success; 000 (the ERP\'s open check) and everything else is unknown', () => {
    const t = ResponseCodeTable.load(join(ROOT, 'specs/codes/lgcns-response-codes.csv'));
    expect(t.size).toBe(1);
    expect(t.lookup('020', '0000').outcome).toBe('success');
    for (const c of ['000', '0001', 'E999', '']) expect(t.lookup('020', c).outcome).toBe('unknown');
    expect(spec.session!.successCodes).toEqual(['0000']);
  });

  it('business hours are Hecto\'s rows for the four banks, unchanged', () => {
    const hecto = (parse(readFileSync(join(ROOT, 'specs/hours/hecto.yaml'), 'utf8')) as { institutions: Record<string, unknown> }).institutions;
    const ours = (parse(readFileSync(join(ROOT, 'specs/hours/lgcns.yaml'), 'utf8')) as { institutions: Record<string, unknown> }).institutions;
    expect(Object.keys(ours)).toEqual(['003', '004', '020', '081']);
    for (const [code, h] of Object.entries(ours)) expect(h, code).toEqual(hecto[code]);
  });
});
