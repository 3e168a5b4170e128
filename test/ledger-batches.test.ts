import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransferPatch } from '../src/domain/transfer.js';
import type { TransferState } from '../src/domain/transfer-state.js';
import { Coalescer } from '../src/ledger/coalescer.js';
import { openDatabase } from '../src/ledger/data-source.js';
import { EventStore } from '../src/ledger/event-store.js';
import { Ledger } from '../src/ledger/ledger.js';
import { Sql } from '../src/ledger/sql.js';
import { SAMPLE_TRANSFER } from './helpers/day-rows.js';
import { freshDatabase } from './helpers/gateway.js';

const turn = () => new Promise((r) => setImmediate(r));

describe('Coalescer', () => {
  it('answers every call with its own result, never two calls of one key in a batch, within its bounds; a bad call fails alone', async () => {
    const call = fc.record({ key: fc.integer({ min: 0, max: 5 }), bad: fc.integer({ min: 0, max: 9 }).map((n) => n === 0), waitTurns: fc.integer({ min: 0, max: 2 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(call, { maxLength: 60 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 3 }), async (calls, maxBatch, maxInFlight) => {
        let running = 0;
        let mostRunning = 0;
        const runningKeys = new Set<number>();
        let sharedKey = false;
        const batches: number[][] = [];
        const c = new Coalescer<{ i: number; key: number; bad: boolean }, number>(
          async (inputs) => {
            running++;
            mostRunning = Math.max(mostRunning, running);
            batches.push(inputs.map((x) => x.i));
            for (const x of inputs) (runningKeys.has(x.key) ? (sharedKey = true) : runningKeys.add(x.key));
            await turn();
            for (const x of inputs) runningKeys.delete(x.key);
            running--;
            if (inputs.some((x) => x.bad)) throw new Error('bad input');
            return inputs.map((x) => x.i * 10);
          },
          { maxBatch, maxInFlight, key: (x) => String(x.key) },
        );
        const answers: Promise<number>[] = [];
        for (const [i, x] of calls.entries()) {
          const answer = c.call({ i, key: x.key, bad: x.bad });
          answer.catch(() => {}); // looked at below, once every call has been made
          answers.push(answer);
          for (let t = 0; t < x.waitTurns; t++) await turn();
        }
        const settled = await Promise.allSettled(answers);
        await c.drained();
        settled.forEach((s, i) => {
          if (calls[i]!.bad) expect(s.status).toBe('rejected');
          else expect(s).toEqual({ status: 'fulfilled', value: i * 10 });
        });
        expect(mostRunning).toBeLessThanOrEqual(maxInFlight);
        expect(sharedKey).toBe(false); // no key in two batches running at once
        for (const b of batches) {
          expect(b.length).toBeLessThanOrEqual(maxBatch);
          expect(new Set(b.map((i) => calls[i]!.key)).size).toBe(b.length);
        }
        // Calls of one key run in the order they were made.
        const firstRun = new Map<number, number>();
        batches.forEach((b, n) => b.forEach((i) => firstRun.has(i) || firstRun.set(i, n)));
        for (let i = 0; i < calls.length; i++)
          for (let j = i + 1; j < calls.length; j++) if (calls[i]!.key === calls[j]!.key) expect(firstRun.get(i)!).toBeLessThan(firstRun.get(j)!);
      }),
      { numRuns: 150 },
    );
  });
});

/** What a plan does, all of a step's calls made at once (on PostgreSQL they share batches). */
interface Plan {
  readonly creates: readonly { readonly req: number; readonly amount: number }[];
  readonly claims: readonly number[];
  readonly moves: readonly { readonly req: number; readonly from: TransferState; readonly to: TransferState; readonly patch: TransferPatch; readonly claimed: boolean; readonly answered: boolean }[];
}

const MOVES: readonly [TransferState, TransferState][] = [
  ['requested', 'failed'], ['sending', 'succeeded'], ['sending', 'failed'], ['sending', 'unknown'], ['sending', 'requested'],
  ['unknown', 'succeeded'], ['unknown', 'failed'], ['succeeded', 'reversed'],
];

const patchArb: fc.Arbitrary<TransferPatch> = fc.record(
  {
    responseCode: fc.constantFrom('0000', 'A010', null),
    responseMessage: fc.constantFrom('정상', '잔액부족'),
    fee: fc.option(fc.integer({ min: 0, max: 900 }).map((n) => new Decimal(n))),
    inquiries: fc.integer({ min: 0, max: 5 }),
    needsOperator: fc.boolean(),
    seqNo: fc.constantFrom(null, '000123'),
  },
  { requiredKeys: [] },
);

const planArb: fc.Arbitrary<Plan> = fc.record({
  creates: fc.array(fc.record({ req: fc.integer({ min: 0, max: 6 }), amount: fc.constantFrom(1_000, 2_000) }), { minLength: 1, maxLength: 12 }),
  claims: fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 10 }),
  moves: fc.array(
    fc.record({ req: fc.integer({ min: 0, max: 6 }), move: fc.constantFrom(...MOVES), patch: patchArb, claimed: fc.boolean(), answered: fc.boolean() }).map(({ move: [from, to], ...m }) => ({ ...m, from, to })),
    { maxLength: 14 },
  ),
});

