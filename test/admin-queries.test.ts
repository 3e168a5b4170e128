import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramDump } from '../src/admin/telegram-dump.js';
import { consentView, noticeView, settlementView, transferDetailView, transferSummaryView, unknownView } from '../src/admin/views.js';
import { TelegramCodec } from '../src/codec/telegram-codec.js';
import type { Consent } from '../src/domain/consent.js';
import type { TransferState } from '../src/domain/transfer-state.js';
import type { KeptTelegram, NewTransfer, Transfer } from '../src/domain/transfer.js';
import { AdminQueries, type TransferSearch } from '../src/ledger/admin-queries.js';
import { openDatabase } from '../src/ledger/data-source.js';
import { Ledger } from '../src/ledger/ledger.js';
import { ReconStore } from '../src/ledger/recon-store.js';
import { SettlementStore } from '../src/ledger/settlement-store.js';
import { Sql } from '../src/ledger/sql.js';
import { loadSpecFile } from '../src/spec/load-spec.js';
import { SAMPLE_TRANSFER } from './helpers/day-rows.js';
import { freshDatabase } from './helpers/gateway.js';
import { ROOT } from './helpers/specs.js';

/** A transfer's place in the console's order: newest first by (created_at, id). */
interface Key {
  readonly at: number;
  readonly id: string;
}
/** Negative when `a` sorts before `b` in ascending (created_at, id) order. */
const cmp = (a: Key, b: Key) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const keyOf = (t: Transfer): Key => ({ at: t.createdAt.getTime(), id: t.id });

