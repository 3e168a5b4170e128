import { Decimal } from 'decimal.js';
import { maskText } from '../codec/mask.js';
import type { ResponseCodeTable } from '../codes/response-codes.js';
import type { InstitutionProfile } from '../institution/profile.js';
import type { InstitutionSettings } from './institution-settings.js';
import type { Requester } from './ports.js';

/**
 * Questions about our own parent account (모계좌): its balance and today's transfer totals as the bank
 * counts them. Answers are canonical fields, the account masked; an error answer carries no figures (its
 * blank amounts would read as zero).
 */
export class ParentAccountFlow {
  constructor(
    private readonly institution: Pick<InstitutionSettings, 'bankCode' | 'withdrawAccount'>,
    private readonly profile: InstitutionProfile,
    private readonly link: Requester,
    private readonly codes: ResponseCodeTable,
  ) {}

  balance(): Promise<unknown> {
    return this.ask('balance');
  }

  totals(): Promise<unknown> {
    return this.ask('totals');
  }

  /** Today's totals as canonical figures (whole won and counts as text), or null when the bank gave none. */
  async dayTotals(): Promise<Record<string, string | null> | null> {
    const answer = (await this.ask('totals')) as { status: string } & Record<string, unknown>;
    if (answer.status !== 'answered') return null;
    const { status: _status, responseCode: _code, account: _account, ...figures } = answer;
    return Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, v === null || v === undefined ? null : String(v)]));
  }

  private async ask(operation: 'balance' | 'totals'): Promise<unknown> {
    const account = this.institution.withdrawAccount;
    const o = await this.link.request(this.profile.message(operation), this.profile.toWire(operation, 'request', { account }), { timeoutMs: 15_000 });
    if (o.status !== 'answered') return { status: 'unavailable', reason: o.reason };
    if (!this.profile.spec.session!.successCodes.includes(o.responseCode)) {
      const meaning = this.codes.lookup(this.institution.bankCode, o.responseCode);
      return { status: 'refused', responseCode: o.responseCode, outcome: meaning.outcome, message: meaning.message };
    }
    const answer = this.profile.fromWire(operation, 'answer', o.response.fields);
    const figures = Object.fromEntries(Object.entries(answer).map(([k, v]) => [k, v instanceof Decimal ? v.toFixed() : v]));
    return { status: 'answered', responseCode: o.responseCode, account: maskText('account', account), ...figures };
  }
}