/** Runs a plan; what each call answered, and what the database holds after, by request number. */
async function runPlan(ledger: Ledger, ds: DataSource, round: number, plan: Plan) {
  const requestId = (req: number) => `r${round}-${req}`;
  const created = await Promise.allSettled(
    plan.creates.map((c) => ledger.createTransfer({ ...SAMPLE_TRANSFER, service: 'batch', requestId: requestId(c.req), requestHash: `h${c.amount}`, amount: new Decimal(c.amount) })),
  );
  const ids = new Map<number, string>();
  for (const [i, s] of created.entries()) if (s.status === 'fulfilled') ids.set(plan.creates[i]!.req, s.value.transfer.id);
  const idOf = (req: number) => ids.get(req) ?? '00000000-0000-0000-0000-000000000000';
  const claim = (req: number) => `claim-${round}-${req}`;
  const claims = await Promise.all(
    plan.claims.map((req) =>
      ledger.claimAndKeep({ transferId: idOf(req), institution: 'hecto', direction: 'out', message: '2000/100', seqNo: String(req).padStart(6, '0'), sendDate: '2026-12-02', raw: Buffer.from(`telegram ${req}`), at: new Date() }, claim(req)),
    ),
  );
  // An answer travels with its move, and is kept whether the move applies or not.
  const answer = (req: number, n: number) => ({ transferId: idOf(req), institution: 'hecto', direction: 'in' as const, message: '2000/110', seqNo: String(req).padStart(6, '0'), sendDate: '2026-12-02', raw: Buffer.from(`answer ${n}`), at: new Date() });
  const moves = await Promise.all(
    plan.moves.map((m, n) => ledger.move(idOf(m.req), m.from, m.to, `plan ${m.from}→${m.to}`, m.patch, { ...(m.claimed ? { claim: claim(m.req) } : {}), ...(m.answered ? { answer: answer(m.req, n) } : {}) })),
  );
  const rows = new Map<number, unknown>();
  const events = new EventStore(ds);
  for (const [req, id] of ids) {
    const t = (await ledger.get(id))!;
    rows.set(req, {
      state: t.state, amount: t.amount.toFixed(0), seqNo: t.seqNo, sendDate: t.sendDate, responseCode: t.responseCode, responseMessage: t.responseMessage,
      fee: t.fee?.toFixed(0) ?? null, claimToken: t.claimToken, inquiries: t.inquiries, needsOperator: t.needsOperator,
      history: (await ledger.events(id)).map((e) => `${e.fromState}→${e.toState}: ${e.reason}`),
      telegrams: (await ledger.telegrams(id)).map((x) => `${x.message} ${x.seqNo} ${x.raw.toString()}`),
      serviceEvents: (await events.of(`transfer:${id}`)).map((e) => `${e.type} ${JSON.stringify({ ...e.data, transferId: undefined })}`),
    });
  }
  return {
    created: created.map((s) => (s.status === 'fulfilled' ? (s.value.created ? 'created' : 'existing') : (s.reason as Error).constructor.name)),
    claims,
    moves: moves.map((t) => t && { state: t.state, responseCode: t.responseCode, fee: t.fee?.toFixed(0) ?? null, needsOperator: t.needsOperator }),
    rows: Object.fromEntries([...rows].sort(([a], [b]) => a - b)),
  };
}

