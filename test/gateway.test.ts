import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../src/api/scopes.js';
import type { Gateway } from '../src/gateway/gateway.js';
import type { TransferRow } from '../src/ledger/entities.js';
import { kst } from '../src/link/clock.js';
import type { BankSimulator } from '../src/sim/bank-simulator.js';
import { freshPostgres, freshSqlite, gatewayLogs, startGateway, testConfig } from './helpers/gateway.js';
import { findClearSecrets } from './helpers/log-capture.js';
import { eventually } from './helpers/link.js';

const BODY = { bankCode: '088', account: '110123456789', amount: '15000', memo: '급여', recipientName: '홍길동' };

describe.each(['sqlite', 'postgres'] as const)('gateway on %s, Redis and the simulator', (db) => {
  let gw: Gateway;
  let sim: BankSimulator;
  let base: string;
  let key: string;
  let drop = async () => {};
  let n = 0;

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}/v1/transfers`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const transfer = async (extra: Record<string, unknown> = {}, wait = 5) => {
    const res = await post({ requestId: `r-${db}-${++n}`, ...BODY, ...extra }, { prefer: `wait=${wait}` });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  };
  const row = async (id: string) => (await gw.ledger.get(id)) as TransferRow;
  const settledRow = async (id: string, states = ['succeeded', 'failed', 'reversed']) => {
    await eventually(async () => states.includes((await row(id)).state), 10_000);
    return row(id);
  };

  /** What the bank applied equals what we say succeeded, transfer for transfer (by date and 전문번호). */
  async function invariant(): Promise<void> {
    const ours = await gw.ledger.ds.getRepository<TransferRow>('Transfer').findBy({ state: 'succeeded' });
    const mine = new Set(ours.map((t) => `${t.sendDate}|${t.seqNo}`));
    const bank = new Set(sim.ledger.applied().map((t) => `${t.date}|${t.seqNo}`));
    const onlyBank = [...bank].filter((k) => !mine.has(k));
    const detail = await Promise.all(onlyBank.map(async (k) => {
      const [d, s] = k.split('|');
      const t = await gw.ledger.ds.getRepository<TransferRow>('Transfer').findOneBy({ sendDate: d!, seqNo: s! });
      return { k, ours: t?.state, events: t ? (await gw.ledger.events(t.id)).map((e) => `${e.toState}:${e.reason}`) : null };
    }));
    expect(detail).toEqual([]);
    expect([...mine].sort()).toEqual([...bank].sort());
  }

  beforeAll(async () => {
    let url = freshSqlite();
    if (db === 'postgres') {
      const p = await freshPostgres();
      url = p.url;
      drop = p.drop;
    }
    gw = await startGateway(testConfig(url));
    sim = gw.institutions.get('hecto')!.simulator!;
    base = `http://127.0.0.1:${gw.apiPort}`;
    key = await gw.apiKeys.create('payroll', new Decimal('5000000'), SCOPES);
  }, 60_000);

  afterAll(async () => {
    await gw?.stop();
    await drop();
    // Everything the gateway logged during the suite (debug and up): no account, name, key or password in clear.
    expect(gatewayLogs.lines().some((l) => l['event'] === 'transfer.unknown' && typeof l['transferId'] === 'string')).toBe(true);
    expect(findClearSecrets(gatewayLogs.text(), [BODY.account, key], [BODY.recipientName, '홍길동'])).toEqual([]);
  });

  it('sends a transfer end to end and waits for the bank\'s answer', async () => {
    const { status, body } = await transfer();
    expect(status).toBe(201);
    expect(body).toMatchObject({ state: 'succeeded', amount: '15000', fee: '500', account: '********6789', responseCode: '0000' });
    const t = await row(body['id']!);
    expect(t.seqNo).toMatch(/^\d{6}$/);
    expect(t.amount.toFixed()).toBe('15000');
    const events = await gw.ledger.events(t.id);
    expect(events.map((e) => e.toState)).toEqual(['requested', 'sending', 'succeeded']);
    const telegrams = await gw.ledger.telegrams(t.id);
    expect(telegrams[0]).toMatchObject({ direction: 'out', message: 'transfer.request', seqNo: t.seqNo });
    expect(telegrams[0]!.raw.length).toBe(300);
    const got = await fetch(`${base}/v1/transfers/${t.id}`, { headers: { authorization: `Bearer ${key}` } });
    expect(((await got.json()) as { state: string }).state).toBe('succeeded');
    await eventually(async () => (await gw.ledger.telegrams(t.id)).length === 2);
    const shown = (await (await fetch(`${base}/v1/transfers/${t.id}/telegrams`, { headers: { authorization: `Bearer ${key}` } })).json()) as { direction: string; message: string; fields: Record<string, string> }[];
    expect(shown.map((x) => `${x.direction} ${x.message}`)).toEqual(['out transfer.request', 'in transfer.response']);
    expect(shown[1]!.fields).toMatchObject({ responseCode: '0000', depositAccount: '********6789', depositHolderName: '홍**', amount: '15000' });
    await invariant();
  });

  it('is idempotent: the same request id and body is the same transfer; another body is a conflict', async () => {
    const body = { requestId: `idem-${db}`, ...BODY };
    const all = await Promise.all(Array.from({ length: 5 }, () => post(body, { prefer: 'wait=5' })));
    const ids = new Set(await Promise.all(all.map(async (r) => ((await r.json()) as { id: string }).id)));
    expect(ids.size).toBe(1);
    expect(all.filter((r) => r.status === 201)).toHaveLength(1);
    const conflict = await post({ ...body, amount: '15001' });
    expect(conflict.status).toBe(409);
    expect(conflict.headers.get('content-type')).toContain('application/problem+json');
    expect(sim.ledger.applied().filter((t) => t.amount.equals(15000)).length).toBeGreaterThanOrEqual(1);
    await invariant();
  });

  it('answers bad input with problem+json naming the field, and only 4xx', async () => {
    const cases: [Record<string, unknown>, string, number][] = [
      [{ ...BODY, requestId: 'x', amount: '0' }, 'amount', 400],
      [{ ...BODY, requestId: 'x', amount: '5000001' }, 'amount', 422],
      [{ ...BODY, requestId: 'x', amount: 15000 }, 'amount', 400],
      [{ ...BODY, requestId: 'x', bankCode: '88' }, 'bankCode', 400],
      [{ ...BODY, requestId: 'x', bankCode: '999' }, 'bankCode', 400],
      [{ ...BODY, requestId: 'x', bankCode: '000' }, 'bankCode', 400],
      [{ ...BODY, requestId: 'x', account: '110-123-456' }, 'account', 400],
      [{ ...BODY, requestId: 'x', memo: '급여입니다감사합니다' }, 'memo', 400],
      [{ ...BODY, requestId: 'x', recipientName: '😀' }, 'recipientName', 400],
      // Control characters never reach the bank or the database (a NUL was a 500 on PostgreSQL).
      [{ ...BODY, requestId: 'x', memo: '급여\u0000' }, 'memo', 400],
      [{ ...BODY, requestId: 'x', memo: 'a\r\nb' }, 'memo', 400],
      [{ ...BODY, requestId: 'x', memo: '\u001b[2J' }, 'memo', 400],
      [{ ...BODY, requestId: 'x', recipientName: '홍\t길동' }, 'recipientName', 400],
      [{ ...BODY, requestId: 'x', recipientName: '홍\u007f' }, 'recipientName', 400],
      [{ ...BODY, requestId: 'x', recipientName: '홍\u0085' }, 'recipientName', 400],
      [{ ...BODY }, 'requestId', 400],
      [{ ...BODY, requestId: 'x', extra: 1 }, 'extra', 400],
    ];
    for (const [body, field, status] of cases) {
      const res = await post(body);
      const problem = (await res.json()) as { field?: string; status: number; detail: string };
      expect([res.status, problem.field], JSON.stringify(body)).toEqual([status, field]);
      expect(problem.detail).not.toMatch(/\n\s+at /);
    }
    const notJson = await fetch(`${base}/v1/transfers`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{"requestId":' });
    expect(notJson.status).toBe(400);
    expect((await fetch(`${base}/v1/transfers`, { method: 'POST', body: '{}' })).status).toBe(401);
    expect((await fetch(`${base}/health`)).status).toBe(401);
    expect((await fetch(`${base}/openapi.json`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    const other = await gw.apiKeys.create('billing', new Decimal('1000'));
    const mine = await transfer();
    expect((await fetch(`${base}/v1/transfers/${mine.body['id']}`, { headers: { authorization: `Bearer ${other}` } })).status).toBe(404);
  });

  it('no answer: unknown, settled by result inquiry, never sent twice', async () => {
    sim.faults.arm('no-answer', { message: 'transfer.request' });
    const before = sim.ledger.transfers.size;
    const { status, body } = await transfer({}, 0);
    expect(status).toBe(202);
    const t = await settledRow(body['id']!);
    expect(t.state).toBe('succeeded');
    expect(sim.ledger.transfers.size).toBe(before + 1); // one 2000/100 reached the bank, not two
    expect((await gw.ledger.events(t.id)).map((e) => e.toState)).toEqual(['requested', 'sending', 'unknown', 'succeeded']);
    await invariant();
  });

  it('lost before the bank saw it: unknown, then "no record" twice settles it as failed; nothing moved', async () => {
    sim.faults.arm('no-answer-unapplied', { message: 'transfer.request' });
    const { body } = await transfer({}, 0);
    const t = await settledRow(body['id']!);
    expect(t).toMatchObject({ state: 'failed', responseCode: 'NREC', noRecordAnswers: 2 });
    expect(sim.ledger.find(t.sendDate!, t.seqNo!)).toBeUndefined();
    await invariant();
  });

  it('an unknown transfer the bank never answers about is flagged for an operator after the last inquiry', async () => {
    sim.faults.arm('no-answer', { message: 'transfer.request' });
    sim.faults.arm('no-answer', { message: 'resultInquiry.request', count: 5 });
    const { body } = await transfer({}, 0);
    await eventually(async () => (await row(body['id']!)).needsOperator, 20_000);
    const t = await row(body['id']!);
    expect(t).toMatchObject({ state: 'unknown', inquiries: 5 });
    expect(sim.ledger.transfers.get(`${t.sendDate}|${t.seqNo}`)?.state).toBe('applied'); // the money did move
    // Never sent again: an operator settles it (the console's work, done here by hand).
    expect([...sim.ledger.transfers.values()].filter((x) => x.seqNo === t.seqNo && x.date === t.sendDate)).toHaveLength(1);
    expect(await gw.ledger.move(t.id, 'unknown', 'succeeded', 'operator: confirmed with the bank by phone', { needsOperator: false })).not.toBeNull();
    await invariant();
  }, 30_000);

  it('a "processing" answer is settled by inquiry; a refusal fails at once', async () => {
    sim.faults.arm('processing', { message: 'transfer.request' });
    const a = await settledRow((await transfer({}, 0)).body['id']!);
    expect(a.state).toBe('succeeded');
    sim.faults.arm('reject', { message: 'transfer.request' });
    const b = await transfer();
    expect(b.body).toMatchObject({ state: 'failed', responseCode: '0133' });
    await invariant();
  });

  it('late and duplicate answers do not double anything', async () => {
    sim.faults.lateMs = 1_500;
    sim.faults.arm('late', { message: 'transfer.request' });
    const late = await settledRow((await transfer({}, 0)).body['id']!);
    sim.faults.arm('duplicate', { message: 'transfer.request' });
    const dup = await settledRow((await transfer({}, 0)).body['id']!);
    expect([late.state, dup.state]).toEqual(['succeeded', 'succeeded']);
    await invariant();
  });

  it('refused connections: not sent, retried, then sent once the bank is back', async () => {
    sim.faults.refuseConnections = true;
    sim.dropConnections();
    const { body } = await transfer({}, 0);
    await new Promise((r) => setTimeout(r, 400));
    expect((await row(body['id']!)).state).toMatch(/requested|sending/);
    sim.faults.refuseConnections = false;
    const t = await settledRow(body['id']!);
    expect(t.state).toBe('succeeded');
    if (process.env['DEBUG_FB']) {
      console.log(JSON.stringify((await gw.ledger.events(t.id)).map((e) => `${e.toState}:${e.reason}`), null, 1));
      console.log(JSON.stringify((await gw.ledger.telegrams(t.id)).map((x) => `${x.direction} ${x.message} ${x.seqNo}`)));
      console.log(JSON.stringify(sim.ledger.applied().slice(-3).map((x) => x.seqNo)));
    }
    await invariant();
  });

  it('a failure notice reverses a succeeded transfer, once, and is stored before it is acknowledged', async () => {
    const { body } = await transfer();
    const t = await row(body['id']!);
    await sim.pushFailureNotice(t.sendDate!, t.seqNo!);
    expect((await row(t.id)).state).toBe('reversed'); // the reply came after the commit
    const notices = await gw.ledger.notices('hecto');
    expect(notices.filter((x) => x.transferId === t.id)).toHaveLength(1);
    expect((await gw.ledger.events(t.id)).map((e) => e.toState).slice(-1)).toEqual(['reversed']);
    await sim.pushDepositNotice({ account: '12345678901234', amount: '70000', name: '김입금' });
    expect((await gw.ledger.notices('hecto')).some((x) => x.message === 'depositNotice.request' && JSON.parse(x.fields).amount === '70000')).toBe(true);
    // The bank numbers its notices from 1, as we number our telegrams: a notice is never shown as a transfer's.
    for (let i = 0; i < 3; i++) await sim.pushDepositNotice({ account: '12345678901234', amount: '1', name: '김입금' });
    let collisions = 0;
    for (const n of await gw.ledger.notices('hecto')) {
      const same = await gw.ledger.findBySeq('hecto', '004', 'FIRMBANK01', n.sendDate, n.seqNo);
      if (!same) continue;
      collisions++;
      expect((await gw.ledger.telegrams(same.id)).map((x) => x.message)).not.toContain(n.message);
    }
    expect(collisions).toBeGreaterThan(0);
  });

  it('verifies account holders and reads the balance', async () => {
    const v = async (b: unknown) => (await (await fetch(`${base}/v1/account-verifications`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(b) })).json()) as Record<string, unknown>;
    expect(await v({ bankCode: '004', account: '110123456789', name: '홍 길동' })).toMatchObject({ status: 'verified', holderName: '홍**' });
    expect(await v({ bankCode: '004', account: '110123456789', name: '김철수' })).toMatchObject({ status: 'mismatch' });
    expect(await v({ bankCode: '004', account: '999999999' })).toMatchObject({ status: 'not-found' });
    const bal = (await (await fetch(`${base}/v1/balances`, { headers: { authorization: `Bearer ${key}` } })).json()) as Record<string, string>;
    expect(bal['account']).toBe('**********1234');
    expect(new Decimal(bal['balance']!).equals(sim.ledger.accounts.get('12345678901234')!.balance)).toBe(true);
    const totals = (await (await fetch(`${base}/v1/totals`, { headers: { authorization: `Bearer ${key}` } })).json()) as Record<string, string>;
    expect(totals['status']).toBe('answered');
    expect(Number(totals['totalCount'])).toBe(sim.ledger.transfers.size);
  });

  it('a failure notice that arrives while its transfer is still being sent is applied once the answer is in', async () => {
    sim.faults.latencyMs = 150; // the answer comes after the notice, and before the request times out
    const { body } = await transfer({}, 0);
    await eventually(async () => (await row(body['id']!)).seqNo !== null);
    const t = await row(body['id']!);
    expect(t.state).toBe('sending');
    // The bank applied it at once and bounces it before its own answer reaches us.
    await eventually(() => sim.ledger.find(t.sendDate!, t.seqNo!) !== undefined);
    await sim.pushFailureNotice(t.sendDate!, t.seqNo!);
    sim.faults.latencyMs = 0;
    expect((await settledRow(t.id, ['reversed'])).state).toBe('reversed');
  });

  it('a transfer whose queueing was lost (Redis down after the commit) is picked up by the sweep', async () => {
    const { transfer: t } = await gw.ledger.createTransfer({
      service: 'payroll', requestId: `lost-${db}`, requestHash: 'h', institution: 'hecto', bankCode: '004', companyId: 'FIRMBANK01',
      withdrawAccount: '12345678901234', depositBankCode: '004', depositAccount: '110123456789', amount: new Decimal(777), memo: '', recipientName: '',
    });
    expect((await settledRow(t.id)).state).toBe('succeeded');
    await invariant();
  });

  it('stores won exactly, 13 digits and all', async () => {
    const big = await gw.ledger.createTransfer({
      service: 'exact', requestId: `big-${db}`, requestHash: 'h', institution: 'hecto', bankCode: '004', companyId: 'X',
      withdrawAccount: '1', depositBankCode: '004', depositAccount: '2', amount: new Decimal('9007199254740'), memo: '', recipientName: '',
    });
    expect((await row(big.transfer.id)).amount.toFixed()).toBe('9007199254740');
    await gw.ledger.move(big.transfer.id, 'requested', 'failed', 'test row');
  });

  it('keeps 전문번호 unique and increasing per day while two sources take blocks at once', async () => {
    const { DbSequenceSource } = await import('../src/ledger/db-sequence-source.js');
    const a = new DbSequenceSource(gw.ledger.ds, 7);
    const b = new DbSequenceSource(gw.ledger.ds, 7);
    const scope = { date: '2030-01-01', bankCode: '004', companyId: `SEQ${db}`, max: 950_000 };
    const got = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).next(scope)));
    expect(new Set(got).size).toBe(200);
    const tight = new DbSequenceSource(gw.ledger.ds, 3);
    const near = { ...scope, companyId: `MAX${db}`, max: 5 };
    for (let i = 0; i < 5; i++) await tight.next(near);
    await expect(tight.next(near)).rejects.toMatchObject({ code: 'FB_SEQ_EXHAUSTED' });
  });

  it('the date in every stamp is KST', () => {
    expect(kst(new Date('2026-11-24T15:00:00Z')).date).toBe('2026-11-25');
  });
});
