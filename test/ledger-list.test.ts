import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TRANSFER_STATES, type TransferState } from '../src/domain/transfer-state.js';
import type { Transfer } from '../src/domain/transfer.js';
import { FirmbankError } from '../src/errors/firmbank-error.js';
import { openDatabase } from '../src/ledger/data-source.js';
import { Ledger } from '../src/ledger/ledger.js';
import { Sql } from '../src/ledger/sql.js';
import { TransferList, type TransferFilter } from '../src/ledger/transfer-list.js';
import { freshDatabase } from './helpers/gateway.js';

/** A transfer as the tests write it straight into `transfers`, creation time included. */
interface Row {
  id: string;
  service: string;
  requestId: string;
  institution: string;
  depositAccount: string;
  amount: Decimal;
  state: TransferState;
  sendDate: string | null;
  /** A Date, or a literal as a database default would have written it. */
  createdAt: Date | string;
}

const COLUMNS = [
  'id', 'service', 'request_id', 'request_hash', 'institution', 'bank_code', 'company_id', 'withdraw_account', 'deposit_bank_code', 'deposit_account',
  'amount', 'memo', 'recipient_name', 'state', 'send_date', 'inquiries', 'no_record_answers', 'needs_operator', 'created_at', 'updated_at',
] as const;

async function insert(ds: DataSource, rows: readonly Row[]): Promise<void> {
  if (rows.length === 0) return;
  const params: unknown[] = [];
  const tuples = rows.map((r) => {
    const values = [r.id, r.service, r.requestId, 'h', r.institution, '004', 'FIRMBANK01', '12345678901234', '088', r.depositAccount, r.amount, '', '', r.state, r.sendDate, 0, 0, false, r.createdAt, new Date()];
    const at = params.length;
    params.push(...values);
    return `(${values.map((_, i) => `$${at + i + 1}`).join(', ')})`;
  });
  await new Sql(ds).rows(ds, `INSERT INTO transfers (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`, params);
}