describe('the transfer path batched on PostgreSQL', () => {
  const dbs: Record<'sqlite' | 'postgres', { ds: DataSource; ledger: Ledger; drop: () => Promise<void> }> = {} as never;

  beforeAll(async () => {
    for (const kind of ['sqlite', 'postgres'] as const) {
      const db = await freshDatabase(kind);
      const ds = await openDatabase({ url: db.url });
      dbs[kind] = { ds, ledger: new Ledger(ds), drop: db.drop };
    }
  });
  afterAll(async () => {
    for (const db of Object.values(dbs)) {
      await db.ds.destroy();
      await db.drop();
    }
  });

  it('answers every call and leaves every row, its history, telegrams and service events as SQLite does one call at a time', async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(planArb, async (plan) => {
        round++;
        const one = await runPlan(dbs.sqlite.ledger, dbs.sqlite.ds, round, plan);
        const batched = await runPlan(dbs.postgres.ledger, dbs.postgres.ds, round, plan);
        expect(batched).toEqual(one);
      }),
      { numRuns: 60 },
    );
  });

  it('two claims of one transfer made at once: exactly one wins, and only its telegram is kept', async () => {
    const { ledger } = dbs.postgres;
    const { transfer } = await ledger.createTransfer({ ...SAMPLE_TRANSFER, service: 'race', requestId: 'claim-race' });
    const telegram = (n: string) => ({ transferId: transfer.id, institution: 'hecto', direction: 'out' as const, message: '2000/100', seqNo: n, sendDate: '2026-12-02', raw: Buffer.from(n), at: new Date() });
    const won = await Promise.all([ledger.claimAndKeep(telegram('000001'), 'a'), ledger.claimAndKeep(telegram('000002'), 'b'), ledger.claimAndKeep(telegram('000003'), 'c')]);
    expect(won.filter(Boolean)).toHaveLength(1);
    const kept = await ledger.telegrams(transfer.id);
    expect(kept).toHaveLength(1);
    expect((await ledger.get(transfer.id))!.claimToken).toBe(['a', 'b', 'c'][won.indexOf(true)]);
    expect(kept[0]!.seqNo).toBe(['000001', '000002', '000003'][won.indexOf(true)]);
  });

  it('a state change the database refuses still keeps the answer that came with it', async () => {
    const { ledger } = dbs.postgres;
    const { transfer } = await ledger.createTransfer({ ...SAMPLE_TRANSFER, service: 'refused', requestId: 'refused-move' });
    const answer = { transferId: transfer.id, institution: 'hecto', direction: 'in' as const, message: 'transfer.response', seqNo: '000009', sendDate: '2026-12-02', raw: Buffer.from('the answer'), at: new Date() };
    // response_message is varchar(200): the statement is refused.
    await expect(ledger.move(transfer.id, 'requested', 'failed', 'refused', { responseMessage: 'x'.repeat(300) }, { answer })).rejects.toThrow();
    expect((await ledger.telegrams(transfer.id)).map((t) => t.raw.toString())).toEqual(['the answer']);
    expect((await ledger.get(transfer.id))!.state).toBe('requested');
  });

  it('a batch with one call the database refuses answers the others as if alone', async () => {
    const { ledger, ds } = dbs.postgres;
    const good = await Promise.allSettled([
      ledger.createTransfer({ ...SAMPLE_TRANSFER, service: 'mixed', requestId: 'ok-1' }),
      ledger.createTransfer({ ...SAMPLE_TRANSFER, service: 'mixed', requestId: 'too-long-'.padEnd(200, 'x') }), // request_id is varchar(128)
      ledger.createTransfer({ ...SAMPLE_TRANSFER, service: 'mixed', requestId: 'ok-2' }),
    ]);
    expect(good.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const rows = await new Sql(ds).rows(ds, `SELECT request_id FROM transfers WHERE service = 'mixed' ORDER BY request_id`, []);
    expect(rows.map((r) => r['request_id'])).toEqual(['ok-1', 'ok-2']);
  });
});
