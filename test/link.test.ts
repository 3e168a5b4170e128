import { createServer, type Socket } from 'node:net';
import { Decimal } from 'decimal.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { DecodedTelegram } from '../src/codec/values.js';
import { encodeFrame, FrameDecoder } from '../src/framing/frame-decoder.js';
import type { BankLink } from '../src/link/bank-link.js';
import { kst } from '../src/link/clock.js';
import { DuplicateRequestError } from '../src/link/duplicate-request-error.js';
import type { TrafficRecord } from '../src/link/exchange.js';
import type { BankSimulator } from '../src/sim/bank-simulator.js';
import { eventually, hecto, linkTo, recordingLogger, startSim, TRANSFER } from './helpers/link.js';
import { hectoProfile } from './helpers/specs.js';

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function setup(extra: Parameters<typeof linkTo>[1] = {}): Promise<{ sim: BankSimulator; port: number; link: BankLink }> {
  const { sim, port } = await startSim();
  const link = linkTo(port, extra);
  cleanup.push(() => sim.close(), () => link.close());
  expect(await link.ready()).toBe(true);
  return { sim, port, link };
}

describe('BankLink against the simulator, real sockets', () => {
  it('opens the business day, then a transfer is answered and the bank applied it', async () => {
    const traffic: TrafficRecord[] = [];
    const { sim, link } = await setup({ onTraffic: (r) => void traffic.push(r) });
    const o = await link.request('transfer.request', TRANSFER);
    expect(o.status).toBe('answered');
    if (o.status !== 'answered') return;
    expect(o.responseCode).toBe('0000');
    expect(o.response.message).toBe('transfer.response');
    expect((o.response.fields['fee'] as Decimal).toFixed()).toBe('500');
    expect(o.request.seqNo).toBe('000002'); // 000001 was the open telegram
    expect(sim.ledger.find(kst(new Date()).date, '000002')?.state).toBe('applied');
    expect(sim.ledger.accounts.get('110123456789')!.balance.toFixed()).toBe('15000');
    // Every telegram either way was reported: open, its answer, the transfer, its answer.
    expect(traffic.map((t) => `${t.direction} ${t.message}`)).toEqual(['out open.request', 'in open.response', 'out transfer.request', 'in transfer.response']);
  });

  it('an answer its requester keeps itself is handed over without waiting for onTraffic, which sees it marked kept; others wait to be kept', async () => {
    const seen: TrafficRecord[] = [];
    let release!: () => void;
    let keeping: Promise<void> | undefined; // set once the day is open
    // A store that does not finish keeping until released: only answers the link must keep wait for it.
    const { link } = await setup({ onTraffic: (r) => (seen.push(r), r.kept ? undefined : keeping) });
    keeping = new Promise<void>((r) => (release = r));
    const waited = link.request('balance.request', { account: '12345678901234' });
    const own = await link.request('transfer.request', TRANSFER, { keepsAnswer: true });
    expect(own.status).toBe('answered');
    expect(seen.find((r) => r.message === 'transfer.response')?.kept).toBe(true);
    expect(seen.find((r) => r.message === 'balance.response')?.kept).toBeUndefined();
    let done = false;
    void waited.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false); // still being kept
    release();
    expect((await waited).status).toBe('answered');
  });

  it('carries thousands of requests in flight on one connection, each matched to its own answer', async () => {
    const { link } = await setup({ requestTimeoutMs: 20_000 });
    const n = 5_000;
    const outcomes = await Promise.all(Array.from({ length: n }, (_, i) => link.request('nameInquiry.request', { account: i % 2 ? '110123456789' : '110987654321', targetBankCode: '004' })));
    expect(outcomes.every((o) => o.status === 'answered')).toBe(true);
    outcomes.forEach((o, i) => {
      if (o.status !== 'answered') return;
      expect(o.response.fields['seqNo']).toBe(o.request.seqNo);
      expect(o.response.fields['holderName']).toBe(i % 2 ? '홍길동' : '김철수');
    });
    expect(new Set(outcomes.map((o) => o.status === 'answered' && o.request.seqNo)).size).toBe(n);
    expect(link.inFlight).toBe(0);
  });

  it('no answer: the outcome is unknown (never not-sent), and the bank did apply it', async () => {
    const { sim, link } = await setup();
    sim.faults.arm('no-answer', { message: 'transfer.request' });
    const o = await link.request('transfer.request', TRANSFER, { timeoutMs: 200 });
    expect(o).toMatchObject({ status: 'unknown', reason: expect.stringContaining('no answer') });
    if (o.status !== 'unknown') return;
    expect(o.request.writtenAt).toBeInstanceOf(Date);
    // The only safe next step: ask. The bank says it processed it.
    const q = await link.request('resultInquiry.request', { originalSeqNo: o.request.seqNo });
    expect(q.status === 'answered' && q.response.fields['result']).toBe('0000');
  });

  it('no answer and not applied: unknown too; the inquiry says there is no such transaction', async () => {
    const { sim, link } = await setup();
    sim.faults.arm('no-answer-unapplied', { message: 'transfer.request' });
    const o = await link.request('transfer.request', TRANSFER, { timeoutMs: 200 });
    expect(o.status).toBe('unknown');
    if (o.status !== 'unknown') return;
    const q = await link.request('resultInquiry.request', { originalSeqNo: o.request.seqNo });
    expect(q.status === 'answered' && q.response.fields['result']).toBe('NREC');
  });

  it('an answer after the timeout is unknown for the caller and goes to the unmatched handler, logged', async () => {
    const unmatched: DecodedTelegram[] = [];
    const logger = recordingLogger();
    const { sim, link } = await setup({ onUnmatched: (t) => unmatched.push(t), logger });
    sim.faults.lateMs = 300;
    sim.faults.arm('late', { message: 'transfer.request' });
    const o = await link.request('transfer.request', TRANSFER, { timeoutMs: 100 });
    expect(o.status).toBe('unknown');
    await eventually(() => unmatched.length === 1);
    expect(unmatched[0]!.message).toBe('transfer.response');
    const logged = logger.events.find((e) => e.event === 'link.unmatched');
    expect(logged).toBeDefined();
    expect(JSON.stringify(logged)).not.toContain('12345678901234'); // accounts masked in logs
  });

  it('a duplicate answer settles the request once and the second goes to the unmatched handler', async () => {
    const unmatched: DecodedTelegram[] = [];
    const { sim, link } = await setup({ onUnmatched: (t) => unmatched.push(t) });
    sim.faults.arm('duplicate', { message: 'transfer.request' });
    const o = await link.request('transfer.request', TRANSFER);
    expect(o.status).toBe('answered');
    await eventually(() => unmatched.length === 1);
  });

  it('a "processing" answer is an answer carrying the bank\'s processing code', async () => {
    const { sim, link } = await setup();
    sim.faults.arm('processing', { message: 'transfer.request' });
    const o = await link.request('transfer.request', TRANSFER);
    expect(o.status === 'answered' && o.responseCode).toBe('7430');
  });

  it('disconnect mid-frame: the request is unknown, the link reconnects and reopens, the next request works', async () => {
    const { sim, link } = await setup();
    sim.faults.arm('disconnect-mid-frame', { message: 'transfer.request' });
    const o = await link.request('transfer.request', TRANSFER);
    expect(o).toMatchObject({ status: 'unknown', reason: expect.stringContaining('closed before the answer') });
    expect(await link.ready()).toBe(true);
    expect((await link.request('transfer.request', TRANSFER)).status).toBe('answered');
  });

  it('a garbage telegram is reported and the connection goes on; its request ends unknown', async () => {
    const logger = recordingLogger();
    const { sim, link } = await setup({ logger });
    sim.faults.arm('garbage', { message: 'transfer.request' });
    const o = await link.request('transfer.request', TRANSFER, { timeoutMs: 200 });
    expect(o.status).toBe('unknown');
    expect(logger.events.some((e) => e.event === 'link.bad-telegram')).toBe(true);
    expect((await link.request('transfer.request', TRANSFER)).status).toBe('answered');
    expect(link.state).toBe('ready');
  });

  it('a bad length prefix closes that connection only; the link reconnects', async () => {
    const logger = recordingLogger();
    const { sim, link } = await setup({ logger });
    sim.faults.arm('bad-length', { message: 'transfer.request' });
    const o = await link.request('transfer.request', TRANSFER);
    expect(o.status).toBe('unknown');
    expect(logger.events.find((e) => e.event === 'link.framing-error')?.details?.['error']).toMatch(/41 42 43 44/);
    expect(await link.ready()).toBe(true);
    expect((await link.request('transfer.request', TRANSFER)).status).toBe('answered');
  });

  it('refused connections: requests are not sent (safe to retry); the link comes up once the bank accepts', async () => {
    const { sim, port } = await startSim();
    cleanup.push(() => sim.close());
    sim.faults.refuseConnections = true;
    const link = linkTo(port);
    cleanup.push(() => link.close());
    const o = await link.request('transfer.request', TRANSFER, { timeoutMs: 300 });
    expect(o.status).toBe('not-sent');
    expect(sim.ledger.transfers.size).toBe(0);
    sim.faults.refuseConnections = false;
    expect(await link.ready(5_000)).toBe(true);
  });

  it('nothing listening: not sent, never unknown', async () => {
    const { sim, port } = await startSim();
    await sim.close();
    const link = linkTo(port);
    cleanup.push(() => link.close());
    expect((await link.request('transfer.request', TRANSFER, { timeoutMs: 200 })).status).toBe('not-sent');
  });

  it('reconnects after the bank restarts on the same port', async () => {
    const { sim, port, link } = await setup();
    await sim.close();
    await eventually(() => link.state !== 'ready');
    const again = (await import('../src/sim/bank-simulator.js')).BankSimulator;
    const sim2 = new again({ codec: hecto, profile: hectoProfile });
    await sim2.listen(port);
    cleanup.push(() => sim2.close());
    expect(await link.ready(5_000)).toBe(true);
    await eventually(() => link.isReady);
    const o = await link.request('transfer.request', TRANSFER);
    expect(o.status).toBe('answered');
  });

  it('reopens the business day when the date changes, before any other business', async () => {
    let now = new Date('2026-11-24T14:59:59.000Z'); // 23:59:59 KST
    const traffic: TrafficRecord[] = [];
    const { link } = await setup({ clock: () => now, onTraffic: (r) => void traffic.push(r) });
    expect((await link.request('balance.request', { account: '12345678901234' })).status).toBe('answered');
    now = new Date('2026-11-24T15:00:01.000Z'); // 00:00:01 KST, the next day
    const o = await link.request('balance.request', { account: '12345678901234' });
    expect(o.status).toBe('answered');
    if (o.status !== 'answered') return;
    expect(o.response.fields['sendDate']).toBe('2026-11-25');
    expect(o.request.seqNo).toBe('000002'); // renumbered: 000001 went to the new day's open
    const sent = traffic.filter((t) => t.direction === 'out').map((t) => t.message);
    expect(sent).toEqual(['open.request', 'balance.request', 'open.request', 'balance.request']);
  });

  it('refuses a second request with a key already in flight', async () => {
    const { sim, link } = await setup();
    sim.faults.latencyMs = 100;
    const first = link.request('balance.request', { account: '12345678901234', seqNo: '000500' });
    await expect(link.request('balance.request', { account: '12345678901234', seqNo: '000500' })).rejects.toBeInstanceOf(DuplicateRequestError);
    expect((await first).status).toBe('answered');
  });

  it('polls an idle line and answers the bank\'s polls, echoing the time', async () => {
    // A hand-made bank, to see the raw poll frames.
    const seen: string[] = [];
    const server = createServer((s: Socket) => {
      const frames = new FrameDecoder(hecto.spec.framing, 20);
      s.on('data', (chunk) => {
        for (const f of frames.push(chunk)) {
          const text = f.toString('latin1');
          if (text.startsWith('HDR')) {
            seen.push(text);
            continue;
          }
          const t = hecto.decode(f);
          const response = hecto.message(t.message).response!;
          s.write(encodeFrame(hecto.spec.framing, hecto.encode(response, { ...t.fields, messageCode: undefined, businessCode: undefined, responseCode: '0000' })));
          if (t.message === 'open.request') s.write(encodeFrame(hecto.spec.framing, Buffer.from('HDRREQPOLL1124235959', 'latin1')));
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
    const link = linkTo((server.address() as { port: number }).port, { pollIdleMs: 50 });
    cleanup.push(() => link.close());
    expect(await link.ready()).toBe(true);
    await eventually(() => seen.some((s) => s.startsWith('HDRREQPOLL')) && seen.includes('HDRRESPOLL1124235959'));
    expect(seen.find((s) => s.startsWith('HDRREQPOLL'))).toMatch(/^HDRREQPOLL\d{10}$/);
  });

  it('receives a deposit notice on the session and replies only after the handler accepted it', async () => {
    const accepted: DecodedTelegram[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { sim, link } = await setup({
      onNotice: async (t) => {
        await gate;
        accepted.push(t);
      },
    });
    let replied = false;
    const pushed = sim.pushDepositNotice({ account: '12345678901234', amount: '30000', name: '김입금' }).then(() => (replied = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(replied).toBe(false); // not acknowledged while the handler has not accepted it
    release();
    await pushed;
    expect(accepted[0]!.fields['amount']!.toString()).toBe('30000');
    expect(accepted[0]!.fields['reserved1']).toBe('SIMNOTICE');
    expect(link.state).toBe('ready');
  });

  it('a notice the handler refuses gets no reply (the bank will send it again)', async () => {
    const { sim } = await setup({
      onNotice: async () => {
        throw new Error('database down');
      },
    });
    await expect(sim.pushDepositNotice({ account: '12345678901234', amount: '1', name: 'x' }, 300)).rejects.toThrow(/no reply/);
  });

  it('closes the business day on shutdown', async () => {
    const { sim, link } = await setup();
    await link.close();
    expect(sim.answered.get('close.request')).toBe(1);
    expect(link.state).toBe('closed');
    expect((await link.request('balance.request', { account: '12345678901234' })).status).toBe('not-sent');
  });
});
