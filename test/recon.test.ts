import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Reconciler, type ReconcileInput } from '../src/batch/reconciler.js';
import type { BankLine } from '../src/domain/reconciliation.js';
import { openDatabase } from '../src/ledger/data-source.js';
import { DayCloseStore } from '../src/ledger/day-close-store.js';
import { ReconStore } from '../src/ledger/recon-store.js';
import { Sql } from '../src/ledger/sql.js';
import { freshDatabase } from './helpers/gateway.js';
import { insertDayRows, setState } from './helpers/day-rows.js';
import { honestDay, injectBreaks, injectionArb, transferArb } from './helpers/recon-day.js';

const SCOPE = { institution: 'hecto', bankCode: '004', companyId: 'FIRMBANK01' };
const DAY = '2026-12-01';
const line = (recordNo: number, seqNo: string | null, amount: number, outcome: BankLine['outcome'] = 'succeeded', sendDate: string | null = DAY, fee: string | null = null): BankLine => ({
  recordNo,
  sendDate,
  seqNo,
  amount: String(amount),
  fee,
  outcome,
  code: outcome === 'succeeded' ? '0000' : 'E001',
});

async function* stream(lines: readonly BankLine[], failAt?: number): AsyncGenerator<BankLine> {
  for (const [i, l] of lines.entries()) {
    if (i === failAt) throw Object.assign(new Error(`record ${l.recordNo}: trailer totals do not match`), { code: 'FB_FILE_INVALID' });
    yield l;
  }
}

async function notice(ds: DataSource, message: string, date: string, seqNo: number): Promise<void> {
  await new Sql(ds).rows(ds, 'INSERT INTO notices (institution, bank_code, company_id, message, send_date, seq_no, fields, raw, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)', [
    'hecto', '004', 'FIRMBANK01', message, date, String(seqNo).padStart(6, '0'), '{}', Buffer.from('x'), new Date(),
  ]);
}