describe.each(['sqlite', 'postgres'] as const)('the admin console on %s', (kind) => {
  let ds: DataSource;
  let drop: () => Promise<void>;
  let ledger: Ledger;
  let queries: AdminQueries;
  let settlements: SettlementStore;
  let sql: Sql;
  let n = 0;

  beforeAll(async () => {
    const db = await freshDatabase(kind);
    drop = db.drop;
    ds = await openDatabase({ url: db.url });
    ledger = new Ledger(ds);
    queries = new AdminQueries(ds);
    settlements = new SettlementStore(ds, ledger);
    sql = new Sql(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await drop?.();
  });

  const create = async (o: Partial<NewTransfer> = {}) => (await ledger.createTransfer({ ...SAMPLE_TRANSFER, service: 'payroll', requestId: `r${++n}`, ...o })).transfer;
  const setCreated = (id: string, at: Date) => sql.rows(ds, 'UPDATE transfers SET created_at = $1 WHERE id = $2', [at, id]);
  const setState = (id: string, state: TransferState) => sql.rows(ds, 'UPDATE transfers SET state = $1 WHERE id = $2', [state, id]);
  /** requested → sending → unknown, as a lost answer leaves a transfer. */
  const unknown = async (o: Partial<NewTransfer> = {}) => {
    const t = await create(o);
    await ledger.move(t.id, 'requested', 'sending', 'claimed');
    return (await ledger.move(t.id, 'sending', 'unknown', 'no answer in time'))!;
  };
  /** Every page of a search, with the page sizes given (cycled). */
  const everything = async (filter: TransferSearch, sizes: readonly number[] = [3]) => {
    const items: Transfer[] = [];
    let after: string | undefined;
    for (let i = 0; i < 10_000; i++) {
      const limit = sizes[i % sizes.length]!;
      const page = await queries.transfers(filter, after === undefined ? { limit } : { after, limit });
      items.push(...page.items);
      if (page.next === null) return items;
      expect(page.items).toHaveLength(limit);
      after = page.next;
    }
    throw new Error('paging does not end');
  };

  describe('transfer search', () => {
    it('pages newest first, neither skipping nor repeating while transfers are added between pages', async () => {
      const base = Date.UTC(2026, 0, 5, 1, 0, 0);
      // few distinct instants, so that many transfers share a created_at and the id decides
      const slot = fc.record({ k: fc.integer({ min: 0, max: 6 }), ms: fc.constantFrom(0, 0, 1, 999) });
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(slot, { maxLength: 20 }),
          fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }),
          fc.array(fc.array(slot, { maxLength: 3 }), { minLength: 1, maxLength: 4 }),
          async (initial, sizes, inserts) => {
            const service = `prop-${kind}-${++run}`;
            const timeOf = (s: { k: number; ms: number }) => new Date(base + s.k * 1_000 + s.ms);
            const add = async (s: { k: number; ms: number }) => {
              const t = await create({ service });
              await setCreated(t.id, timeOf(s));
              return { at: timeOf(s).getTime(), id: t.id };
            };
            const mustAppear = new Set<string>();
            const mustNot = new Set<string>();
            for (const s of initial) mustAppear.add((await add(s)).id);
            const seen: Key[] = [];
            let after: string | undefined;
            for (let i = 0; ; i++) {
              const limit = sizes[i % sizes.length]!;
              const page = await queries.transfers({ service }, after === undefined ? { limit } : { after, limit });
              seen.push(...page.items.map(keyOf));
              if (page.next === null) break;
              after = page.next;
              // added now: on a later page if it sorts below the last row shown, never if above it
              const last = seen[seen.length - 1]!;
              for (const s of inserts[i % inserts.length]!) {
                const k = await add(s);
                (cmp(k, last) < 0 ? mustAppear : mustNot).add(k.id);
              }
            }
            const ids = seen.map((k) => k.id);
            expect(new Set(ids).size).toBe(ids.length);
            for (let i = 1; i < seen.length; i++) expect(cmp(seen[i]!, seen[i - 1]!)).toBeLessThan(0);
            for (const id of mustAppear) expect(ids).toContain(id);
            for (const id of mustNot) expect(ids).not.toContain(id);
          },
        ),
        { numRuns: 12 },
      );
    });

    describe('filters', () => {
      const rows: Transfer[] = [];
      const day = Date.UTC(2026, 2, 10, 0, 0, 0);
      beforeAll(async () => {
        const specs: { o: Partial<NewTransfer>; state: TransferState; at: number }[] = [
          { o: { service: 'f-shop', depositAccount: '110123456789', amount: new Decimal(15_000) }, state: 'succeeded', at: day + 1_000 },
          { o: { service: 'f-shop', depositAccount: '9988776789', amount: new Decimal(15_001) }, state: 'failed', at: day + 2_000 },
          { o: { service: 'f-rent', depositAccount: '3333006789', amount: new Decimal(999) }, state: 'unknown', at: day + 3_000 },
          { o: { service: 'f-rent', depositAccount: '1234567890', amount: new Decimal(1_000_000), kind: 'collection' }, state: 'requested', at: day + 86_400_000 },
          { o: { service: 'f-shop', depositAccount: '5555555555', amount: new Decimal(20_000), institution: 'f-lgcns' }, state: 'succeeded', at: day - 1 },
          { o: { service: 'f-pay', depositAccount: '0000012345', amount: new Decimal(15_000), kind: 'collection', institution: 'f-lgcns' }, state: 'unknown', at: day + 5_000 },
        ];
        for (const s of specs) {
          const t = await create({ institution: 'f-hecto', ...s.o });
          await setCreated(t.id, new Date(s.at));
          await setState(t.id, s.state);
        }
        rows.push(...(await everything({ from: new Date(day - 86_400_000), to: new Date(day + 2 * 86_400_000) })).filter((t) => t.service.startsWith('f-')));
        expect(rows).toHaveLength(specs.length);
      });

      /** The search's rule, in memory. */
      const matches = (f: TransferSearch, t: Transfer) =>
        (f.state === undefined || t.state === f.state) &&
        (f.kind === undefined || t.kind === f.kind) &&
        (f.institution === undefined || t.institution === f.institution) &&
        (f.service === undefined || t.service === f.service) &&
        (f.requestId === undefined || t.requestId === f.requestId) &&
        (f.accountSuffix === undefined || t.depositAccount.endsWith(f.accountSuffix)) &&
        (f.minAmount === undefined || t.amount.gte(f.minAmount)) &&
        (f.maxAmount === undefined || t.amount.lte(f.maxAmount)) &&
        (f.from === undefined || t.createdAt >= f.from) &&
        (f.to === undefined || t.createdAt < f.to);

      const cases: [string, () => TransferSearch][] = [
        ['state', () => ({ state: 'unknown' })],
        ['kind', () => ({ kind: 'collection' })],
        ['institution', () => ({ institution: 'f-lgcns' })],
        ['service', () => ({ service: 'f-shop' })],
        ['requestId', () => ({ requestId: rows[2]!.requestId })],
        ['accountSuffix (4 digits)', () => ({ accountSuffix: '6789' })],
        ['accountSuffix (1 digit)', () => ({ accountSuffix: '5' })],
        ['accountSuffix (6 digits)', () => ({ accountSuffix: '456789' })],
        ['minAmount', () => ({ minAmount: '15000' })],
        ['maxAmount', () => ({ maxAmount: '15000' })],
        ['amount range with decimals, rounded inwards', () => ({ minAmount: '14999.5', maxAmount: '15000.5' })],
        ['amount as a Decimal', () => ({ minAmount: new Decimal(20_000) })],
        ['from/to half-open', () => ({ from: new Date(day), to: new Date(day + 3_000) })],
        ['several at once', () => ({ service: 'f-shop', state: 'succeeded', maxAmount: '16000', from: new Date(day) })],
      ];
      it.each(cases)('%s', async (_, filter) => {
        // within the days of these rows: the other tests' transfers are elsewhere in time
        const f: TransferSearch = { from: new Date(day - 2 * 86_400_000), to: new Date(day + 3 * 86_400_000), ...filter() };
        const found = (await everything(f, [1, 2])).filter((t) => t.service.startsWith('f-'));
        const expected = rows.filter((t) => matches(f, t)).sort((a, b) => cmp(keyOf(b), keyOf(a)));
        expect(expected.length).toBeGreaterThan(0);
        expect(found.map((t) => t.id)).toEqual(expected.map((t) => t.id));
      });

      it('returns domain transfers, accounts as stored', async () => {
        const [t] = (await queries.transfers({ accountSuffix: '456789', service: 'f-shop' }, { limit: 5 })).items;
        expect(t).toMatchObject({ depositAccount: '110123456789', amount: new Decimal(15_000), state: 'succeeded', service: 'f-shop' });
        expect(t!.createdAt).toEqual(new Date(day + 1_000));
      });
    });

    it('refuses a cursor it did not hand out, and other bad input, naming the field', async () => {
      const bad = async (filter: TransferSearch, page: { after?: string; limit: number }, field: string) =>
        expect(queries.transfers(filter, page)).rejects.toMatchObject({ code: 'FB_VALIDATION', field });
      // not base64url, not ours, an impossible time, another listing's cursor, no time at all
      for (const after of ['garbage!', 'AAAA', Buffer.from('transfers 2026-13-01T00:00:00.000000Z x').toString('base64url'), Buffer.from('notices 12').toString('base64url'), 'dHJhbnNmZXJzIDIwMjYtMDEtMDEgeA']) {
        await bad({}, { after, limit: 5 }, 'after');
      }
      await bad({}, { limit: 0 }, 'limit');
      await bad({}, { limit: 201 }, 'limit');
      await bad({ accountSuffix: '12a' }, { limit: 5 }, 'accountSuffix');
      await bad({ accountSuffix: '1234567' }, { limit: 5 }, 'accountSuffix');
      await bad({ minAmount: '-1' }, { limit: 5 }, 'minAmount');
      await bad({ maxAmount: '1e5' }, { limit: 5 }, 'maxAmount');
      await bad({ state: 'lost' as TransferState }, { limit: 5 }, 'state');
      await bad({ from: new Date('nope') }, { limit: 5 }, 'from');
      // a cursor of this listing on the same search works
      const first = await queries.transfers({}, { limit: 1 });
      expect(first.next).not.toBeNull();
      await expect(queries.transfers({}, { after: first.next!, limit: 1 })).resolves.toBeDefined();
    });
  });

  describe('manual settlement with four eyes', () => {
    const outbox = async (id: string) => (await sql.rows(ds, 'SELECT type FROM events WHERE aggregate = $1 ORDER BY id', [`transfer:${id}`])).map((r) => String(r['type']));
    const moves = async (id: string, to: TransferState) => (await ledger.events(id)).filter((e) => e.toState === to);

    it('is proposed only for an unknown transfer, one pending at a time', async () => {
      const now = new Date();
      const settled = await create();
      await expect(settlements.propose(settled.id, 'succeeded', 'bank says paid', 'statement 7', 'alice', now)).rejects.toMatchObject({ code: 'FB_ADMIN_CONFLICT' });
      await expect(settlements.propose('no-such-transfer', 'succeeded', 'bank says paid', 'statement 7', 'alice', now)).rejects.toMatchObject({ code: 'FB_NOT_FOUND' });
      const t = await unknown();
      await expect(settlements.propose(t.id, 'reversed' as 'failed', 'why', 'proof', 'alice', now)).rejects.toMatchObject({ code: 'FB_VALIDATION', field: 'outcome' });
      await expect(settlements.propose(t.id, 'failed', '  ', 'proof', 'alice', now)).rejects.toMatchObject({ code: 'FB_VALIDATION', field: 'reason' });
      const s = await settlements.propose(t.id, 'failed', 'bank says refused', 'call ref 42', 'alice', now);
      expect(s).toMatchObject({ transferId: t.id, outcome: 'failed', status: 'pending', proposedBy: 'alice', decidedBy: null, decidedAt: null });
      await expect(settlements.propose(t.id, 'succeeded', 'no, paid', 'statement', 'bob', now)).rejects.toMatchObject({ code: 'FB_ADMIN_CONFLICT' });
      expect((await settlements.pending()).map((p) => p.id)).toContain(s.id);
      // nothing moved
      expect((await ledger.get(t.id))!.state).toBe('unknown');
    });

    it('cannot be confirmed by its proposer; a second operator confirms and the transfer moves with its outbox event', async () => {
      const t = await unknown();
      const s = await settlements.propose(t.id, 'succeeded', 'bank statement shows it', 'statement 2026-03-10 line 4', 'alice', new Date());
      await expect(settlements.confirm(s.id, 'alice', 'looks right', new Date())).rejects.toMatchObject({ code: 'FB_ADMIN_FOUR_EYES' });
      expect((await ledger.get(t.id))!.state).toBe('unknown');
      const done = await settlements.confirm(s.id, 'bob', 'checked the statement', new Date());
      expect(done).toMatchObject({ status: 'confirmed', decidedBy: 'bob', decisionReason: 'checked the statement' });
      const after = (await ledger.get(t.id))!;
      expect(after.state).toBe('succeeded');
      const [move] = await moves(t.id, 'succeeded');
      expect(move).toMatchObject({ fromState: 'unknown', toState: 'succeeded' });
      expect(move!.reason).toMatch(/^settled by operators \(#\d+\): alice proposed, bob confirmed: /);
      expect(await outbox(t.id)).toEqual(['transfer.succeeded']);
      await expect(settlements.confirm(s.id, 'carol', 'again', new Date())).rejects.toMatchObject({ code: 'FB_ADMIN_CONFLICT' });
      expect(await settlements.forTransfer(t.id)).toEqual([done]);
    });

    it('applies once when two operators confirm at the same moment', async () => {
      const t = await unknown();
      const s = await settlements.propose(t.id, 'failed', 'bank refused it', 'call ref 9', 'alice', new Date());
      const results = await Promise.allSettled([settlements.confirm(s.id, 'bob', 'agreed', new Date()), settlements.confirm(s.id, 'carol', 'agreed too', new Date())]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason).toMatchObject({ code: 'FB_ADMIN_CONFLICT' });
      expect((await ledger.get(t.id))!.state).toBe('failed');
      expect(await moves(t.id, 'failed')).toHaveLength(1);
      expect(await outbox(t.id)).toEqual(['transfer.failed']);
      expect((await settlements.get(s.id))!.status).toBe('confirmed');
    });

    it('is rejected, not applied, when an inquiry settled the transfer meanwhile', async () => {
      const t = await unknown();
      const s = await settlements.propose(t.id, 'succeeded', 'bank says paid', 'statement', 'alice', new Date());
      await ledger.move(t.id, 'unknown', 'failed', 'inquiry: refused by the bank');
      await expect(settlements.confirm(s.id, 'bob', 'agreed', new Date())).rejects.toMatchObject({ code: 'FB_ADMIN_CONFLICT' });
      const after = (await settlements.get(s.id))!;
      expect(after).toMatchObject({ status: 'rejected', decidedBy: 'bob' });
      expect(after.decisionReason).toMatch(/settled meanwhile.*failed/);
      expect((await ledger.get(t.id))!.state).toBe('failed');
      expect(await moves(t.id, 'succeeded')).toHaveLength(0);
      expect(await outbox(t.id)).toEqual(['transfer.failed']);
    });

    it('may be rejected (the proposer withdraws their own); then another may be proposed', async () => {
      const t = await unknown();
      const s = await settlements.propose(t.id, 'succeeded', 'bank says paid', 'statement', 'alice', new Date());
      const rejected = await settlements.reject(s.id, 'alice', 'wrong statement', new Date());
      expect(rejected).toMatchObject({ status: 'rejected', decidedBy: 'alice', decisionReason: 'wrong statement' });
      await expect(settlements.confirm(s.id, 'bob', 'too late', new Date())).rejects.toMatchObject({ code: 'FB_ADMIN_CONFLICT' });
      await expect(settlements.reject(s.id, 'bob', 'again', new Date())).rejects.toMatchObject({ code: 'FB_ADMIN_CONFLICT' });
      await expect(settlements.reject(999_999, 'bob', 'nothing', new Date())).rejects.toMatchObject({ code: 'FB_NOT_FOUND' });
      const again = await settlements.propose(t.id, 'failed', 'bank refused', 'call', 'bob', new Date());
      expect(again.status).toBe('pending');
      expect((await ledger.get(t.id))!.state).toBe('unknown');
    });

    it('finishes a confirmation that died after moving the transfer, without moving it again', async () => {
      const t = await unknown();
      const s = await settlements.propose(t.id, 'succeeded', 'bank says paid', 'statement', 'alice', new Date());
      // what a confirmation leaves when its process dies between the move and the report
      const past = new Date(Date.now() - 120_000);
      await sql.rows(ds, 'UPDATE manual_settlements SET claimed_by = $1, claimed_until = $2 WHERE id = $3', ['bob', past, s.id]);
      await ledger.move(t.id, 'unknown', 'succeeded', `settled by operators (#${s.id}): alice proposed, bob confirmed: x`, { needsOperator: false });
      await expect(settlements.reject(s.id, 'carol', 'changed my mind', new Date())).rejects.toMatchObject({ code: 'FB_ADMIN_CONFLICT' });
      expect(await settlements.get(s.id)).toMatchObject({ status: 'confirmed', decidedBy: 'bob' });
      expect(await moves(t.id, 'succeeded')).toHaveLength(1);
    });

    it('lists unknown transfers oldest first, since their move to unknown, with their pending settlement', async () => {
      const a = await unknown({ institution: 'q-inst' });
      const b = await unknown({ institution: 'q-inst' });
      // b became unknown first, though created after a (its answer was lost sooner)
      await sql.rows(ds, `UPDATE transfer_events SET at = $1 WHERE transfer_id = $2 AND to_state = 'unknown'`, [new Date(Date.now() - 2_000), b.id]);
      await sql.rows(ds, `UPDATE transfer_events SET at = $1 WHERE transfer_id = $2 AND to_state = 'unknown'`, [new Date(Date.now() - 1_000), a.id]);
      const s = await settlements.propose(a.id, 'failed', 'refused', 'call', 'alice', new Date());
      const queue = (await queries.unknowns(1_000)).filter((u) => u.transfer.institution === 'q-inst');
      expect(queue.map((u) => u.transfer.id)).toEqual([b.id, a.id]);
      const event = (await moves(b.id, 'unknown'))[0]!;
      expect(queue[0]!.since).toEqual(event.at);
      expect(queue[0]!.settlement).toBeNull();
      expect(queue[1]!.settlement).toEqual(s);
      const view = unknownView(queue[1]!);
      expect(view.settlement).toMatchObject({ id: s.id, status: 'pending', proposedAt: s.proposedAt.toISOString() });
      expect(view.transfer.depositAccount).toBe('********6789');
      await expect(queries.unknowns(0)).rejects.toMatchObject({ code: 'FB_VALIDATION', field: 'limit' });
    });
  });

  describe('other listings', () => {
    it('pages notices newest first and finds the notice gaps', async () => {
      const base = { institution: 'n-inst', bankCode: '004', companyId: 'FIRMBANK01', message: 'depositNotice.request', sendDate: '2026-03-10', raw: Buffer.from('x'), transferId: null };
      for (const seq of [1, 2, 4, 7]) {
        await ledger.recordNotice({ ...base, seqNo: String(seq).padStart(6, '0'), fields: JSON.stringify({ account: '110123456789', amount: String(seq * 1000) }) });
      }
      const ids: number[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await queries.notices({ institution: 'n-inst' }, after === undefined ? { limit: 3 } : { after, limit: 3 });
        ids.push(...page.items.map((x) => x.id));
        if (!page.next) break;
        after = page.next;
      }
      expect(ids).toHaveLength(4);
      expect([...ids].sort((a, b) => b - a)).toEqual(ids);
      const newest = (await queries.notices({ institution: 'n-inst' }, { limit: 1 })).items[0]!;
      expect(noticeView(newest)).toMatchObject({ kind: 'depositNotice', seqNo: '000007', amount: '7000', account: '********6789', institution: 'n-inst' });

      // the run found 3, 5 and 6 missing; 3 came later, 5 an operator closed
      const recon = new ReconStore(ds);
      const run = await recon.startRun('n-inst', '2026-03-10', null, new Date());
      const gap = (k: number) => ({ category: 'notice-gap' as const, subject: `notice:depositNotice.request:${k}`, transferId: null, service: null, ours: null, bank: null, detail: 'missing' });
      await recon.keepBreaks(run, 'n-inst', '2026-03-10', [gap(3), gap(5), gap(6)], new Date());
      await recon.finishRun(run, 'breaks', { ledgerTransfers: 0, bankRecords: 0, matched: 0, breaks: 3, breaksByCategory: { 'notice-gap': 3 } }, new Date());
      await ledger.recordNotice({ ...base, seqNo: '000003', fields: '{}' });
      const five = (await recon.breaks({ institution: 'n-inst' })).find((b) => b.subject.endsWith(':5'))!;
      await recon.resolveBreak(five.id, 'alice', 'bank confirmed no such notice', new Date());
      const gaps = (await queries.noticeGaps()).filter((g) => g.institution === 'n-inst');
      expect(gaps.map((g) => [g.kind, g.date, g.seqNo, g.status])).toEqual([
        ['depositNotice', '2026-03-10', '3', 'recovered'],
        ['depositNotice', '2026-03-10', '5', 'resolved'],
        ['depositNotice', '2026-03-10', '6', 'open'],
      ]);
      const runs = await queries.reconRuns({ institution: 'n-inst' }, 10);
      expect(runs.map((r) => [r.id, r.status, r.figures?.breaks])).toEqual([[run, 'breaks', 3]]);
    });

    it('counts the dashboard: today per institution, unknowns, 전문번호, the last hour by minute', async () => {
      const now = new Date();
      const ok = await create({ institution: 'd-inst', amount: new Decimal(12_345) });
      await ledger.move(ok.id, 'requested', 'sending', 'claimed');
      await ledger.move(ok.id, 'sending', 'succeeded', 'answered', { responseCode: '0000' });
      await create({ institution: 'd-inst' });
      const u = await unknown({ institution: 'd-inst' });
      await ledger.patch(u.id, { needsOperator: true });
      const date = new Date(now.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
      await sql.rows(ds, 'INSERT INTO sequences (scope_date, bank_code, company_id, next_value) VALUES ($1, $2, $3, $4)', [date, '004', 'DASHCO', 42]);
      const d = await queries.dashboard(new Date(), [{ institution: 'd-inst', bankCode: '004', companyId: 'DASHCO' }, { institution: 'idle-inst', bankCode: '020', companyId: 'IDLE' }]);
      expect(d.businessDate).toBe(date);
      const mine = d.institutions.find((i) => i.institution === 'd-inst')!;
      expect(mine.today).toMatchObject({ count: 3, succeeded: 1, failed: 0, unknown: 1 });
      expect(mine.today.succeededAmount.toFixed(0)).toBe('12345');
      expect(mine).toMatchObject({ unknownOpen: 1, unknownNeedOperator: 1, seqUsedToday: 41 });
      expect(mine.oldestUnknownAt).toEqual((await moves(u.id)).at(-1)!.at);
      expect(d.institutions.find((i) => i.institution === 'idle-inst')).toMatchObject({ today: { count: 0 }, unknownOpen: 0, seqUsedToday: 0 });
      expect(d.lastHour).toHaveLength(60);
      const minutes = d.lastHour.map((p) => p.minute.getTime());
      expect(minutes.every((m, i) => i === 0 || m - minutes[i - 1]! === 60_000)).toBe(true);
      const sum = (k: 'created' | 'succeeded' | 'unknown') => d.lastHour.reduce((s, p) => s + p[k], 0);
      expect(sum('created')).toBeGreaterThanOrEqual(3);
      expect(sum('succeeded')).toBeGreaterThanOrEqual(1);
      expect(sum('unknown')).toBeGreaterThanOrEqual(1);
    });

    async function moves(id: string) {
      return (await ledger.events(id)).filter((e) => e.toState === 'unknown');
    }
  });
});

describe('telegramDump of a Hecto 2000/100', () => {
  const codec = new TelegramCodec(loadSpecFile(join(ROOT, 'specs/hecto.yaml')));
  const layout = codec.message('transfer.request').layout;
  const sent = codec.encode('transfer.request', {
    systemId: 'SETTLEBNK',
    companyId: 'FIRMBANK01',
    bankCode: '004',
    seqNo: '000123',
    sendDate: '2026-11-24',
    sendTime: '09:30:00',
    withdrawAccount: '12345678901234',
    password: '1234',
    verifyCode: '567890',
    amount: '15000',
    depositBankCode: '088',
    depositAccount: '110123456789',
    memo: '급여',
    depositIdNo: '900101',
    depositHolderName: '홍길동',
  });
  // as the ledger keeps it: secrets overwritten
  const kept: KeptTelegram = { transferId: 't1', institution: 'hecto', direction: 'out', message: 'transfer.request', seqNo: '000123', sendDate: '2026-11-24', raw: codec.redactSecrets(sent), at: new Date('2026-11-24T00:30:00Z') };
  const bytesAt = (hex: string, f: { offset: number; length: number }) => Buffer.from(hex, 'hex').subarray(f.offset, f.offset + f.length);

  it('gives each field its offset and length in the telegram, as the spec lays it out', () => {
    const d = telegramDump(codec, kept, true);
    expect(d).toMatchObject({ direction: 'out', message: 'transfer.request', seqNo: '000123', at: '2026-11-24T00:30:00.000Z', length: 300, error: null });
    expect(d.fields.map((f) => [f.name, f.offset, f.length])).toEqual(layout.map((f) => [f.name, f.offset, f.length]));
    // the positions the Hecto PDF prints (test/hecto-golden.test.ts)
    const at = (name: string) => d.fields.find((f) => f.name === name)!;
    expect([at('seqNo').offset, at('withdrawAccount').offset, at('amount').offset, at('depositBankCode').offset, at('depositAccount').offset]).toEqual([32, 100, 129, 156, 159]);
    expect(at('depositAccount')).toMatchObject({ label: '입금계좌번호', length: 15, value: '110123456789', masked: false });
    expect(at('systemId').label).toBe('식별코드');
    // unmasked, the hex is the kept bytes, and each field's bytes there say its value
    expect(d.hex).toBe(kept.raw.toString('hex'));
    for (const f of d.fields) {
      const bytes = bytesAt(d.hex, f);
      if (f.masked || f.value === null) continue;
      const text = iconv.decode(bytes, 'euc-kr').trimEnd();
      const spec = layout.find((x) => x.name === f.name)!;
      if (spec.type === 'amount') expect(new Decimal(text).toFixed(spec.scale)).toBe(f.value);
      else if (spec.type === 'date') expect(`${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6)}`).toBe(f.value);
      else if (spec.type === 'time') expect(`${text.slice(0, 2)}:${text.slice(2, 4)}:${text.slice(4)}`).toBe(f.value);
      else expect(text).toBe(f.value);
    }
    // a secret stays masked even unmasked: its bytes were overwritten before it was kept
    expect(at('password')).toMatchObject({ masked: true, value: '****' });
    expect(bytesAt(d.hex, at('password')).every((b) => b === 0x2a)).toBe(true);
  });

  it('masks accounts and names, and overwrites their bytes in the hex with 2a', () => {
    const d = telegramDump(codec, kept, false);
    const at = (name: string) => d.fields.find((f) => f.name === name)!;
    expect(at('depositAccount')).toMatchObject({ value: '********6789', masked: true });
    expect(at('withdrawAccount')).toMatchObject({ value: '**********1234', masked: true });
    expect(at('depositHolderName')).toMatchObject({ value: '홍**', masked: true });
    expect(at('amount')).toMatchObject({ value: '15000', masked: false });
    for (const f of d.fields) {
      const bytes = bytesAt(d.hex, f);
      if (f.masked) expect(bytes.every((b) => b === 0x2a), f.name).toBe(true);
      else expect(bytes.equals(kept.raw.subarray(f.offset, f.offset + f.length)), f.name).toBe(true);
    }
    for (const secret of ['110123456789', '12345678901234']) expect(d.hex).not.toContain(Buffer.from(secret).toString('hex'));
    expect(d.hex).not.toContain(iconv.encode('홍길동', 'euc-kr').toString('hex'));
  });

  it('never throws on bytes that do not decode, and still hides what the layout masks', () => {
    const short = telegramDump(codec, { ...kept, raw: kept.raw.subarray(0, 200) }, false);
    expect(short.fields).toEqual([]);
    expect(short.error).toMatch(/200 bytes/);
    expect(short.length).toBe(200);
    expect(short.hex).not.toContain(Buffer.from('110123456789').toString('hex'));
    const junk = telegramDump(codec, { ...kept, raw: Buffer.from('hello 110123456789 \xb1\xdd', 'latin1') }, false);
    expect(junk).toMatchObject({ fields: [], message: 'transfer.request' });
    expect(junk.error).toBeTruthy();
    expect(Buffer.from(junk.hex, 'hex').toString('latin1')).toBe('hello ************ **');
    expect(telegramDump(codec, { ...kept, raw: Buffer.alloc(0) }, true).error).toBeTruthy();
  });
});

describe('views', () => {
  const t: Transfer = {
    ...SAMPLE_TRANSFER,
    id: 't-1',
    kind: 'transfer',
    consentId: null,
    payerNumber: null,
    service: 'payroll',
    requestId: 'r-1',
    state: 'succeeded',
    seqNo: '000001',
    sendDate: '2026-03-10',
    responseCode: '0000',
    responseMessage: '정상',
    fee: new Decimal(500),
    claimToken: null,
    inquiries: 0,
    noRecordAnswers: 0,
    needsOperator: false,
    createdAt: new Date('2026-03-10T01:02:03.004Z'),
    updatedAt: new Date('2026-03-10T01:02:04.000Z'),
  };

  it('mask accounts and names unless unmasked; amounts and times as strings', () => {
    expect(transferSummaryView(t, false)).toMatchObject({ depositAccount: '********6789', amount: '15000', createdAt: '2026-03-10T01:02:03.004Z', state: 'succeeded' });
    expect(transferSummaryView(t, true).depositAccount).toBe('110123456789');
    const detail = transferDetailView(t, false, { oneWon: false });
    expect(detail).toMatchObject({ withdrawAccount: '**********1234', recipientName: '홍**', memo: '급여', fee: '500', oneWon: false });
    expect(transferDetailView(t, true, { oneWon: false })).toMatchObject({ withdrawAccount: '12345678901234', recipientName: '홍길동' });
    expect(transferDetailView({ ...t, memo: 'sealed:abc' }, true, { oneWon: true })).toMatchObject({ memo: '(sealed)', oneWon: true });
    expect(settlementView({ id: 1, transferId: 't-1', outcome: 'failed', reason: 'r', evidence: 'e', proposedBy: 'alice', proposedAt: t.createdAt, status: 'pending', decidedBy: null, decidedAt: null, decisionReason: null })).toMatchObject({
      proposedAt: '2026-03-10T01:02:03.004Z',
      decidedAt: null,
    });
    const c = { id: 'c1', service: 's', institution: 'hecto', payerNumber: 'P1', bankCode: '004', account: '110123456789', state: 'registered', evidence: null, createdAt: t.createdAt, updatedAt: t.updatedAt } as unknown as Consent;
    expect(consentView(c, false)).toMatchObject({ account: '********6789', hasEvidence: false, createdAt: '2026-03-10T01:02:03.004Z' });
    expect(consentView(c, true).account).toBe('110123456789');
  });
});

describe('the dashboard\'s latency figure', () => {
  it('is the nearest-rank median and 99th percentile, whatever the order of the sample', async () => {
    const { latencyOf } = await import('../src/ledger/admin/dashboard-query.js');
    expect(latencyOf([])).toEqual({ p50Ms: null, p99Ms: null, settled: 0 });
    expect(latencyOf([30, 10, 20])).toEqual({ p50Ms: 20, p99Ms: 30, settled: 3 });
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(latencyOf(hundred)).toEqual({ p50Ms: 50, p99Ms: 99, settled: 100 });
  });
});
