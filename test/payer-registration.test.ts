import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { DecodedTelegram, FieldInput } from '../src/codec/values.js';
import { loadInstitution } from '../src/institution/load-profile.js';
import { kst } from '../src/link/clock.js';
import type { LinkOutcome } from '../src/link/exchange.js';
import { hecto, linkTo, startSim } from './helpers/link.js';
import { hectoProfile as profile, ROOT } from './helpers/specs.js';

/**
 * 수납출금계좌등록/해지 (Hecto 2000/550, 2100/550, 2000/650, 2100/650) against the reference table (spec v2.0,
 * section 2-3, ../shared/reference/hecto-realtime-firmbanking-spec-v2.0-202403.txt), and the simulated bank
 * registering, cancelling and collecting (2000/200) only for registered payers.
 */

/** One row of the printed table: offset, length, and the bytes written there (text is ASCII or given as bytes). */
type Row = readonly [offset: number, length: number, bytes: string | readonly number[]];

/** Builds a telegram from printed rows, each at the offset the table prints: a row out of place fails. */
function telegram(rows: readonly Row[]): Buffer {
  const out: number[] = [];
  for (const [offset, length, bytes] of rows) {
    expect(out.length, `row at ${offset}`).toBe(offset);
    const b = typeof bytes === 'string' ? [...Buffer.from(bytes, 'latin1')] : [...bytes];
    expect(b.length, `row at ${offset} holds ${length} bytes`).toBe(length);
    out.push(...b);
  }
  expect(out.length).toBe(300);
  return Buffer.from(out);
}

/** 공통부 as printed (offsets 0 … 56). */
const header = (messageCode: string, businessCode: string, seqNo: string, responseCode: string, reserved = ' '.repeat(44)): Row[] => [
  [0, 9, 'SETTLEBNK'], // 식별코드 X(9)
  [9, 12, 'FIRM01      '], // 업체번호 X(12)
  [21, 3, '004'], // 은행코드 9(3)
  [24, 4, messageCode], // 전문구분코드 X(4)
  [28, 3, businessCode], // 업무구분코드 X(3)
  [31, 1, '1'], // 송신회수 9(1)
  [32, 6, seqNo], // 전문번호 9(6)
  [38, 8, '20261125'], // 전송일자 9(8)
  [46, 6, '101500'], // 전송시간 9(6)
  [52, 4, responseCode], // 응답코드 X(4)
  [56, 44, reserved], // 예비영역 X(44)
];

const sp = (n: number) => ' '.repeat(n);
/** 홍길동 in EUC-KR (KS X 1001): 홍 C8AB, 길 B1E6, 동 B5BF, then spaces to 30 bytes. */
const HONG_30 = [0xc8, 0xab, 0xb1, 0xe6, 0xb5, 0xbf, ...Array<number>(24).fill(0x20)];

/** The 개별부 of section 2-3, printed row by row. */
const body = (v: { seq: string; account: string; type: string; processed: string; error: string; idCheck: string; idNo: string; payerNo: string; phone: string; holder: string | readonly number[]; consent: string }): Row[] => [
  [100, 1, 'D'], // 1 식별코드 X(1) 'D'
  [101, 7, v.seq], // 2 처리순번 9(7)
  [108, 3, '004'], // 3 은행코드 9(3) 전문수신은행코드
  [111, 16, v.account], // 4 계좌번호 X(16)
  [127, 1, v.type], // 5 신청구분 9(1)
  [128, 2, sp(2)], // 6 자동납부일자 X(2)
  [130, 7, '0000000'], // 7 취급점코드 9(7)
  [137, 8, '20261125'], // 8 신청일자 X(8)
  [145, 1, v.processed], // 9 처리여부 X(1)
  [146, 4, v.error], // 10 불능코드 X(4)
  [150, 1, v.idCheck], // 11 실명번호체크여부 X(1)
  [151, 13, v.idNo], // 12 실명번호 X(13)
  [164, 20, v.payerNo], // 13 납부자번호 X(20)
  [184, 10, sp(10)], // 14 펌뱅킹기관코드 X(10)
  [194, 20, v.phone], // 15 고객연락처 X(20)
  [214, 30, v.holder], // 16 예금주명 X(30)
  [244, 30, sp(30)], // 17 예비1 X(30)
  [274, 1, v.consent], // 18 동의자료구분 X(1)
  [275, 20, sp(20)], // 19 출통은행기관코드 X(20)
  [295, 5, sp(5)], // 20 예비2 X(5)
];

