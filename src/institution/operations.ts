/**
 * The engine's own vocabulary: the operations it performs with any institution, and the canonical fields
 * each one carries. An institution's profile binds every operation it supports to a message of its spec
 * and every canonical field to one of that message's fields; flows speak only this vocabulary.
 */

/** What a canonical field holds, which decides how it crosses the edge (bank codes change width there). */
export type CanonicalKind = 'text' | 'account' | 'bankCode' | 'amount' | 'seqNo' | 'date' | 'code' | 'count' | 'sign' | 'secret';

export interface CanonicalField {
  readonly kind: CanonicalKind;
  /** A profile that binds the operation must map this field. */
  readonly required?: boolean;
}

export interface OperationVocabulary {
  /** Fields the side that starts the exchange writes (we, for requests; the bank, for notices). */
  readonly request: Readonly<Record<string, CanonicalField>>;
  /** Fields the answer carries back. */
  readonly answer: Readonly<Record<string, CanonicalField>>;
  /** Who starts the exchange. */
  readonly from: 'company' | 'bank';
}

const req = (kind: CanonicalKind): CanonicalField => ({ kind, required: true });
const opt = (kind: CanonicalKind): CanonicalField => ({ kind });

const TRANSFER_REQUEST = {
  withdrawAccount: opt('account'),
  accountPassword: opt('secret'),
  amount: req('amount'),
  depositBankCode: req('bankCode'),
  depositAccount: req('account'),
  memo: opt('text'),
  recipientName: opt('text'),
} as const;

const TOTALS_ANSWER = {
  totalCount: opt('count'),
  totalAmount: opt('amount'),
  ownOkCount: req('count'),
  ownOkAmount: req('amount'),
  ownFailCount: opt('count'),
  ownFailAmount: opt('amount'),
  ownFee: opt('amount'),
  otherOkCount: req('count'),
  otherOkAmount: req('amount'),
  otherFailCount: opt('count'),
  otherFailAmount: opt('amount'),
  otherFee: opt('amount'),
} as const;

const NOTICE_BODY = {
  account: req('account'),
  inOut: opt('code'),
  amount: req('amount'),
  balanceSign: opt('sign'),
  balance: opt('amount'),
  counterpartyName: opt('text'),
  txDate: opt('date'),
  txTime: opt('text'),
  txSerial: opt('text'),
} as const;

const FAILURE_BODY = {
  originalSeqNo: req('seqNo'),
  withdrawAccount: opt('account'),
  depositBankCode: opt('bankCode'),
  depositAccount: opt('account'),
  amount: opt('amount'),
  errorCode: opt('code'),
} as const;

/**
 * Every operation the engine knows. Session operations (open, close, test call, polling) are bound in the
 * spec's `session` section, which the link reads; the ones below are bound by a profile.
 */
