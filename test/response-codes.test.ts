import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Outcome } from '../src/codes/outcome.js';
import { ResponseCodeTable, type ResponseMeaning } from '../src/codes/response-codes.js';

const table = ResponseCodeTable.load();
const rows = [...table.rows()];
const key = (r: ResponseMeaning) => `${r.bank} ${r.code}`;
/** The text a person reads: full-width forms folded (Citi writes ＴＩＭＥＯＵＴ), upper case. */
const text = (r: ResponseMeaning) => r.message.normalize('NFKC').toUpperCase();
const refusals = (r: ResponseMeaning) => r.outcome === 'rejected' || r.outcome === 'request-error';

/** Wordings that say the outcome is not known: a time-out, no answer, a system, line or communication failure. */
const FAILURE_WORDS = /장애|시스템|SYSTEM|통신|회선|시간\s*초과|응답\s*(이\s*)?없|무응답|불명|TIME\s*-?\s*(OUT|OVER)|타임\s*아웃/;

/**
 * The only rows with such a word that may still be a refusal, each read by hand: the wording says nothing was done
 * ("장애로 거래불가", "사용불가(장애상태)", before the open / after the close), or the word means something else.
 */
const NOT_PROCESSED_DESPITE_FAILURE_WORD: Record<string, Outcome> = {
  '005 G004': 'request-error', // 당행 장애로 인하여 거래를 할 수 없습니다.
  '020 3035': 'request-error', // 당행 장애로 타행이체 불가
  '020 A821': 'request-error', // 금융결제원 전산시스템 사정으로 서비스 처리불가
  '020 A911': 'request-error', // 시스템 사정으로 인한 서비스 중단
  '266 0091': 'request-error', // 개설은행 사용불가 (개설은행 장애상태)
  '266 0096': 'request-error', // 입금은행 사용불가(입금은행 장애상태)
  '266 0903': 'request-error', // 연합회 시스템 장애발생으로 거래불가 합니다.
  '266 0904': 'request-error', // 제휴은행 시스템 장애발생으로 거래불가 합니다.
  '266 0905': 'request-error', // 시스템 장애발생으로 거래불가 합니다.
  '266 0906': 'request-error', // 제휴은행 통신장애 발생으로 거래불가 합니다.
  '266 0907': 'request-error', // 통신장애 발생으로 거래불가 합니다.
  '027 2569': 'request-error', // 개설은행（해당은행） 사용불가（장애상태）
  '027 7892': 'request-error', // 거래불가（서비스준비중－ＫＴＩ장애）
  '027 7895': 'request-error', // 거래불가（서비스준비중－ＰＮＣ장애）
  '027 7898': 'request-error', // 거래불가（서비스준비중－ＦＬＥＸＣＵＢＥ장애）
  '027 7940': 'request-error', // 거래불가（시스템준비중－ＫＴＩ ２４상태 상이）
  '027 7941': 'request-error', // 거래불가（시스템준비중－ＫＴＩ 영업일자 상이）
  '027 7942': 'request-error', // 거래불가（시스템준비중－ＦＬＸ ２４상태 상이）
  '027 7943': 'request-error', // 거래불가（시스템준비중－ＦＬＸ 영업일자 상이）
  '003 U711': 'request-error', // 출금은행사용불가，출금은행장애
  '032 T711': 'request-error', // 출금은행 사용불가(출금은행 장애상태)
  '007 H058': 'request-error', // 출금기관 사용불가 합니다.(출금기관 장애상태)
  '039 0203': 'request-error', // 개설은행장애(입금은행사용불가)
  '050 7017': 'request-error', // 이용저축은행 서비스 임시중단(별도시스템 사용저축은행 시스템 작업)
  '002 M603': 'request-error', // 시스템작업중. 잠시 후 재거래요망
  '020 A806': 'request-error', // 시스템 개시전 (업무개시전)
  '020 A807': 'request-error', // 시스템 종료 (업무종료)
  '020 A808': 'request-error', // 시스템 종료중 (업무종료중)
  '240 1908': 'request-error', // F008 펌뱅킹 시스템 업무 개시전 입니다.
  '240 1909': 'request-error', // F009 펌뱅킹 시스템 업무 종료 되었습니다.
  '081 U131': 'request-error', // 은행시스템 종료
  '027 3668': 'request-error', // 금융결제원 시스템종료（종료）
  '090 0915': 'request-error', // 시스템 점검(일자전환)
  '064 1301': 'request-error', // SYSTEM - ID 오류 (a field of our request)
  '266 0301': 'request-error', // SYSTEM - ID 오류
  '267 1301': 'request-error', // SYSTEM - ID 오류
  '027 2559': 'request-error', // SYSTEM ID 오류
  '081 U101': 'request-error', // 고객시스템 ID오류
  '007 R020': 'request-error', // 시스템ID를 입력하십시오.
  '240 2912': 'request-error', // 전문포멧 오류 공통부 시스템 식별코드를 확인할 수 없습니다.
  '020 5902': 'request-error', // 거래허용 회선이 아닙니다
  '089 9153': 'request-error', // 해당회선에서 거래불가한 기관
  '002 2018': 'rejected', // 전자통신금융사기등록계좌 (an account restriction)
  '027 3934': 'rejected', // 소재불명으로인한거래정지
};