/** The table's 개별부 as (offset, length, printed kind), for every layout check. */
const PRINTED: readonly (readonly [number, number, 'X' | '9'])[] = [
  [100, 1, 'X'], [101, 7, '9'], [108, 3, '9'], [111, 16, 'X'], [127, 1, '9'], [128, 2, 'X'], [130, 7, '9'], [137, 8, 'X'],
  [145, 1, 'X'], [146, 4, 'X'], [150, 1, 'X'], [151, 13, 'X'], [164, 20, 'X'], [184, 10, 'X'], [194, 20, 'X'], [214, 30, 'X'],
  [244, 30, 'X'], [274, 1, 'X'], [275, 20, 'X'], [295, 5, 'X'],
];

const REGISTER_550 = telegram([
  ...header('2000', '550', '000123', sp(4)),
  ...body({ seq: sp(7), account: '22233344455' + sp(5), type: '1', processed: ' ', error: sp(4), idCheck: 'Y', idNo: '900215' + sp(7), payerNo: 'PAYER0001' + sp(11), phone: sp(20), holder: sp(30), consent: '5' }),
]);
const REFUSED_2100_550 = telegram([
  ...header('2100', '550', '000123', '2015'),
  ...body({ seq: sp(7), account: '22233344455' + sp(5), type: '1', processed: 'N', error: '2015', idCheck: 'Y', idNo: '900215' + sp(7), payerNo: 'PAYER0001' + sp(11), phone: sp(20), holder: sp(30), consent: '5' }),
]);
const CANCEL_650 = telegram([
  ...header('2000', '650', '000001', sp(4), 'SIMNOTICE' + sp(35)),
  ...body({ seq: '0000001', account: '110123456789' + sp(4), type: '2', processed: ' ', error: sp(4), idCheck: ' ', idNo: sp(13), payerNo: 'PAYER0002' + sp(11), phone: '010-1234-5678' + sp(7), holder: HONG_30, consent: ' ' }),
]);

