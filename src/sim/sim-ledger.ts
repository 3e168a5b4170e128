import { Decimal } from 'decimal.js';

export interface SimAccount {
  readonly account: string;
  readonly name: string;
  /** 실명번호 (birth date YYMMDD or business number) the bank checks a payer registration against, if known. */
  readonly idNo?: string;
  balance: Decimal;
}

/** An account the simulator starts with (amounts as decimal strings). */
export interface SimAccountSeed {
  readonly account: string;
  readonly name: string;
  readonly balance: string;
  readonly idNo?: string;
}

/** A transfer the simulated bank processed, remembered for result inquiries, totals and notices. */
export interface SimTransfer {
  readonly date: string;
  readonly seqNo: string;
  readonly withdrawAccount: string;
  readonly depositBankCode: string;
  readonly depositAccount: string;
  readonly amount: Decimal;
  readonly fee: Decimal;
  /** The response code it was (or would have been) answered with. */
  readonly code: string;
  /** 적요, as the account holder's passbook shows it (a one-won code, say). */
  readonly memo?: string;
  state: 'applied' | 'rejected' | 'reversed';
}

/**
 * The simulated bank's books: balances per account and every transfer by (send date, 전문번호), so that
 * tests can check what the bank applied against what the engine believes.
 */
export class SimLedger {
  readonly accounts = new Map<string, SimAccount>();
  readonly transfers = new Map<string, SimTransfer>();

  constructor(accounts: readonly SimAccountSeed[]) {
    for (const a of accounts) this.accounts.set(a.account, { account: a.account, name: a.name, balance: new Decimal(a.balance), ...(a.idNo !== undefined ? { idNo: a.idNo } : {}) });
  }

  static key(date: string, seqNo: string): string {
    return `${date}|${seqNo.padStart(6, '0')}`;
  }

  find(date: string, seqNo: string): SimTransfer | undefined {
    return this.transfers.get(SimLedger.key(date, seqNo));
  }

  record(t: SimTransfer): void {
    this.transfers.set(SimLedger.key(t.date, t.seqNo), t);
  }

  /** Applied transfers (not rejected, not reversed): what the bank says moved. */
  applied(): SimTransfer[] {
    return [...this.transfers.values()].filter((t) => t.state === 'applied');
  }

  credit(account: string, amount: Decimal): void {
    const a = this.accounts.get(account);
    if (a) a.balance = a.balance.plus(amount);
  }

  debit(account: string, amount: Decimal): void {
    const a = this.accounts.get(account);
    if (a) a.balance = a.balance.minus(amount);
  }
}

/**
 * Accounts the simulator starts with when none are configured: the company's parent account and a few
 * payees (who are also payers for collections; their 실명번호 are made up birth dates).
 */
export const DEFAULT_SIM_ACCOUNTS: readonly SimAccountSeed[] = [
  { account: '12345678901234', name: '펌뱅크주식회사', balance: '1000000000' },
  { account: '110123456789', name: '홍길동', balance: '0', idNo: '800101' },
  { account: '110987654321', name: '김철수', balance: '0', idNo: '751231' },
  { account: '22233344455', name: '이영희', balance: '50000', idNo: '900215' },
];
