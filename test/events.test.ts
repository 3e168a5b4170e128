import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransferState } from '../src/domain/transfer-state.js';
import { openDatabase } from '../src/ledger/data-source.js';
import { EventStore } from '../src/ledger/event-store.js';
import { Ledger } from '../src/ledger/ledger.js';
import { SAMPLE_TRANSFER } from './helpers/day-rows.js';
import { freshDatabase } from './helpers/gateway.js';

const NEW = { ...SAMPLE_TRANSFER, service: 'payroll' };

describe.each(['sqlite', 'postgres'] as const)('the outbox on %s', (kind) => {
  let ds: DataSource;
  let drop: () => Promise<void>;
  let ledger: Ledger;
  let events: EventStore;
  let n = 0;

  const create = async (service = 'payroll') => (await ledger.createTransfer({ ...NEW, service, requestId: `r${++n}` })).transfer;
  /** Walks a transfer through states; returns the ones the ledger accepted. */
  const walk = async (id: string, path: readonly TransferState[]) => {
    let from: TransferState = 'requested';
    for (const to of path) {
      if (await ledger.move(id, from, to, 'test', to === 'succeeded' ? { responseCode: '0000', fee: new Decimal(500) } : {})) from = to;
    }
  };

  beforeAll(async () => {
    const db = await freshDatabase(kind);
    drop = db.drop;
    ds = await openDatabase({ url: db.url });
    ledger = new Ledger(ds);
    events = new EventStore(ds);
  });
  afterAll(async () => {
    await ds.destroy();
    await drop();
  });

  it('a final state or a reversal writes exactly its event, with the change; other moves write none', async () => {
    const ok = await create();
    await walk(ok.id, ['sending', 'unknown', 'succeeded', 'reversed']);
    const list = await events.of(`transfer:${ok.id}`);
    expect(list.map((e) => e.type)).toEqual(['transfer.succeeded', 'transfer.reversed']);
    expect(list[0]!.data).toEqual({ transferId: ok.id, kind: 'transfer', requestId: ok.requestId, state: 'succeeded', amount: '15000', fee: '500', bankCode: '088', accountSuffix: '6789', responseCode: '0000' });
    expect(JSON.stringify(list)).not.toContain('110123456789'); // masked by construction
    // a move the ledger refuses (not in that state any more) writes nothing
    expect(await ledger.move(ok.id, 'succeeded', 'reversed', 'again')).toBeNull();
    expect(await events.of(`transfer:${ok.id}`)).toHaveLength(2);
    const refused = await create();
    await walk(refused.id, ['sending', 'failed']);
    expect((await events.of(`transfer:${refused.id}`)).map((e) => e.type)).toEqual(['transfer.failed']);
  });

  it('positions are gap-free, in commit order, and the feed hands every event of a service out exactly once across pages', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('payroll', 'shop'), fc.constantFrom<TransferState[]>(['sending', 'succeeded'], ['sending', 'failed'], ['sending', 'unknown'], ['sending', 'succeeded', 'reversed'])), { maxLength: 12 }), fc.integer({ min: 1, max: 5 }), async (plan, page) => {
        for (const [service, path] of plan) await walk((await create(service)).id, path);
        await events.sequence();
        const all = (await ds.query('SELECT position FROM events ORDER BY position')) as { position: number | string }[];
        expect(all.map((r) => Number(r.position))).toEqual(all.map((_, i) => i + 1));
        for (const service of ['payroll', 'shop']) {
          const seen: string[] = [];
          let after = 0;
          for (;;) {
            const { events: got, next } = await events.feed(service, after, page);
            if (got.length === 0) break;
            expect(got.every((e) => e.service === service)).toBe(true);
            seen.push(...got.map((e) => e.id));
            after = next;
          }
          const expected = (await ds.query(`SELECT id FROM events WHERE service = '${service}' ORDER BY position`)) as { id: number }[];
          expect(seen).toEqual(expected.map((r) => `evt_${r.id}`));
        }
      }),
      { numRuns: 15 },
    );
  });

  it.runIf(kind === 'postgres')('an event committed late by a slow transaction is numbered after what readers have passed: the feed skips nothing', async () => {
    const slow = ds.createQueryRunner();
    await slow.connect();
    await slow.startTransaction();
    try {
      const t = await create();
      await slow.query(`INSERT INTO events (service, type, aggregate, payload, occurred_at) VALUES ('late', 'transfer.succeeded', 'transfer:${t.id}', '{}', now())`);
      // meanwhile, another transaction commits an event and the reader pages past it
      await walk((await create('late')).id, ['sending', 'succeeded']);
      const first = await events.feed('late', 0, 100);
      expect(first.events).toHaveLength(1);
      await slow.commitTransaction();
      const second = await events.feed('late', first.next, 100);
      expect(second.events.map((e) => e.aggregate)).toEqual([`transfer:${t.id}`]);
      expect(second.events[0]!.position).toBeGreaterThan(first.next);
    } finally {
      await slow.release();
    }
  });
});