describe('2000/550, 2100/550 and 2000/650 against the table of section 2-3, byte by byte', () => {
  it.each(['payerRegistration.request', 'payerRegistration.response', 'payerCancel.request', 'payerCancel.response'])('%s: every field of the 개별부 at the printed offset and length, of the printed kind', (name) => {
    const m = hecto.message(name);
    expect(m.length).toBe(300);
    const mine = m.layout.filter((f) => f.offset >= 100).map((f) => [f.offset, f.length, ['X', 'sign', 'filler'].includes(f.type) ? 'X' : '9']);
    // 신청일자 (offset 137) is X(8) in the table and typed `date` here, so that a malformed date is refused
    // before it is sent (see the spec's 2-3 comment): the one deliberate difference in kind.
    expect(mine).toEqual(PRINTED.map(([o, l, k]) => [o, l, o === 137 ? '9' : k]));
    expect(m.layout.filter((f) => f.offset < 100).map((f) => f.name)).toEqual(hecto.spec.header.map((f) => f.name));
  });

  it('a 2000/550 registration decodes to its fields and encodes back to the same bytes', () => {
    const t = hecto.decode(REGISTER_550);
    expect(t.message).toBe('payerRegistration.request');
    expect(t.fields).toMatchObject({
      companyId: 'FIRM01', bankCode: '004', messageCode: '2000', businessCode: '550', seqNo: '000123', sendDate: '2026-11-25', sendTime: '10:15:00', responseCode: '',
      recordType: 'D', dataSeqNo: null, targetBankCode: '004', account: '22233344455', applicationType: '1', autoPayDay: '', branchCode: '0000000',
      applicationDate: '2026-11-25', processed: '', errorCode: '', idCheck: 'Y', idNo: '900215', payerNo: 'PAYER0001', fbOrgCode: '', customerPhone: '',
      holderName: '', spare1: '', consentType: '5', withdrawOrgCode: '', spare2: '',
    });
    expect(hecto.encode(t.message, t.fields).equals(REGISTER_550)).toBe(true);
    expect(profile.fromWire('payerRegistration', 'request', t.fields)).toEqual({
      bankCode: '004', account: '22233344455', action: '1', applicationDate: '2026-11-25', checkIdNo: 'Y', idNo: '900215', payerNo: 'PAYER0001', consentType: '5', orgCode: '',
    });
  });

  it('the canonical registration is written as the table says: the same bytes from the profile', () => {
    const wire = profile.toWire('payerRegistration', 'request', { bankCode: '004', account: '22233344455', action: '1', applicationDate: '2026-11-25', idNo: '900215', payerNo: 'PAYER0001', consentType: '5' });
    const header = { systemId: 'SETTLEBNK', companyId: 'FIRM01', bankCode: '004', seqNo: '123', sendDate: '2026-11-25', sendTime: '10:15:00' };
    // 실명번호체크여부 was not given: the profile writes "Y".
    expect(hecto.encode('payerRegistration.request', { ...header, ...wire }).equals(REGISTER_550)).toBe(true);
  });

  it('a refusing 2100/550 decodes to 처리여부 N and its 불능코드, read through the profile', () => {
    const t = hecto.decode(REFUSED_2100_550);
    expect(t.message).toBe('payerRegistration.response');
    expect(t.fields).toMatchObject({ messageCode: '2100', businessCode: '550', responseCode: '2015', processed: 'N', errorCode: '2015', payerNo: 'PAYER0001' });
    expect(profile.fromWire('payerRegistration', 'answer', t.fields)).toEqual({ processed: 'N', errorCode: '2015' });
    expect(hecto.encode(t.message, t.fields).equals(REFUSED_2100_550)).toBe(true);
  });

  it('a 2000/650 from the bank decodes (Hangul holder name, phone) and encodes back; its secrets are masked', () => {
    const t = hecto.decode(CANCEL_650);
    expect(t.message).toBe('payerCancel.request');
    expect(t.fields).toMatchObject({ businessCode: '650', reserved1: 'SIMNOTICE', dataSeqNo: '0000001', applicationType: '2', customerPhone: '010-1234-5678', holderName: '홍길동', idNo: '' });
    expect(hecto.encode(t.message, t.fields).equals(CANCEL_650)).toBe(true);
    expect(profile.operationOf('payerCancel.request')).toEqual({ operation: 'payerCancelNotice', side: 'request' });
    expect(profile.fromWire('payerCancelNotice', 'request', t.fields)).toEqual({
      bankCode: '004', account: '110123456789', action: '2', payerNo: 'PAYER0002', applicationDate: '2026-11-25', phone: '010-1234-5678', holderName: '홍길동',
    });
    const masks = Object.fromEntries(hecto.message('payerCancel.request').layout.filter((f) => f.mask).map((f) => [f.name, f.mask]));
    expect(masks).toEqual({ account: 'account', idNo: 'secret', payerNo: 'account', customerPhone: 'secret', holderName: 'name' });
  });

  it('the classic family has no such messages: it does not support registration, and its profile loads', () => {
    const lgcns = loadInstitution(join(ROOT, 'specs/lgcns.profile.yaml')).profile;
    expect([lgcns.supports('payerRegistration'), lgcns.supports('payerCancelNotice'), lgcns.supports('collection')]).toEqual([false, false, false]);
    expect(() => lgcns.binding('payerRegistration')).toThrow(expect.objectContaining({ code: 'FB_OPERATION_UNSUPPORTED' }));
    expect([profile.supports('payerRegistration'), profile.supports('payerCancelNotice')]).toEqual([true, true]);
  });
});

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const PARENT = '12345678901234';
const PAYER_ACCOUNT = '22233344455'; // 이영희, 50,000 won, 실명번호 900215
const today = () => kst(new Date()).date;

async function session() {
  const { sim, port } = await startSim();
  const notices: DecodedTelegram[] = [];
  const link = linkTo(port, { onNotice: async (t) => void notices.push(t) });
  cleanup.push(() => sim.close(), () => link.close());
  expect(await link.ready()).toBe(true);

  const answered = async (p: Promise<LinkOutcome>) => {
    const o = await p;
    if (o.status !== 'answered') throw new Error(`expected an answer, got ${o.status}`);
    return o;
  };
  /** 2000/550 from canonical fields; the answer's code and canonical fields. */
  const registration = async (c: Record<string, FieldInput>) => {
    const o = await answered(link.request(profile.message('payerRegistration'), profile.toWire('payerRegistration', 'request', { bankCode: '004', account: PAYER_ACCOUNT, applicationDate: today(), idNo: '900215', consentType: '5', ...c })));
    return { code: o.responseCode, ...profile.fromWire('payerRegistration', 'answer', o.response.fields) };
  };
  const register = (payerNo: string, c: Record<string, FieldInput> = {}) => registration({ action: '1', payerNo, ...c });
  const cancel = (payerNo: string, c: Record<string, FieldInput> = {}) => registration({ action: '2', payerNo, ...c });
  /** 2000/200 from canonical fields. */
  const collect = async (payerNo: string, amount: string, from = PAYER_ACCOUNT) => {
    const o = await answered(link.request(profile.message('collection'), profile.toWire('collection', 'request', { withdrawAccount: from, withdrawIdNo: '900215', amount, depositBankCode: '004', depositAccount: PARENT, memo: '수납', payerNo })));
    return o.responseCode;
  };
  const balance = (account: string) => sim.ledger.accounts.get(account)!.balance.toFixed();
  return { sim, link, notices, register, cancel, collect, balance };
}

