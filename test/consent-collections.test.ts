import iconv from 'iconv-lite';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../src/gateway/gateway.js';
import type { TransferRow } from '../src/ledger/entities.js';
import type { BankSimulator } from '../src/sim/bank-simulator.js';
import { freshDatabase, gatewayLogs, startGateway, testConfig } from './helpers/gateway.js';
import { eventually } from './helpers/link.js';
import { findClearSecrets } from './helpers/log-capture.js';
import { ROOT } from './helpers/specs.js';
import { koreanDate } from '../src/queue/batch-queue.js';
import { join } from 'node:path';
import { readTime } from '../src/ledger/sql.js';

const PAYER = { bankCode: '004', account: '110123456789', holderIdNo: '800101', phone: '010-1234-5678' };

/**
 * The path through the real gateway and its embedded simulators (the bank, the ARS provider):
 * ARS consent → registration (2000/550) → collections (2000/200) → withdrawal (2000/550 cancel) or the
 * payer's cancellation at the bank (2000/650); and a one-won verification whose 1 won is a real transfer.
 */
describe.each(['sqlite', 'postgres'] as const)('consents, collections and one-won verification through the gateway on %s', (db) => {
  let gw: Gateway;
  let sim: BankSimulator;
  let key: string;
  let base: string;
  let drop = async () => {};
  let n = 0;

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (res.status === 204 ? {} : await res.json()) as Record<string, unknown> };
  };
  const consentState = async (id: string) => (await call('GET', `/v1/consents/${id}`)).body['state'];
  const registeredConsent = async (payerNumber: string) => {
    const started = await call('POST', '/v1/consents', { requestId: `c-${db}-${++n}`, payerNumber, ...PAYER });
    expect([201, 202], JSON.stringify(started.body)).toContain(started.status);
    const id = String(started.body['id']);
    await eventually(async () => (await consentState(id)) === 'registered', 15_000);
    return id;
  };
  const collect = (consentId: string, amount = '10000', wait = 5) => call('POST', '/v1/collections', { requestId: `col-${db}-${++n}`, consentId, amount, memo: '회비' }, { prefer: `wait=${wait}` });
  /** A query's placeholder, as the database writes it. */
  const p1 = () => (db === 'postgres' ? '$1' : '?');
  const collections = () => gw.ledger.ds.getRepository<TransferRow>('Transfer').findBy({ kind: 'collection' });

  /** What the bank applied equals what we say succeeded, for collections as for transfers. */
  async function invariant(): Promise<void> {
    const ours = (await gw.ledger.ds.getRepository<TransferRow>('Transfer').findBy({ state: 'succeeded' })).map((t) => `${t.sendDate}|${t.seqNo}`);
    expect(ours.sort()).toEqual(sim.ledger.applied().map((t) => `${t.date}|${t.seqNo}`).sort());
  }

  beforeAll(async () => {
    const d = await freshDatabase(db);
    drop = d.drop;
    gw = await startGateway({ ...testConfig(d.url, { bankFileSpec: join(ROOT, 'specs/files/kb-cash.yaml') }), consents: { pollMs: 100, bankRetryMs: 200 }, oneWon: { perServicePerSecond: 1_000 } });
    sim = gw.institutions.get('hecto')!.simulator!;
    base = `http://127.0.0.1:${gw.apiPort}`;
    key = await gw.apiKeys.create('billing', new Decimal('5000000'), ['transfers', 'verifications', 'consents', 'collections']);
    sim.ledger.credit(PAYER.account, new Decimal('100000'));
  }, 60_000);

  afterAll(async () => {
    await gw?.stop();
    await drop();
    // Nothing logged holds the payer's account, id number or phone in clear.
    expect(findClearSecrets(gatewayLogs.text(), [PAYER.account, PAYER.phone, '01012345678'], ['홍길동'])).toEqual([]);
  });

  it('an ARS consent registers the payer at the bank; collections then take money, once each, even when an answer is lost', async () => {
    const consentId = await registeredConsent('P-0001');
    expect(sim.payers.find('FIRMBANK01', 'P-0001')).toMatchObject({ account: PAYER.account });
    const shown = (await call('GET', `/v1/consents/${consentId}`)).body;
    expect(JSON.stringify(shown)).not.toContain(PAYER.phone.replace(/-/g, ''));
    expect(JSON.stringify(shown)).not.toContain(PAYER.holderIdNo);

    const first = await collect(consentId);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ state: 'succeeded', consentId, payerNumber: 'P-0001', account: '********6789', amount: '10000' });

    // The answer is lost: unknown, settled by the result inquiry, never sent again.
    sim.faults.arm('no-answer', { message: 'collection.request' });
    const lost = await collect(consentId, '20000', 0);
    await eventually(async () => (await gw.ledger.get(String(lost.body['id'])))?.state === 'succeeded', 15_000);
    const events = await gw.ledger.events(String(lost.body['id']));
    expect(events.map((e) => e.toState)).toEqual(['requested', 'sending', 'unknown', 'succeeded']);
    await invariant();
    expect(await gw.events.feed('billing', 0, 100)).toMatchObject({ events: expect.arrayContaining([expect.objectContaining({ type: 'collection.succeeded' })]) });
  });

  it('refuses what no registered consent allows, naming why; bad input names the field', async () => {
    const unknown = await call('POST', '/v1/collections', { requestId: `x-${db}`, payerNumber: 'NOPE', amount: '1000' });
    expect(unknown).toMatchObject({ status: 409, body: { code: 'FB_CONSENT_NOT_LIVE' } });
    const both = await call('POST', '/v1/collections', { requestId: `y-${db}`, payerNumber: 'NOPE', consentId: '00000000-0000-0000-0000-000000000000', amount: '1000' });
    expect(both).toMatchObject({ status: 400, body: { field: 'consentId' } });
    const zero = await call('POST', '/v1/collections', { requestId: `z-${db}`, payerNumber: 'P-0001', amount: '0' });
    expect(zero).toMatchObject({ status: 400, body: { field: 'amount' } });
    const noScope = await gw.apiKeys.create('payroll', new Decimal('5000000'), ['transfers']);
    const refused = await fetch(`${base}/v1/collections`, { method: 'POST', headers: { authorization: `Bearer ${noScope}`, 'content-type': 'application/json' }, body: JSON.stringify({ requestId: 'q', payerNumber: 'P-0001', amount: '1' }) });
    expect(refused.status).toBe(403);
  });

  it('a withdrawal racing collections: each is either not sent, or sent before the cancellation — never after', async () => {
    const consentId = await registeredConsent('P-0002');
    sim.faults.latencyMs = 30;
    const racing = Array.from({ length: 6 }, () => collect(consentId, '1000', 0));
    // A moment later, while some are being sent (the bank takes 30 ms) and others still wait in the queue.
    const withdrawal = new Promise((r) => setTimeout(r, 15)).then(() => call('DELETE', `/v1/consents/${consentId}`));
    await Promise.all([...racing, withdrawal]);
    await eventually(async () => (await consentState(consentId)) === 'withdrawn', 15_000);
    await eventually(async () => (await collections()).filter((t) => t.consentId === consentId).every((t) => ['succeeded', 'failed'].includes(t.state)), 15_000);
    sim.faults.latencyMs = 0;
    const mine = (await collections()).filter((t) => t.consentId === consentId);
    // The consent's 2000/550s (registration, then cancellation) are kept with no transfer: the last is the cancellation.
    const registrations = ((await gw.ledger.ds.query(`SELECT at FROM telegrams WHERE message = 'payerRegistration.request' AND direction = 'out' AND transfer_id IS NULL`)) as { at: unknown }[]).map((r) => readTime(r.at).getTime());
    const cancelledAt = Math.max(...registrations);
    for (const t of mine.filter((x) => x.state === 'succeeded')) {
      const out = (await gw.ledger.telegrams(t.id)).find((k) => k.direction === 'out' && k.message === 'collection.request')!;
      expect(out.at.getTime()).toBeLessThanOrEqual(cancelledAt); // sent before the cancellation, never after
    }
    for (const t of mine.filter((x) => x.state === 'failed')) expect(t.seqNo).toBeNull(); // never sent
    expect((await collect(consentId)).body).toMatchObject({ code: 'FB_CONSENT_NOT_LIVE' });
    // A collection asked for again (its answer lost on the way to the service) is answered as stored.
    const done = mine.find((t) => t.state === 'succeeded') ?? mine[0]!;
    const again = await call('POST', '/v1/collections', { requestId: done.requestId, consentId, amount: done.amount.toFixed(0), memo: '회비' });
    expect(again).toMatchObject({ status: 200, body: { id: done.id, state: done.state } });
    await invariant();
  });

  it('a payer who cancels at the bank (2000/650): the consent ends before the bank is acknowledged, and no collection follows', async () => {
    const consentId = await registeredConsent('P-0003');
    await sim.pushPayerCancel('P-0003'); // resolves once we acknowledged: by then it is stored
    expect(await consentState(consentId)).toBe('cancelled-at-bank');
    expect((await collect(consentId)).body).toMatchObject({ code: 'FB_CONSENT_NOT_LIVE' });
  });

  it('one-won: the 1 won is a real transfer; the code in its memo is kept nowhere in clear; the right code verifies', async () => {
    const started = await call('POST', '/v1/account-verifications/one-won', { requestId: `ow-${db}`, bankCode: '088', account: '110987654321' });
    expect([201, 202]).toContain(started.status);
    const id = String(started.body['id']);
    await eventually(async () => (await call('GET', `/v1/account-verifications/one-won/${id}`)).body['state'] === 'awaiting-code', 10_000);
    const paid = sim.ledger.applied().find((t) => t.depositAccount === '110987654321' && t.amount.equals(1))!;
    const code = paid.memo!.normalize('NFKC').replace(/^인증/, '');
    expect(code).toMatch(/^\d{4}$/);

    const transfer = (await gw.ledger.ds.getRepository<TransferRow>('Transfer').findBy({ requestId: `onewon-${id}` }))[0]!;
    expect(transfer.memo.startsWith('sealed:')).toBe(true);
    const kept = await gw.ledger.telegrams(transfer.id);
    const inbound = (await gw.ledger.ds.query(`SELECT raw FROM telegrams WHERE seq_no = ${p1()} AND direction = 'in'`, [transfer.seqNo])) as { raw: Buffer }[];
    // The memo as the bank reads it (EUC-KR): the code beside its prefix. The bare digits alone could be any field's.
    const memoInClear = iconv.encode(`인증${code}`, 'euc-kr').toString('latin1');
    for (const raw of [...kept.map((k) => k.raw), ...inbound.map((r) => Buffer.from(r.raw))]) expect(raw.toString('latin1')).not.toContain(memoInClear);
    expect(gatewayLogs.text()).not.toContain(`인증${code}`);

    const wrong = await call('POST', `/v1/account-verifications/one-won/${id}/confirm`, { code: code === '0000' ? '1111' : '0000' });
    expect(wrong.body).toMatchObject({ result: 'mismatch', attemptsLeft: 4 });
    const right = await call('POST', `/v1/account-verifications/one-won/${id}/confirm`, { code });
    expect(right.body).toMatchObject({ result: 'verified' });

    // Switched off (or held), a new verification is refused, naming the switch; confirming still works.
    await gw.switches.set({ scope: 'hecto', flow: 'one-won' }, 'hold', 'test', 'test: abuse wave');
    const refused = await call('POST', '/v1/account-verifications/one-won', { requestId: `ow2-${db}`, bankCode: '088', account: '110987654321' });
    expect(refused).toMatchObject({ status: 503, body: { code: 'FB_SWITCH_OFF', detail: expect.stringContaining('hecto/one-won') } });
    expect((await call('POST', `/v1/account-verifications/one-won/${id}/confirm`, { code })).body).toMatchObject({ result: 'verified' });
    await gw.switches.set({ scope: 'hecto', flow: 'one-won' }, 'on', 'test', 'test: over');
  });

  it("the night reconciles the day's collections, one-won and withdrawal races included, against the bank's day file: clean", async () => {
    const night = await gw.reconcileNight('hecto', koreanDate(Date.now()));
    const sent = (await gw.ledger.ds.getRepository<TransferRow>('Transfer').find()).filter((t) => t.seqNo !== null);
    expect(night.result.run).toMatchObject({ status: 'clean', figures: { breaks: 0 } });
    expect(night.result.run.figures!.matched).toBe(sent.length);
    expect(sent.filter((t) => t.kind === 'collection').length).toBeGreaterThanOrEqual(2);
  });
});
