import { connect } from 'node:net';
import { Decimal } from 'decimal.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { DecodedTelegram } from '../src/codec/values.js';
import { encodeFrame, FrameDecoder } from '../src/framing/frame-decoder.js';
import { kst } from '../src/link/clock.js';
import { LinkPool } from '../src/link/link-pool.js';
import { MemorySequenceSource } from '../src/link/sequence.js';
import { NoticeServer } from '../src/link/notice-server.js';
import { hecto, linkTo, recordingLogger, startSim, TRANSFER } from './helpers/link.js';

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function session() {
  const { sim, port } = await startSim();
  const link = linkTo(port);
  cleanup.push(() => sim.close(), () => link.close());
  expect(await link.ready()).toBe(true);
  return { sim, link };
}

const answered = async (p: ReturnType<ReturnType<typeof linkTo>['request']>) => {
  const o = await p;
  if (o.status !== 'answered') throw new Error(`expected an answer, got ${o.status}`);
  return o;
};

describe('the bank simulator is as strict as a bank about sessions', () => {
  /** Raw telegrams over a bare socket: no link to open the day for us. */
  async function bare(port: number) {
    const socket = connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const decoder = new FrameDecoder(hecto.spec.framing);
    const answers: DecodedTelegram[] = [];
    socket.on('data', (d) => {
      for (const f of decoder.push(d)) answers.push(hecto.decode(f));
    });
    cleanup.push(() => void socket.destroy());
    let seq = 0;
    const date = kst(new Date()).date;
    return async (message: string, fields: Record<string, string>, company = 'FIRM01') => {
      const n = answers.length;
      socket.write(encodeFrame(hecto.spec.framing, hecto.encode(message, { ...fields, companyId: company, bankCode: '004', seqNo: String(++seq), sendDate: date, sendTime: '10:00:00' })));
      for (let i = 0; i < 200 && answers.length === n; i++) await new Promise((r) => setTimeout(r, 5));
      return answers[n]!;
    };
  }

  it('refuses business before the day is opened on the connection, and for another company', async () => {
    const { sim, port } = await startSim();
    cleanup.push(() => sim.close());
    const send = await bare(port);
    const transfer = { withdrawAccount: '12345678901234', amount: '1000', depositBankCode: '004', depositAccount: '110123456789' };
    expect((await send('transfer.request', transfer)).fields['responseCode']).toBe('0001');
    expect(sim.ledger.transfers.size).toBe(0);
    expect((await send('open.request', {})).fields['responseCode']).toBe('0000');
    expect((await send('transfer.request', transfer, 'INTRUDER')).fields['responseCode']).toBe('SSSS');
    expect((await send('transfer.request', transfer)).fields['responseCode']).toBe('0000');
    expect((await send('close.request', {})).fields['responseCode']).toBe('0000');
    expect((await send('balance.request', { account: '12345678901234' })).fields['responseCode']).toBe('0001');
    expect(sim.ledger.applied()).toHaveLength(1);
  });
});