const YES = { code: '0000', processed: 'Y', errorCode: '' };
const no = (code: string) => ({ code, processed: 'N', errorCode: code });

describe('the simulated bank registers and cancels payers over a real socket (2000/550)', () => {
  it('registers, answers a repeat for the same account "Y" again, refuses another account, then cancels', async () => {
    const { sim, register, cancel } = await session();
    expect(await register('P-0001')).toEqual(YES);
    expect(sim.payers.find('FIRM01', 'P-0001')).toMatchObject({ bankCode: '004', account: PAYER_ACCOUNT, idNo: '900215', consentType: '5', state: 'registered' });
    // Idempotent: the answer a retry after a lost answer must get.
    expect(await register('P-0001')).toEqual(YES);
    // The same payer number for another account: 이중신청(동일납부자번호&상이계좌).
    expect(await register('P-0001', { account: '110987654321', idNo: '751231' })).toEqual(no(sim.codes.payerOnOtherAccount));
    expect(sim.payers.find('FIRM01', 'P-0001')!.account).toBe(PAYER_ACCOUNT);
    // A cancellation naming another account is refused; the right one is done, and done again on a repeat.
    expect(await cancel('P-0001', { account: '110987654321' })).toEqual(no(sim.codes.payerAccountMismatch));
    expect(await cancel('P-0001')).toEqual(YES);
    expect(sim.payers.find('FIRM01', 'P-0001')!.state).toBe('cancelled');
    expect(await cancel('P-0001')).toEqual(YES);
    expect(sim.codes).toMatchObject({ payerOnOtherAccount: '2015', payerAccountMismatch: '2003' });
  });

  it('refuses a cancellation of an unknown payer, an account it does not have, a wrong 실명번호, a bad 신청구분 or consent type', async () => {
    const { sim, register, cancel } = await session();
    expect(await cancel('P-NOBODY')).toEqual(no('2002'));
    expect(await register('P-0002', { account: '99988877766' })).toEqual(no(sim.codes.noSuchAccount));
    // 은행코드 (전문수신은행코드) of another bank: this bank has no such account.
    expect(await register('P-0002', { bankCode: '088' })).toEqual(no(sim.codes.noSuchAccount));
    expect(await register('P-0002', { idNo: '000000' })).toEqual(no('2028'));
    expect(await register('P-0002', { checkIdNo: 'N', idNo: '000000' })).toEqual(YES); // not checked, as asked
    expect(await register('P-0003', { consentType: '9' })).toEqual(no('SB05'));
    expect(await register('P-0004', { action: '3' })).toEqual(no('2000'));
    expect(sim.payers.all().map((r) => r.payerNo)).toEqual(['P-0002']);
    expect(sim.codes).toMatchObject({ noSuchAccount: '0122', idNoMismatch: '2028', payerNotRegistered: '2002', consentTypeError: 'SB05', applicationTypeError: '2000' });
  });

  it('a registration whose answer is lost was applied: asked again, it is answered "Y"', async () => {
    const { sim, link, register } = await session();
    sim.faults.arm('no-answer', { message: 'payerRegistration.request', count: 1 });
    const lost = await link.request(profile.message('payerRegistration'), profile.toWire('payerRegistration', 'request', { bankCode: '004', account: PAYER_ACCOUNT, action: '1', applicationDate: today(), idNo: '900215', payerNo: 'P-LOST' }), { timeoutMs: 300 });
    expect(lost.status).toBe('unknown');
    expect(sim.payers.find('FIRM01', 'P-LOST')!.state).toBe('registered');
    expect(await register('P-LOST')).toEqual(YES);
    sim.faults.arm('reject', { message: 'payerRegistration.request', count: 1 });
    expect(await register('P-REJECTED')).toEqual(no(sim.codes.noSuchAccount));
    expect(sim.payers.find('FIRM01', 'P-REJECTED')).toBeUndefined();
  });
});

