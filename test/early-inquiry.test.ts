import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../src/api/scopes.js';
import type { Gateway } from '../src/gateway/gateway.js';
import type { TransferRow } from '../src/ledger/entities.js';
import { freshDatabase, startGateway, testConfig } from './helpers/gateway.js';
import { eventually } from './helpers/link.js';

const BODY = { bankCode: '088', account: '110123456789', amount: '15000', memo: '급여', recipientName: '홍길동' };
const DELAY = 3_000;

/**
 * Two "no record" answers fail an unknown transfer (nothing moved) only when each was asked at least one
 * inquiry delay after the transfer went out: sooner, the bank may not have recorded it yet. The nightly
 * batch and operators ask whenever they run, so their early answers must not count.
 */
describe.each(['sqlite', 'postgres'] as const)('a "no record" asked too soon after the send, on %s', (db) => {
  let gw: Gateway;
  let key: string;
  let drop = async () => {};

  beforeAll(async () => {
    const fresh = await freshDatabase(db);
    drop = fresh.drop;
    gw = await startGateway(testConfig(fresh.url, { requestTimeoutMs: 400, inquiryDelayMs: DELAY }));
    key = await gw.apiKeys.create('payroll', new Decimal('5000000'), SCOPES);
  }, 60_000);
  afterAll(async () => {
    await gw?.stop();
    await drop();
  });

  it('does not count: two early answers leave it unknown, and the inquiries after the delay settle it', async () => {
    const hecto = gw.institutions.get('hecto')!;
    hecto.simulator!.faults.arm('no-answer-unapplied', { message: 'transfer.request' }); // the bank never saw it
    const res = await fetch(`http://127.0.0.1:${gw.apiPort}/v1/transfers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', prefer: 'wait=0' },
      body: JSON.stringify({ requestId: `early-${db}`, ...BODY }),
    });
    const { id } = (await res.json()) as { id: string };
    const row = async () => (await gw.ledger.get(id)) as TransferRow;
    await eventually(async () => (await row()).state === 'unknown', 2_000);
    const sentAt = (await gw.ledger.sentAt(id))!;
    // As the night does, twice, well within the delay: the bank says "no record" both times.
    await hecto.transfers.inquire(id);
    await hecto.transfers.inquire(id);
    expect(Date.now() - sentAt.getTime()).toBeLessThan(DELAY);
    expect(await row()).toMatchObject({ state: 'unknown', inquiries: 2, noRecordAnswers: 0 });
    // The inquiries the delay schedules count: two "no record" answers then fail it.
    await eventually(async () => (await row()).state === 'failed', 15_000);
    expect(await row()).toMatchObject({ responseCode: 'NREC', noRecordAnswers: 2 });
    const outs = (await gw.ledger.telegrams(id)).filter((t) => t.direction === 'out');
    expect(outs.filter((t) => t.message.startsWith('transfer.'))).toHaveLength(1); // never sent again
    for (const t of outs.filter((t) => t.message.startsWith('resultInquiry.')).slice(2)) expect(t.at.getTime() - sentAt.getTime()).toBeGreaterThanOrEqual(DELAY);
  }, 30_000);
});