describe.each(['sqlite', 'postgres'] as const)('reconciliation on %s', (kind) => {
  let ds: DataSource;
  let drop: () => Promise<void>;
  let store: ReconStore;
  let recon: Reconciler;
  const input = (lines: readonly BankLine[] | undefined, extra: Partial<ReconcileInput> = {}): ReconcileInput => ({
    scope: SCOPE,
    businessDate: DAY,
    noticeMessages: ['depositNotice.request'],
    ...(lines ? { bankDay: { name: 'day.dat', lines: stream(lines) } } : {}),
    ...extra,
  });
  const kept = async () => (await store.breaks({ institution: 'hecto', businessDate: DAY })).map((b) => `${b.status} ${b.category} ${b.subject}`).sort();

  beforeAll(async () => {
    const db = await freshDatabase(kind);
    drop = db.drop;
    ds = await openDatabase({ url: db.url });
    store = new ReconStore(ds);
    recon = new Reconciler(store);
    await insertDayRows(ds, [
      { id: 'ok', seqNo: '000001', sendDate: DAY, amount: 10_000, fee: 500, state: 'succeeded', depositBankCode: '004' },
      { id: 'failed', seqNo: '000002', sendDate: DAY, amount: 20_000, state: 'failed' },
      { id: 'ours-only', seqNo: '000003', sendDate: DAY, amount: 30_000, state: 'succeeded' },
      { id: 'unknown', seqNo: '000004', sendDate: DAY, amount: 40_000, state: 'unknown' },
      { id: 'reversed', seqNo: '000005', sendDate: DAY, amount: 50_000, state: 'reversed' },
      { id: 'short', seqNo: '000006', sendDate: DAY, amount: 60_000, state: 'succeeded' },
      { id: 'yesterday', seqNo: '000900', sendDate: '2026-11-30', amount: 70_000, state: 'succeeded' },
      { id: 'other-service', service: 'shop', seqNo: '000007', sendDate: DAY, amount: 5_000, fee: 300, state: 'succeeded' },
    ]);
    for (const n of [1, 2, 4]) await notice(ds, 'depositNotice.request', DAY, n);
    await notice(ds, 'depositNotice.request', '2026-11-30', 3); // another day's number 3 does not fill the gap
  });
  afterAll(async () => {
    await ds.destroy();
    await drop();
  });

  const bankDay = [
    line(2, '000001', 10_000, 'succeeded', DAY, '500'),
    line(3, '000002', 20_000, 'failed'),
    line(4, '000004', 40_000, 'succeeded'),
    line(5, '000005', 50_000, 'failed'),
    line(6, '000006', 59_000),
    line(7, '000007', 5_000),
    line(8, '000099', 1_000), // not ours
    line(9, '000900', 70_000, 'succeeded', '2026-11-30'), // sent yesterday, booked today
    line(10, '000901', 1_000, 'succeeded', '2026-11-30'), // "yesterday", and not ours either
  ];
  const expected = [
    'open amount-mismatch seq:2026-12-01:000006',
    'open bank-only seq:2026-11-30:000901',
    'open bank-only seq:2026-12-01:000099',
    'open cross-midnight seq:2026-11-30:000900',
    'open late-reversal seq:2026-12-01:000005',
    'open notice-gap notice:depositNotice.request:3',
    'open ours-only seq:2026-12-01:000003',
    'open unresolved-unknown seq:2026-12-01:000004',
  ];

  it('finds each break once, keeps them, and a re-run keeps the same rows', async () => {
    const first = await recon.run(input(bankDay));
    expect(first.run.status).toBe('breaks');
    expect(first.run.figures).toMatchObject({ ledgerTransfers: 7, bankRecords: 9, matched: 6, breaks: 8 });
    expect(await kept()).toEqual(expected);
    const ids = (await store.breaks({ businessDate: DAY })).map((b) => b.id);

    // each new break about a service's money is one event for that service; a re-run adds none
    const breakEvents = async () => (await ds.query(`SELECT service, payload FROM events WHERE type = 'reconciliation.break'`)) as { service: string; payload: string }[];
    const told = await breakEvents();
    expect(told.map((e) => [e.service, JSON.parse(e.payload).category]).sort()).toEqual([
      ['svc', 'amount-mismatch'],
      ['svc', 'cross-midnight'],
      ['svc', 'late-reversal'],
      ['svc', 'ours-only'],
      ['svc', 'unresolved-unknown'],
    ]);

    const again = await recon.run(input(bankDay));
    expect(await breakEvents()).toHaveLength(told.length);
    expect(again.kept).toEqual({ added: 0, again: 8, cleared: 0 });
    expect(await kept()).toEqual(expected);
    const rows = await store.breaks({ businessDate: DAY });
    expect(rows.map((b) => b.id)).toEqual(ids);
    expect(rows.every((b) => b.firstRunId === first.run.id && b.lastRunId === again.run.id)).toBe(true);
  });

  it('an operator resolves a break with who and why; once only', async () => {
    const b = (await store.breaks({ businessDate: DAY })).find((x) => x.category === 'amount-mismatch')!;
    const resolved = await store.resolveBreak(b.id, 'kim', 'bank confirmed 60,000; its file was wrong', new Date());
    expect(resolved).toMatchObject({ status: 'resolved', resolvedBy: 'kim', resolution: 'bank confirmed 60,000; its file was wrong' });
    await expect(store.resolveBreak(b.id, 'lee', 'again', new Date())).rejects.toThrow(/already resolved/);
    await expect(store.resolveBreak(999_999, 'lee', 'x', new Date())).rejects.toThrow(/no break #999999/);
    await expect(store.resolveBreak(b.id, ' ', ' ', new Date())).rejects.toThrow(/who resolves it and why/);
    // a re-run finds it again: it stays resolved (the operator's word stands), no copy is made
    await recon.run(input(bankDay));
    expect(await kept()).toEqual(expected.map((e) => (e.includes('amount-mismatch') ? e.replace('open', 'resolved') : e)).sort());
  });

  it('a break the next run no longer finds is cleared by the reconciliation, and opens again if it comes back', async () => {
    await setState(ds, 'unknown', 'succeeded'); // settled by a later inquiry
    const r = await recon.run(input(bankDay));
    expect(r.kept.cleared).toBe(1);
    const cleared = (await store.breaks({ businessDate: DAY })).find((b) => b.category === 'unresolved-unknown')!;
    expect(cleared).toMatchObject({ status: 'resolved', resolvedBy: 'reconciliation', resolution: `not found again by run #${r.run.id}` });
    await setState(ds, 'unknown', 'unknown');
    await recon.run(input(bankDay));
    expect((await store.breaks({ businessDate: DAY })).find((b) => b.id === cleared.id)!.status).toBe('open');
  });

  it('a bank file that fails half-way leaves a failed run and the breaks as they were', async () => {
    const before = await store.breaks({ businessDate: DAY });
    const failing = input(undefined, { bankDay: { name: 'bad.dat', lines: stream(bankDay, 5) } });
    await expect(recon.run(failing)).rejects.toThrow(/trailer totals/);
    expect(await store.breaks({ businessDate: DAY })).toEqual(before);
    const runs = await new Sql(ds).rows(ds, `SELECT status, file FROM recon_runs ORDER BY id DESC LIMIT 1`, []);
    expect(runs[0]).toMatchObject({ status: 'failed', file: 'bad.dat' });
  });

  it('two runs of one day at once: the second is refused, naming the first', async () => {
    const id = await store.startRun('hecto', '2026-12-02', null, new Date());
    await expect(store.startRun('hecto', '2026-12-02', null, new Date())).rejects.toThrow(new RegExp(`run #${id} of hecto 2026-12-02 is still going`));
    await store.finishRun(id, 'clean', null, new Date());
    await store.finishRun(await store.startRun('hecto', '2026-12-02', null, new Date()), 'clean', null, new Date());
  });

  it("compares the bank's day totals class by class when the gateway kept them", async () => {
    // ours: own bank 004 succeeded 1 (10,000, fee 500); other banks succeeded 3 (30,000 + 60,000 + 5,000, fee 300), failed 2 (20,000 + reversed 50,000)
    await store.saveBankTotals('hecto', DAY, { ownOkCount: '1', ownOkAmount: '10000', ownFee: '500', otherOkCount: '3', otherOkAmount: '95000', otherFailCount: '2', otherFailAmount: '70000', otherFee: '300', totalCount: null }, new Date());
    const clean = await recon.run(input(bankDay));
    expect(clean.breaks.filter((b) => b.category === 'totals-mismatch')).toEqual([]);
    await store.saveBankTotals('hecto', DAY, { ownOkCount: '1', ownOkAmount: '10000', otherOkCount: '4', otherOkAmount: '135000' }, new Date());
    const off = await recon.run(input(bankDay));
    expect(off.breaks.filter((b) => b.category === 'totals-mismatch').map((b) => b.subject)).toEqual(['totals:otherOkCount', 'totals:otherOkAmount']);
    expect(off.breaks.find((b) => b.subject === 'totals:otherOkCount')!.detail).toMatch(/1 transfer\(s\) of ours are still unknown/);
  });

  it('without a bank file only what the ledger shows alone is reported', async () => {
    const r = await recon.run(input(undefined, { businessDate: DAY }));
    expect(new Set(r.breaks.map((b) => b.category))).toEqual(new Set(['late-reversal', 'unresolved-unknown', 'notice-gap', 'totals-mismatch']));
  });

  it('a random day with random breaks in the file and lost notices: exactly those breaks are kept, and a re-run keeps the same', async () => {
    let day = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(transferArb, { maxLength: 25 }), fc.array(injectionArb, { maxLength: 8 }), fc.uniqueArray(fc.integer({ min: 1, max: 12 }), { maxLength: 12 }), async (specs, injections, received) => {
        // a day of its own per run: 2030-01-01 onwards
        const date = new Date(Date.UTC(2030, 0, 1 + day++)).toISOString().slice(0, 10);
        const d = injectBreaks(honestDay(date, specs), injections);
        await insertDayRows(ds, d.ours);
        for (const n of received) await notice(ds, 'depositNotice.request', date, n);
        const gaps = Array.from({ length: Math.max(0, ...received) }, (_, k) => k + 1).filter((k) => k < Math.max(...received) && !received.includes(k));
        const expected = new Set([...d.expected, ...gaps.map((k) => `notice-gap notice:depositNotice.request:${k}`)]);

        const first = await recon.run(input(d.bank, { businessDate: date }));
        const keptNow = async () => new Set((await store.breaks({ businessDate: date })).map((b) => `${b.category} ${b.subject}`));
        expect(await keptNow()).toEqual(expected);
        expect(first.run.status).toBe(expected.size === 0 ? 'clean' : 'breaks');
        const again = await recon.run(input(d.bank, { businessDate: date }));
        expect(again.kept.added).toBe(0);
        expect(await keptNow()).toEqual(expected);
      }),
      { numRuns: kind === 'sqlite' ? 25 : 10 },
    );
  }, 120_000);

  it("closes a service's day once; a later change is carried into the next close, never edited", async () => {
    const closes = new DayCloseStore(ds);
    expect(await closes.services(DAY)).toEqual(['shop', 'svc']);
    const { close, created } = await closes.close('svc', DAY, new Date());
    expect(created).toBe(true);
    expect(close).toMatchObject({ succeededCount: 3, succeededAmount: '100000', fees: '500', failedCount: 1, reversedCount: 1, reversedAmount: '50000', unknownCount: 1, unknownAmount: '40000', net: '100500', adjustments: '0' });
    // the unknown one turns out to have succeeded: the closed day stays as it was
    await setState(ds, 'unknown', 'succeeded');
    const again = await closes.close('svc', DAY, new Date());
    expect(again.created).toBe(false);
    expect(again.close.net).toBe('100500');
    // the next day's close carries the difference, naming the day it belongs to; and only once
    const next = await closes.close('svc', '2026-12-02', new Date());
    expect(next.close.adjustments).toBe('40000');
    expect(await closes.adjustments('svc', '2026-12-02')).toEqual([{ ofDate: DAY, amount: '40000', detail: `net of ${DAY} changed by 40000 won after it was closed` }]);
    expect((await closes.close('svc', '2026-12-03', new Date())).close.adjustments).toBe('0');
    await setState(ds, 'unknown', 'unknown');
  });
});