describe('collections (2000/200) only for a registered payer, and not after a cancellation at the bank (2000/650)', () => {
  it('refuses an unregistered payer and moves nothing; collects from a registered one; refuses an overdraft', async () => {
    const { sim, register, collect, balance } = await session();
    const parent = balance(PARENT);
    expect(await collect('P-0010', '10000')).toBe(sim.codes.payerNotRegistered);
    expect([balance(PAYER_ACCOUNT), balance(PARENT)]).toEqual(['50000', parent]);
    expect(sim.ledger.applied()).toHaveLength(0);
    expect(await register('P-0010')).toEqual(YES);
    // Registered to another account than the one debited: not this payer's registration.
    expect(await collect('P-0010', '10000', '110123456789')).toBe(sim.codes.payerNotRegistered);
    expect(await collect('P-0010', '10000')).toBe('0000');
    expect([balance(PAYER_ACCOUNT), balance(PARENT)]).toEqual(['40000', new Decimal(parent).plus(10000).toFixed()]);
    expect(await collect('P-0010', '40001')).toBe(sim.codes.insufficientFunds);
    expect(balance(PAYER_ACCOUNT)).toBe('40000');
    expect(sim.ledger.applied()).toHaveLength(1);
    expect([...sim.ledger.transfers.values()].filter((t) => t.state === 'rejected').map((t) => t.code)).toEqual(['2002', '2002', '0133']);
  });

  it('after the company cancels, a collection is refused as cancelled by the company', async () => {
    const { sim, register, cancel, collect, balance } = await session();
    expect(await register('P-0020')).toEqual(YES);
    expect(await cancel('P-0020')).toEqual(YES);
    expect(await collect('P-0020', '1000')).toBe(sim.codes.payerCancelled);
    expect(balance(PAYER_ACCOUNT)).toBe('50000');
    // Registered again (new consent): collections apply again.
    expect(await register('P-0020')).toEqual(YES);
    expect(await collect('P-0020', '1000')).toBe('0000');
    expect(sim.codes.payerCancelled).toBe('2008');
  });

  it('the bank pushes 2000/650, our link acknowledges it (2100/650), and collections for that payer are refused from then on', async () => {
    const { sim, notices, register, collect, balance } = await session();
    expect(await register('P-0030')).toEqual(YES);
    expect(await collect('P-0030', '5000')).toBe('0000');
    await sim.pushPayerCancel('P-0030');
    expect(notices).toHaveLength(1);
    expect(notices[0]!.message).toBe('payerCancel.request');
    expect(profile.fromWire('payerCancelNotice', 'request', notices[0]!.fields)).toMatchObject({ bankCode: '004', account: PAYER_ACCOUNT, action: '2', payerNo: 'P-0030', applicationDate: today(), holderName: '이영희' });
    expect(sim.payers.find('FIRM01', 'P-0030')!.state).toBe('cancelled-at-bank');
    expect(await collect('P-0030', '5000')).toBe(sim.codes.payerCancelledAtBank);
    expect(balance(PAYER_ACCOUNT)).toBe('45000');
    expect(sim.codes.payerCancelledAtBank).toBe('2007');
    // Nothing to cancel: refused, nothing sent.
    await expect(sim.pushPayerCancel('P-0030')).rejects.toThrow(/not registered/);
    await expect(sim.pushPayerCancel('P-NOBODY')).rejects.toThrow(/not registered/);
    expect(notices).toHaveLength(1);
    // Lost on the way: the bank cancelled all the same, and says so when asked to collect.
    expect(await register('P-0031')).toEqual(YES);
    sim.loseNotices(1);
    await sim.pushPayerCancel('P-0031');
    expect(notices).toHaveLength(1);
    expect(await collect('P-0031', '5000')).toBe(sim.codes.payerCancelledAtBank);
  });

  it('a cancellation notice nobody acknowledges changes nothing at the bank', async () => {
    const { sim, port } = await startSim();
    const link = linkTo(port); // no notice handler: the link does not acknowledge
    cleanup.push(() => sim.close(), () => link.close());
    expect(await link.ready()).toBe(true);
    const o = await link.request('payerRegistration.request', profile.toWire('payerRegistration', 'request', { bankCode: '004', account: PAYER_ACCOUNT, action: '1', applicationDate: today(), idNo: '900215', payerNo: 'P-0040' }));
    expect(o.status === 'answered' && profile.fromWire('payerRegistration', 'answer', o.response.fields)['processed']).toBe('Y');
    await expect(sim.pushPayerCancel('P-0040', 200)).rejects.toThrow(/no reply/);
    expect(sim.payers.find('FIRM01', 'P-0040')!.state).toBe('registered');
  });
});