/** Which derivation rules may choose each refusal class (scripts/derive-response-codes.mjs). */
const REFUSAL_RULES: Record<'rejected' | 'request-error', readonly string[]> = {
  rejected: ['hecto-spec', 'exception', 'funds-wording', 'limit-wording', 'closed-account-wording', 'legal-or-accident-wording', 'holder-wording',
    'password-wording', 'deposit-impossible-wording', 'account-wording', 'amount-wording', 'overdue-wording', 'destination-bank-wording'],
  'request-error': ['hecto-spec', 'exception', 'format-wording', 'message-type-wording', 'company-or-institution-wording', 'not-registered-for-this-wording',
    'hours-wording', 'bank-unavailable-wording', 'too-early-wording', 'date-of-request-wording', 'bank-code-of-request-wording', 'request-field-wording'],
};

describe('per-bank response codes', () => {
  it('holds every row of the source list (10,460 less 4 duplicates after padding) plus the VAN codes, each with its rule', () => {
    expect(table.size).toBe(10456 + 14);
    expect(rows).toHaveLength(table.size);
    expect(rows.filter((r) => !r.rule)).toEqual([]);
  });

  it('pads codes that lost their leading zeros, per bank', () => {
    expect(table.lookup('004', '0000')).toMatchObject({ outcome: 'success', listed: true, rule: 'code-0000' });
    expect(table.lookup('034', '0100')).toMatchObject({ outcome: 'no-such-transaction', message: expect.stringContaining('원거래가 없습니다') });
  });

  it('classifies processing, unknown and refusals', () => {
    expect(table.lookup('004', '7430').outcome).toBe('processing'); // 개설은행 이체처리중
    expect(table.lookup('005', 'TOUT').outcome).toBe('unknown'); // TIME OVER
    expect(table.lookup('020', 'A233').outcome).toBe('rejected'); // 신규처리중으로 거래불가
    expect(table.lookup('007', 'NREC').outcome).toBe('unknown'); // 수협's NREC says: check the account
  });

  it('never reads a time-out, no answer or failure wording as a refusal, unless it says nothing was done (listed one by one)', () => {
    const failures = rows.filter((r) => FAILURE_WORDS.test(text(r)));
    expect(failures.length).toBeGreaterThan(300);
    const refused = Object.fromEntries(failures.filter(refusals).map((r) => [key(r), r.outcome]));
    expect(refused).toEqual(NOT_PROCESSED_DESPITE_FAILURE_WORD);
    // Each exception is a decision about one message, made in the script's explicit list, not by a pattern.
    for (const k of Object.keys(NOT_PROCESSED_DESPITE_FAILURE_WORD)) expect(rows.find((r) => key(r) === k)?.rule).toBe('exception');
  });

  it('reads the named time-outs and "no answer" codes as unknown: the money may have moved', () => {
    for (const [bank, code, says] of [
      ['003', 'UTIM', '응답시간초과'],
      ['003', 'U311', '응답대기시간경과'],
      ['020', '5744', '제한시간내 응답없습니다'],
      ['027', '2208', '시간초과임'],
      ['027', '3501', '원거래 응답없음'],
      ['004', '7142', '거래은행시스템장애'],
      ['004', '0148', 'TIME OVER'],
    ] as const) {
      expect(table.lookup(bank, code)).toMatchObject({ outcome: 'unknown', listed: true, message: expect.stringContaining(says) });
    }
  });

  it('reads a number the bank saw before, and unclear wordings, as unknown: it may be this very transfer', () => {
    const seen = rows.filter((r) => /전문\s*번호\s*(가\s*)?중복|중복\s*(거래|전문)|^미처리$|^기타\s*(오류|에러)$/.test(text(r)));
    expect(seen.length).toBeGreaterThan(40);
    expect(seen.filter((r) => r.outcome !== 'unknown').map(key)).toEqual([]);
  });

  it("falls back to the VAN's own codes, and treats any unlisted code as unknown, never as a refusal", () => {
    expect(table.lookup('088', 'VTIM').outcome).toBe('unknown');
    expect(table.lookup('088', 'NREC').outcome).toBe('no-such-transaction');
    expect(table.lookup('088', 'ZZZZ')).toMatchObject({ outcome: 'unknown', listed: false });
    const listed = new Set(rows.map(key));
    fc.assert(
      fc.property(fc.constantFrom('004', '020', '088', '999'), fc.stringMatching(/^[0-9A-Z]{4}$/), (bank, code) => {
        fc.pre(!listed.has(`${bank} ${code}`) && !listed.has(`* ${code}`));
        expect(table.lookup(bank, code)).toMatchObject({ outcome: 'unknown', listed: false });
      }),
    );
  });

  it("classes Hecto's own codes by what they answer: refusals of the transaction, errors of the request, time-out, no record", () => {
    const hecto = Object.fromEntries(rows.filter((r) => r.bank === '*').map((r) => [r.code, r.outcome]));
    expect(hecto).toEqual({
      '0000': 'success',
      '0001': 'request-error', // 전문형식불일치(미등록된 유형거래)
      '0101': 'request-error', // content differs from an earlier telegram with that number: this one was not processed
      VTIM: 'unknown',
      NREC: 'no-such-transaction',
      SSSS: 'request-error', // 업체번호 오류
      SB01: 'rejected',
      SB02: 'rejected',
      SB03: 'rejected',
      SB04: 'rejected',
      SB05: 'rejected',
      SB06: 'request-error', // 금결원 기관코드 미세팅
      SB08: 'request-error', // 미등록 유형거래
      SB09: 'request-error',
    });
  });

  it('keeps clear refusals of the transaction rejected', () => {
    for (const [bank, code, says] of [
      ['004', '0133', '출금계좌 잔액부족'],
      ['004', '0122', '입금계좌오류'],
      ['004', '7401', '수취인 계좌 없음'],
      ['004', '7405', '수취인 성명 오류'],
      ['004', '7406', '이체 한도 초과'],
      ['004', '7409', '법적제한 계좌'],
      ['004', '7411', '해약 계좌'],
      ['004', '7412', '잡좌'],
      ['004', '7418', '비실명 계좌'],
      ['004', '0159', '사고신고된 계좌임'],
      ['004', '0119', '비밀번호3회이상 오류'],
      ['004', '7417', '타행이체거래 불가 계좌'],
      ['004', '7413', '기타수취불가'],
    ] as const) {
      expect(table.lookup(bank, code)).toMatchObject({ outcome: 'rejected', message: expect.stringContaining(says) });
    }
    // The common refusal wordings, wherever a bank uses them exactly.
    const exactly = (wordings: readonly string[]) => rows.filter((r) => wordings.includes(text(r).replace(/\s+/g, '')));
    const common = exactly(['잔액부족', '출금계좌잔액부족', '예금잔액부족', '해약계좌', '해지계좌', '법적제한계좌', '사고신고계좌', '비실명계좌',
      '수취인성명오류', '이체한도초과', '잡좌', '이관계좌', '계좌번호오류', '수취인계좌없음', '거래중지계좌', '연체계좌', '가명계좌', '실명미확인', '기타수취불가']);
    expect(common.length).toBeGreaterThan(150);
    expect(common.filter((r) => r.outcome !== 'rejected').map(key)).toEqual([]);
  });

  it('reads errors of the request itself as request-error, never as a refusal of a transaction', () => {
    for (const [bank, code, says] of [
      ['004', '0001', '전문형식불일치'],
      ['004', '0002', '전문구분코드 및 업무구분코드 오류'],
      ['004', '0006', 'REALTIME기관코드오류'],
      ['004', '0007', '은행코드오류'],
      ['004', '0102', '이체 업무 미개시'],
      ['004', '0103', '이체 업무 마감'],
      ['004', '0111', '이체일자 오류'],
      ['004', '7151', '개설은행서비스시간아님'],
      ['003', 'U103', '업체 ID ERROR'],
    ] as const) {
      expect(table.lookup(bank, code)).toMatchObject({ outcome: 'request-error', message: expect.stringContaining(says) });
    }
    const exactly = (wordings: readonly string[]) => rows.filter((r) => wordings.includes(text(r).replace(/\s+/g, '')));
    const common = exactly(['전문형식불일치', '전문구분오류', '업무구분코드오류', '은행코드오류', '기관코드오류', '업체번호오류', '타행환개시전',
      '타행환종료', '즉시이체업무개시전', '즉시이체업무마감후', '거래일자오류', '이체일자오류', 'MESSAGE코드오류']);
    expect(common.length).toBeGreaterThan(80);
    expect(common.filter((r) => r.outcome !== 'request-error').map(key)).toEqual([]);
  });

  it('gives a refusal class only by a positive wording rule of that class; the default is unknown', () => {
    for (const r of rows.filter(refusals)) expect(REFUSAL_RULES[r.outcome as 'rejected' | 'request-error'], `${key(r)} ${r.message}`).toContain(r.rule);
    const byDefault = rows.filter((r) => r.rule === 'default');
    expect(byDefault.length).toBeGreaterThan(1000);
    expect(new Set(byDefault.map((r) => r.outcome))).toEqual(new Set(['unknown']));
    expect(rows.filter((r) => r.outcome === 'success').every((r) => r.code === '0000')).toBe(true);
  });
});