describe('the bank simulator keeps checkable books', () => {
  it('moves money, charges other-bank fees, refuses overdrafts and unknown accounts', async () => {
    const { sim, link } = await session();
    const before = sim.ledger.accounts.get('12345678901234')!.balance;
    const ok = await answered(link.request('transfer.request', TRANSFER));
    expect(ok.responseCode).toBe('0000');
    expect(sim.ledger.accounts.get('12345678901234')!.balance.toFixed()).toBe(before.minus(15_500).toFixed());
    expect((ok.response.fields['balance'] as Decimal).toFixed()).toBe(before.minus(15_500).toFixed());
    const own = await answered(link.request('transfer.request', { ...TRANSFER, depositBankCode: '004', amount: '1000' }));
    expect((own.response.fields['fee'] as Decimal).toFixed()).toBe('0');
    expect((await answered(link.request('transfer.request', { ...TRANSFER, amount: '9999999999999' }))).responseCode).toBe('0133');
    expect((await answered(link.request('transfer.request', { ...TRANSFER, depositBankCode: '004', depositAccount: '999' }))).responseCode).toBe('0122');
  });

  it('answers name, balance, result and totals inquiries from what it processed', async () => {
    const { link } = await session();
    expect((await answered(link.request('nameInquiry.request', { account: '22233344455' }))).response.fields['holderName']).toBe('이영희');
    expect((await answered(link.request('nameInquiry.request', { account: '000' }))).responseCode).toBe('0122');
    const t = await answered(link.request('transfer.request', TRANSFER));
    await answered(link.request('transfer.request', { ...TRANSFER, amount: '999999999999' }));
    const r = await answered(link.request('resultInquiry.request', { originalSeqNo: t.request.seqNo }));
    expect(r.response.fields).toMatchObject({ result: '0000', depositAccount: '110123456789' });
    expect((r.response.fields['processedAmount'] as Decimal).toFixed()).toBe('15000');
    const bal = await answered(link.request('balance.request', { account: '22233344455' }));
    expect((bal.response.fields['ledgerBalance'] as Decimal).toFixed()).toBe('50000');
    const totals = await answered(link.request('totals.request', { withdrawAccount: '12345678901234' }));
    expect(totals.response.fields).toMatchObject({ totalCount: '000002', otherOkCount: '000001', otherFailCount: '000001' });
    expect((totals.response.fields['otherOkAmount'] as Decimal).toFixed()).toBe('15000');
    expect((totals.response.fields['otherFeeAmount'] as Decimal).toFixed()).toBe('500');
    // A total the layout cannot carry is answered with a format error, and the bank carries on.
    await answered(link.request('transfer.request', { ...TRANSFER, amount: '9999999999999' }));
    expect((await answered(link.request('totals.request', {}))).responseCode).toBe('0001');
    expect((await answered(link.request('balance.request', { account: '22233344455' }))).responseCode).toBe('0000');
  });

  it('a failure notice reverses a transfer it had answered "success", and the client acknowledges it', async () => {
    const notices: DecodedTelegram[] = [];
    const { sim, port } = await startSim();
    const link = linkTo(port, { onNotice: async (t) => void notices.push(t) });
    cleanup.push(() => sim.close(), () => link.close());
    await link.ready();
    const t = await answered(link.request('transfer.request', TRANSFER));
    await sim.pushFailureNotice(kst(new Date()).date, t.request.seqNo);
    expect(notices[0]!.message).toBe('failureNotice.request');
    expect(notices[0]!.fields['originalSeqNo']).toBe(t.request.seqNo);
    expect(sim.ledger.find(kst(new Date()).date, t.request.seqNo)!.state).toBe('reversed');
    expect(sim.ledger.accounts.get('110123456789')!.balance.toFixed()).toBe('0');
  });

  it('answers a gap request with the notice that went missing', async () => {
    const { sim, port } = await startSim();
    const link = linkTo(port, { onNotice: async () => {} });
    cleanup.push(() => sim.close(), () => link.close());
    await link.ready();
    await sim.pushDepositNotice({ account: '12345678901234', amount: '777', name: '박송금' });
    const gap = await answered(link.request('depositGap.request', { seqNo: '000001', txDate: kst(new Date()).date }));
    expect(gap.responseCode).toBe('0000');
    expect(gap.response.fields['counterpartyName']).toBe('박송금');
    expect((gap.response.fields['amount'] as Decimal).toFixed()).toBe('777');
  });
});

describe('several connections per institution', () => {
  it('spreads requests over the ready connections with one numbering', async () => {
    const { sim, port } = await startSim();
    const pool = new LinkPool({ codec: hecto, host: '127.0.0.1', port, companyId: 'FIRM01', bankCode: '004', sequence: new MemorySequenceSource(), tickMs: 10 }, 3).start();
    cleanup.push(() => sim.close(), () => pool.close());
    expect(await pool.ready()).toBe(true);
    await Promise.all(pool.links.map((l) => l.ready()));
    expect(sim.connections).toBe(3);
    const outcomes = await Promise.all(Array.from({ length: 30 }, () => pool.request('balance.request', { account: '12345678901234' })));
    const seqs = outcomes.map((o) => (o.status === 'answered' ? o.request.seqNo : 'x'));
    expect(new Set(seqs).size).toBe(30);
  });
});

describe('inbound listener (the bank connects to us)', () => {
  it('persists-then-acknowledges notices, echoing the reserved areas, and survives a bad frame', async () => {
    const logger = recordingLogger();
    const accepted: DecodedTelegram[] = [];
    const server = new NoticeServer({ codec: hecto, logger, onNotice: async (t) => void accepted.push(t) });
    const port = await server.listen();
    cleanup.push(() => server.close());

    const notice = hecto.encode('depositNotice.request', {
      companyId: 'FIRM01', bankCode: '004', seqNo: '000007', sendDate: '2026-11-25', sendTime: '10:00:00',
      reserved1: 'ECHO-ME-1', reserved3: 'AND-ME', account: '12345678901234', inOutType: '11', amount: '5000', counterpartyName: '최입금', txDate: '2026-11-25',
    });
    const bad = connect(port, '127.0.0.1');
    await new Promise((r) => bad.once('connect', r));
    bad.write('zzzz-not-a-frame');
    await new Promise((r) => bad.once('close', r)); // that connection is dropped …

    const bank = connect(port, '127.0.0.1'); // … and the server still serves others
    const frames = new FrameDecoder(hecto.spec.framing);
    const reply = new Promise<Buffer>((resolve) => bank.on('data', (c) => frames.push(c).forEach((f) => resolve(Buffer.from(f)))));
    bank.write(encodeFrame(hecto.spec.framing, notice));
    const decoded = hecto.decode(await reply);
    bank.destroy();
    expect(accepted).toHaveLength(1);
    expect(decoded.message).toBe('depositNotice.response');
    expect(decoded.fields).toMatchObject({ responseCode: '0000', seqNo: '000007', reserved1: 'ECHO-ME-1', reserved3: 'AND-ME', account: '12345678901234' });
    expect(logger.events.some((e) => e.event === 'notice-server.framing-error')).toBe(true);
  });
});