const instant = (r: Row) => (r.createdAt instanceof Date ? r.createdAt.getTime() : Date.parse(r.createdAt));
const byKey = (a: Row, b: Row) => instant(a) - instant(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The filter as the listing must apply it, in memory. */
function matches(f: TransferFilter, r: Row): boolean {
  return (
    (f.institution === undefined || r.institution === f.institution) &&
    (f.service === undefined || r.service === f.service) &&
    (f.requestId === undefined || r.requestId === f.requestId) &&
    (f.states === undefined || f.states.includes(r.state)) &&
    (f.createdFrom === undefined || instant(r) >= f.createdFrom.getTime()) &&
    (f.createdTo === undefined || instant(r) < f.createdTo.getTime()) &&
    (f.sendDate === undefined || r.sendDate === f.sendDate) &&
    (f.accountSuffix === undefined || r.depositAccount.endsWith(f.accountSuffix)) &&
    (f.minAmount === undefined || r.amount.gte(f.minAmount)) &&
    (f.maxAmount === undefined || r.amount.lte(f.maxAmount))
  );
}

/** Every page from the start, with the sizes given (cycled). */
async function all(list: TransferList, filter: TransferFilter, sizes: readonly number[]): Promise<{ items: Transfer[]; pages: number[] }> {
  const items: Transfer[] = [];
  const pages: number[] = [];
  let after: string | undefined;
  for (let i = 0; ; i++) {
    const limit = sizes[i % sizes.length]!;
    const page = await list.page(filter, after === undefined ? { limit } : { after, limit });
    items.push(...page.items);
    pages.push(page.items.length);
    // a page that says more is coming is full
    if (page.next !== null) expect(page.items.length).toBe(limit);
    else return { items, pages };
    after = page.next;
    if (i > 10_000) throw new Error('paging does not end');
  }
}

const BASE = Date.UTC(2026, 0, 1);
const at = (s: number) => new Date(BASE + s * 1000);
const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

describe.each(['sqlite', 'postgres'] as const)('transfer listing (%s)', (kind) => {
  let ds: DataSource;
  let list: TransferList;
  let drop: () => Promise<void> = async () => {};

  beforeAll(async () => {
    const db = await freshDatabase(kind);
    drop = db.drop;
    ds = await openDatabase({ url: db.url });
    list = new TransferList(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await drop();
  });
  beforeEach(async () => {
    await ds.query('DELETE FROM transfers');
  });

  describe('filters', () => {
    const base = { service: 'payroll', institution: 'hecto', state: 'requested' as TransferState, sendDate: null, depositAccount: '110123456789', amount: new Decimal(1000) };
    const fixture: Row[] = [
      { ...base, id: uuid(1), requestId: 'r1', createdAt: at(0) },
      { ...base, id: uuid(2), requestId: 'r2', service: 'refund', state: 'succeeded', sendDate: '2026-11-25', depositAccount: '110123450000', amount: new Decimal(5000), createdAt: at(1) },
      { ...base, id: uuid(3), requestId: 'r3', institution: 'kftc', state: 'failed', sendDate: '2026-11-26', depositAccount: '3333456789', amount: new Decimal(10_000), createdAt: at(86_400) },
      // r4 and r5 were created at the same instant: id decides, r5 first
      { ...base, id: uuid(5), requestId: 'r4', institution: 'kftc', service: 'refund', state: 'unknown', sendDate: '2026-11-25', depositAccount: '99989', amount: new Decimal(1), createdAt: at(172_800) },
      { ...base, id: uuid(4), requestId: 'r5', state: 'reversed', depositAccount: '1234567', amount: new Decimal('9999999999999'), createdAt: at(172_800) },
    ];
    const cases: [string, TransferFilter, string[]][] = [
      ['nothing', {}, ['r1', 'r2', 'r3', 'r5', 'r4']],
      ['institution', { institution: 'hecto' }, ['r1', 'r2', 'r5']],
      ['service', { service: 'refund' }, ['r2', 'r4']],
      ['states', { states: ['failed', 'unknown'] }, ['r3', 'r4']],
      ['no states', { states: [] }, []],
      ['createdFrom (inclusive)', { createdFrom: at(1) }, ['r2', 'r3', 'r5', 'r4']],
      ['createdTo (exclusive)', { createdTo: at(172_800) }, ['r1', 'r2', 'r3']],
      ['[createdFrom, createdTo)', { createdFrom: at(1), createdTo: at(172_800) }, ['r2', 'r3']],
      ['createdFrom to the millisecond', { createdFrom: new Date(at(1).getTime() + 1) }, ['r3', 'r5', 'r4']],
      ['sendDate', { sendDate: '2026-11-25' }, ['r2', 'r4']],
      ['accountSuffix (6 digits)', { accountSuffix: '456789' }, ['r1', 'r3']],
      ['accountSuffix (1 digit)', { accountSuffix: '9' }, ['r1', 'r3', 'r4']],
      ['accountSuffix (whole account)', { accountSuffix: '99989' }, ['r4']],
      ['requestId', { requestId: 'r3' }, ['r3']],
      ['minAmount (inclusive)', { minAmount: new Decimal(5000) }, ['r2', 'r3', 'r5']],
      ['maxAmount (inclusive)', { maxAmount: new Decimal(5000) }, ['r1', 'r2', 'r4']],
      ['fractional bounds round inwards', { minAmount: new Decimal('1000.5'), maxAmount: new Decimal('9999.9') }, ['r2']],
      ['fractional bounds below one half', { minAmount: new Decimal('1000.2'), maxAmount: new Decimal('10000.4') }, ['r2', 'r3']],
      ['fractional bounds around 1', { minAmount: new Decimal('0.5'), maxAmount: new Decimal('1.5') }, ['r4']],
      ['13-digit amounts', { minAmount: new Decimal('9999999999999') }, ['r5']],
      ['several at once', { institution: 'hecto', states: ['requested', 'reversed'], minAmount: new Decimal(1000) }, ['r1', 'r5']],
    ];

    it.each(cases)('%s', async (_, filter, expected) => {
      await insert(ds, fixture);
      const { items } = await all(list, filter, [2]);
      expect(items.map((t) => t.requestId)).toEqual(expected);
      expect(fixture.filter((r) => matches(filter, r)).sort(byKey).map((r) => r.requestId)).toEqual(expected);
    });

    it('returns transfers as the ledger reads them', async () => {
      await insert(ds, fixture);
      const { items } = await list.page({ requestId: 'r5' }, { limit: 10 });
      const [t] = items;
      expect(t).toEqual(await new Ledger(ds).get(uuid(4)));
      expect(t).toMatchObject({ id: uuid(4), institution: 'hecto', state: 'reversed', depositAccount: '1234567', sendDate: null, needsOperator: false, inquiries: 0, fee: null });
      expect(t!.amount.toFixed()).toBe('9999999999999');
      expect(t!.createdAt.toISOString()).toBe(at(172_800).toISOString());
    });
  });

  it('pages of random sizes visit every matching row once, in (created_at, id) order', async () => {
    const digits = (min: number, max: number) => fc.array(fc.constantFrom('0', '1', '2'), { minLength: min, maxLength: max }).map((d) => d.join(''));
    // few distinct instants, so that many rows share their created_at
    const time = fc.integer({ min: 0, max: 12 }).map((k) => new Date(BASE + k * 250));
    const row = fc.record({
      id: fc.uuid(),
      service: fc.constantFrom('payroll', 'refund', 'ops'),
      institution: fc.constantFrom('hecto', 'kftc'),
      depositAccount: digits(6, 14),
      amount: fc.integer({ min: 0, max: 20 }).map((n) => new Decimal(n * 500)),
      state: fc.constantFrom(...TRANSFER_STATES),
      sendDate: fc.constantFrom(null, '2026-11-25', '2026-11-26'),
      createdAt: time,
    });
    const rows = fc.uniqueArray(row, { selector: (r) => r.id, maxLength: 40, size: 'max' }).map((rs) => rs.map((r, i) => ({ ...r, requestId: `req-${i}` })));
    // whole and fractional bounds: the database must round them inwards, never to nearest
    const bound = fc.tuple(fc.integer({ min: 0, max: 40 }), fc.constantFrom('0', '0.2', '0.5', '0.7')).map(([n, f]) => new Decimal(n * 250).plus(f));
    const values = fc.record({
      institution: fc.constantFrom('hecto', 'kftc', 'nobody'),
      service: fc.constantFrom('payroll', 'refund', 'ops'),
      states: fc.subarray([...TRANSFER_STATES]),
      createdFrom: time,
      createdTo: time,
      sendDate: fc.constantFrom('2026-11-25', '2026-11-26'),
      accountSuffix: digits(1, 3),
      requestId: fc.integer({ min: 0, max: 45 }).map((i) => `req-${i}`),
      minAmount: bound,
      maxAmount: bound,
    });
    // up to three conditions at once: more would leave almost nothing to page through
    const filter: fc.Arbitrary<TransferFilter> = fc
      .tuple(values, fc.subarray(['institution', 'service', 'states', 'createdFrom', 'createdTo', 'sendDate', 'accountSuffix', 'requestId', 'minAmount', 'maxAmount'] as const, { maxLength: 3 }))
      .map(([v, ks]) => Object.fromEntries(ks.map((k) => [k, v[k]])) as TransferFilter);
    const sizes = fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 5 });

    let paged = 0;
    await fc.assert(
      fc.asyncProperty(rows, filter, sizes, async (rs, f, ps) => {
        await ds.query('DELETE FROM transfers');
        await insert(ds, rs);
        const expected = rs.filter((r) => matches(f, r)).sort(byKey);
        const { items, pages } = await all(list, f, ps);
        expect(items.map((t) => t.id)).toEqual(expected.map((r) => r.id));
        expect(items.map((t) => t.createdAt.getTime())).toEqual(expected.map(instant));
        expect(items.map((t) => t.amount.toFixed())).toEqual(expected.map((r) => r.amount.toFixed()));
        // no empty page after the first
        expect(pages.slice(1).every((n) => n > 0)).toBe(true);
        if (pages.length > 2) paged++;
      }),
      { numRuns: 100 },
    );
    // not vacuous: many runs went over several pages
    expect(paged).toBeGreaterThan(15);
  });

  it('a row created behind the cursor is not seen; one ahead of it is', async () => {
    const rows: Row[] = Array.from({ length: 10 }, (_, i) => ({
      id: uuid(100 + i), service: 'payroll', requestId: `r${i}`, institution: 'hecto', depositAccount: '110123456789', amount: new Decimal(1000), state: 'requested', sendDate: null, createdAt: at(i * 10),
    }));
    await insert(ds, rows);
    const first = await list.page({}, { limit: 4 });
    expect(first.items.map((t) => t.requestId)).toEqual(['r0', 'r1', 'r2', 'r3']);
    const late = (id: string, requestId: string, createdAt: Date): Row => ({ ...rows[0]!, id, requestId, createdAt });
    await insert(ds, [
      late(uuid(1), 'behind', at(15)),
      late(uuid(2), 'same time, smaller id', at(30)),
      late(uuid(999), 'same time, larger id', at(30)),
      late(uuid(3), 'ahead', at(55)),
      late(uuid(4), 'last', at(1000)),
    ]);
    const items: string[] = [];
    let after = first.next!;
    for (;;) {
      const page = await list.page({}, { after, limit: 3 });
      items.push(...page.items.map((t) => t.requestId));
      if (!page.next) break;
      after = page.next;
    }
    expect(items).toEqual(['same time, larger id', 'r4', 'r5', 'ahead', 'r6', 'r7', 'r8', 'r9', 'last']);
  });

  it('lists transfers the ledger created, and times a database default wrote', async () => {
    const ledger = new Ledger(ds);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { transfer } = await ledger.createTransfer({
        service: 'payroll', requestId: `l-${i}`, requestHash: 'h', institution: 'hecto', bankCode: '004', companyId: 'FIRMBANK01',
        withdrawAccount: '12345678901234', depositBankCode: '088', depositAccount: '110123456789', amount: new Decimal(1000 + i), memo: '', recipientName: '',
      });
      ids.push(transfer.id);
    }
    // a default's precision: to the second on SQLite (CURRENT_TIMESTAMP), to the microsecond on PostgreSQL
    const literal = kind === 'postgres' ? '2020-01-01 00:00:00.123456+00' : '2020-01-01 00:00:00';
    const d = (id: string, requestId: string): Row => ({ id, service: 'payroll', requestId, institution: 'hecto', depositAccount: '1', amount: new Decimal(1), state: 'requested', sendDate: null, createdAt: literal });
    await insert(ds, [d(uuid(7), 'd7'), d(uuid(6), 'd6')]);
    const { items, pages } = await all(list, {}, [1]);
    expect(items.slice(0, 2).map((t) => t.requestId)).toEqual(['d6', 'd7']);
    // the ledger's own: all of them, in (created_at, id) order
    const mine = items.slice(2);
    expect(mine.map((t) => t.id).sort()).toEqual([...ids].sort());
    expect(mine).toEqual([...mine].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1)));
    expect(pages).toEqual([1, 1, 1, 1, 1, 1, 1]);
  });

  it('an empty listing is one empty page', async () => {
    expect(await list.page({}, { limit: 1000 })).toEqual({ items: [], next: null });
  });

  it('a cursor it did not make is FB_BAD_CURSOR', async () => {
    await insert(ds, [{ id: uuid(1), service: 's', requestId: 'r', institution: 'hecto', depositAccount: '1', amount: new Decimal(1), state: 'requested', sendDate: null, createdAt: at(0) }]);
    const b64 = (s: string) => Buffer.from(s).toString('base64url');
    const bad = [
      '', 'not a cursor', '!!!!', b64('hello'), b64(`2026-01-01T00:00:00.000Z`), b64(`2026-02-30T00:00:00.000Z ${uuid(1)}`), b64(`2026-01-01T25:00:00.000Z ${uuid(1)}`),
      b64(`2026-01-01 00:00:00 ${uuid(1)}`), b64(`2026-01-01T00:00:00.000Z `), b64(`2026-01-01T00:00:00.000Z ${'x'.repeat(37)}`), `${b64(`2026-01-01T00:00:00.000Z ${uuid(1)}`)}=`,
    ];
    for (const after of bad) {
      const e = await list.page({}, { after, limit: 10 }).catch((x: unknown) => x);
      expect(e, JSON.stringify(after)).toBeInstanceOf(FirmbankError);
      expect(e, JSON.stringify(after)).toMatchObject({ code: 'FB_BAD_CURSOR' });
    }
    // a well-formed cursor is accepted even if no row sits exactly there
    expect((await list.page({}, { after: b64(`2025-12-31T23:59:59Z ${uuid(9)}`), limit: 10 })).items).toHaveLength(1);
    expect((await list.page({}, { after: b64(`2026-01-01T00:00:00.000Z ${uuid(1)}`), limit: 10 })).items).toHaveLength(0);
  });

  it('a limit outside 1–1000 is FB_BAD_LIMIT; an impossible filter is FB_BAD_FILTER', async () => {
    for (const limit of [0, -1, 1001, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(list.page({}, { limit }), String(limit)).rejects.toMatchObject({ name: 'FirmbankError', code: 'FB_BAD_LIMIT' });
    }
    await expect(list.page({}, { limit: 1000 })).resolves.toMatchObject({ next: null });
    const filters: TransferFilter[] = [
      { accountSuffix: '1234567' }, { accountSuffix: '' }, { accountSuffix: '12%' }, { states: ['bogus' as TransferState] },
      { sendDate: '20261125' }, { sendDate: '2026-02-30' }, { createdFrom: new Date(Number.NaN) }, { maxAmount: new Decimal(Number.NaN) },
    ];
    for (const f of filters) await expect(list.page(f, { limit: 10 }), JSON.stringify(f)).rejects.toMatchObject({ code: 'FB_BAD_FILTER' });
  });
});