export const OPERATIONS = {
  /** 이체: pay from our parent account. */
  transfer: { from: 'company', request: TRANSFER_REQUEST, answer: { fee: opt('amount'), balance: opt('amount') } },
  /** 이체처리결과조회: what became of a transfer whose answer never came. */
  resultInquiry: {
    from: 'company',
    request: { originalSeqNo: req('seqNo'), originalSendDate: opt('date'), withdrawAccount: opt('account'), depositBankCode: opt('bankCode'), depositAccount: opt('account'), amount: opt('amount') },
    answer: { result: req('code'), fee: opt('amount'), processedAmount: opt('amount') },
  },
  /** 계좌성명조회: who holds an account. */
  nameInquiry: {
    from: 'company',
    request: { bankCode: req('bankCode'), account: req('account'), idNo: opt('secret') },
    answer: { holderName: req('text'), holderNameLong: opt('text') },
  },
  /** 모계좌잔액조회. */
  balance: {
    from: 'company',
    request: { account: req('account') },
    answer: { balanceSign: opt('sign'), balance: req('amount'), availableSign: opt('sign'), available: opt('amount') },
  },
  /** 자금이체집계: the bank's day, for reconciliation. */
  totals: { from: 'company', request: { account: req('account') }, answer: TOTALS_ANSWER },
  /** 예금거래명세통지 (bank → us). */
  depositNotice: { from: 'bank', request: NOTICE_BODY, answer: {} },
  /** 타행이체불능통지 (bank → us): reverses a transfer answered "success". */
  failureNotice: { from: 'bank', request: FAILURE_BODY, answer: {} },
  /** 예금거래명세결번: asks again for a missing deposit notice (its number goes in the header's 전문번호). */
  depositGap: { from: 'company', request: { noticeDate: opt('date') }, answer: NOTICE_BODY },
  /** 타행이체불능결번: asks again for a missing failure notice. */
  failureGap: { from: 'company', request: {}, answer: FAILURE_BODY },
  /**
   * 집금 (출금이체): debit a payer's account into ours. A bank applies it only for a payer number registered
   * before ({@link OPERATIONS.payerRegistration}), so the payer number is required. `withdrawBankCode` is
   * for families whose body names the payer's bank; where none does (Hecto), the link's bank is the payer's.
   */
  collection: {
    from: 'company',
    request: {
      withdrawAccount: req('account'),
      withdrawBankCode: opt('bankCode'),
      withdrawIdNo: opt('secret'),
      amount: req('amount'),
      depositBankCode: opt('bankCode'),
      depositAccount: opt('account'),
      memo: opt('text'),
      payerNo: req('text'),
    },
    answer: { fee: opt('amount') },
  },
  /**
   * 수납출금계좌 등록/해지: register a payer's account for collections under a payer number (`action` "1"),
   * or cancel it ("2"). Registered only when the answer's `processed` is "Y" under a success code.
   */
  payerRegistration: {
    from: 'company',
    request: {
      /** The payer's bank (the bank that receives the telegram). */
      bankCode: req('bankCode'),
      account: req('account'),
      /** "1" register, "2" cancel. */
      action: req('code'),
      applicationDate: req('date'),
      /** "Y": the bank checks `idNo` against the account's holder; "N": it does not. */
      checkIdNo: opt('code'),
      /** 실명번호: birth date (YYMMDD) or business number. */
      idNo: opt('secret'),
      payerNo: req('text'),
      /** 동의자료구분: 1 서면, 2 공인인증, 3 일반인증, 4 녹취, 5 ARS, 6 기타전자문서, 7 사설전자문서. */
      consentType: opt('code'),
      /** 펌뱅킹기관코드, for companies that also use batch firm banking. */
      orgCode: opt('text'),
    },
    answer: {
      /** "Y" done, "N" refused (처리여부). */
      processed: req('code'),
      /** Why it was refused (불능코드). */
      errorCode: opt('code'),
    },
  },
  /**
   * The bank tells us a payer changed their registration at the bank (Hecto 2000/650): a cancellation, or
   * (`action` "1", 국민 counter) a registration there. Anything but "1" is to be read as a cancellation.
   */
  payerCancelNotice: {
    from: 'bank',
    request: {
      bankCode: opt('bankCode'),
      account: req('account'),
      action: opt('code'),
      payerNo: req('text'),
      applicationDate: opt('date'),
      phone: opt('secret'),
      holderName: opt('text'),
    },
    answer: {},
  },
  /** Room for the virtual-account operations of a later issue. */
  virtualAccountNotice: { from: 'bank', request: {}, answer: {} },
} as const satisfies Readonly<Record<string, OperationVocabulary>>;

export type OperationName = keyof typeof OPERATIONS;

export const OPERATION_NAMES = Object.keys(OPERATIONS) as readonly OperationName[];

/** Canonical field name → value, as flows read and write them (values as the codec takes and gives them). */
export type CanonicalFields = Readonly<Record<string, unknown>>;
