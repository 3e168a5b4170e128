import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../src/api/scopes.js';
import type { Gateway } from '../src/gateway/gateway.js';
import type { TransferRow } from '../src/ledger/entities.js';
import type { BankSimulator } from '../src/sim/bank-simulator.js';
import { freshSqlite, startGateway, testConfig } from './helpers/gateway.js';
import { eventually } from './helpers/link.js';

/**
 * A response code is read only for what it answers (issue 7, defects 1 and 2): an inquiry's own failure
 * says nothing about the transfer asked about, a blank 처리결과 proves nothing, a system failure answered to
 * a transfer is an unknown outcome. Each case is one the simulator plays over a real socket, ending with
 * "what the bank applied equals what we say succeeded".
 */
describe('reading response codes for what they answer', () => {
  let gw: Gateway;
  let sim: BankSimulator;
  let base: string;
  let key: string;
  let n = 0;

  const transfer = async (to: { bankCode?: string; account?: string } = {}) => {
    const res = await fetch(`${base}/v1/transfers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ requestId: `rr-${++n}`, bankCode: '088', account: '110123456789', amount: '1000', memo: '대사', ...to }),
    });
    return ((await res.json()) as { id: string }).id;
  };
  const row = async (id: string) => (await gw.ledger.get(id)) as TransferRow;
  const final = async (id: string) => {
    await eventually(async () => ['succeeded', 'failed', 'reversed'].includes((await row(id)).state), 15_000);
    return row(id);
  };
  const states = async (id: string) => (await gw.ledger.events(id)).map((e) => e.toState);
  const applied = (t: TransferRow) => sim.ledger.find(t.sendDate!, t.seqNo!)?.state;

  async function invariant(): Promise<void> {
    const ours = await gw.ledger.ds.getRepository<TransferRow>('Transfer').findBy({ state: 'succeeded' });
    expect(ours.map((t) => `${t.sendDate}|${t.seqNo}`).sort()).toEqual(sim.ledger.applied().map((t) => `${t.date}|${t.seqNo}`).sort());
  }

  beforeAll(async () => {
    gw = await startGateway(testConfig(freshSqlite(), { inquiryMaxAttempts: 8 }));
    sim = gw.institutions.get('hecto')!.simulator!;
    base = `http://127.0.0.1:${gw.apiPort}`;
    key = await gw.apiKeys.create('recon', new Decimal('5000000'), [...SCOPES]);
  }, 60_000);

  afterAll(async () => {
    await gw?.stop();
  });

  it('an inquiry refused for its own reasons (format error, system failure) leaves the transfer unknown until the bank answers about it', async () => {
    sim.faults.arm('no-answer', { message: 'transfer.request' }); // applied, answer lost
    sim.faults.arm('request-error', { message: 'resultInquiry.request', code: '0001' }); // 전문형식불일치
    sim.faults.arm('request-error', { message: 'resultInquiry.request', code: 'SSSS' }); // 업체번호 오류
    sim.faults.arm('request-error', { message: 'resultInquiry.request', code: '7142' }); // 거래은행시스템장애
    sim.faults.arm('request-error', { message: 'resultInquiry.request', code: 'ZZ99' }); // a code no table lists
    const t = await final(await transfer());
    expect(t).toMatchObject({ state: 'succeeded', inquiries: 5 });
    expect(applied(t)).toBe('applied');
    expect(await states(t.id)).toEqual(['requested', 'sending', 'unknown', 'succeeded']);
    await invariant();
  }, 30_000);

  it('a 0000 answer with a blank 처리결과 proves nothing: a transfer the bank never saw is not taken for a success', async () => {
    sim.faults.arm('no-answer-unapplied', { message: 'transfer.request' }); // the bank never saw it
    sim.faults.arm('blank-result', { message: 'resultInquiry.request', count: 2 });
    const t = await final(await transfer());
    expect(t).toMatchObject({ state: 'failed', responseCode: 'NREC', noRecordAnswers: 2, inquiries: 4 });
    expect(applied(t)).toBeUndefined();
    await invariant();
  }, 30_000);

  it('a refusal of the transaction in the inquiry header (처리결과 blank, spec 4-1) settles the transfer as failed', async () => {
    sim.faults.arm('no-answer', { message: 'transfer.request' }); // refused (no such account at the bank), answer lost
    sim.faults.arm('reject', { message: 'resultInquiry.request' }); // the header carries that refusal
    const t = await final(await transfer({ bankCode: '004', account: '999999999' }));
    expect(t).toMatchObject({ state: 'failed', responseCode: '0122', inquiries: 1 });
    expect(applied(t)).toBe('rejected');
    await invariant();
  });

  it('a system failure answered to a transfer the bank applied is an unknown outcome, settled by inquiry', async () => {
    sim.faults.arm('system-error', { message: 'transfer.request', code: '7142' }); // 거래은행시스템장애, after applying
    const t = await final(await transfer());
    expect(t.state).toBe('succeeded');
    expect(applied(t)).toBe('applied');
    expect(await states(t.id)).toEqual(['requested', 'sending', 'unknown', 'succeeded']);
    await invariant();
  });

  it('time-out wordings answered to a transfer are unknown outcomes, not refusals (IBK UTIM)', async () => {
    // The contracted bank is 004 here; VTIM is the VAN's own time-out code, valid for every bank.
    sim.faults.arm('system-error', { message: 'transfer.request', code: 'VTIM' });
    const t = await final(await transfer());
    expect(t.state).toBe('succeeded');
    await invariant();
  });

  it('an error of the transfer request itself (format error) fails it: the bank took nothing', async () => {
    sim.faults.arm('request-error', { message: 'transfer.request', code: '0001' });
    const t = await final(await transfer());
    expect(t).toMatchObject({ state: 'failed', responseCode: '0001' });
    expect(applied(t)).toBe('rejected');
    await invariant();
  });

  it('a name inquiry refused for a system failure is "unavailable", not "not-found"', async () => {
    const verify = async () =>
      (await (await fetch(`${base}/v1/account-verifications`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ bankCode: '004', account: '110123456789' }) })).json()) as Record<string, unknown>;
    sim.faults.arm('request-error', { message: 'nameInquiry.request', code: '7142' });
    expect(await verify()).toMatchObject({ status: 'unavailable', responseCode: '7142' });
    sim.faults.arm('request-error', { message: 'nameInquiry.request', code: '0001' });
    expect(await verify()).toMatchObject({ status: 'unavailable', responseCode: '0001' });
    expect(await verify()).toMatchObject({ status: 'found', holderName: '홍**' });
  });

  it('a balance or totals answer with an error code carries no figures (blank would read as zero)', async () => {
    const get = async (path: string) => (await (await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } })).json()) as Record<string, unknown>;
    sim.faults.arm('request-error', { message: 'balance.request', code: '7142' });
    const balance = await get('/v1/balances');
    expect(balance).toMatchObject({ status: 'refused', responseCode: '7142' });
    expect(balance).not.toHaveProperty('balance');
    expect(balance).not.toHaveProperty('available');
    sim.faults.arm('request-error', { message: 'totals.request', code: '0001' });
    const totals = await get('/v1/totals');
    expect(totals).toMatchObject({ status: 'refused', responseCode: '0001', outcome: 'request-error' });
    expect(totals).not.toHaveProperty('totalCount');
  });
});
