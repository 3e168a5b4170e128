import { createServer } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { BusinessHours } from '../src/institution/business-hours.js';
import { normaliseName } from '../src/flows/verification-flow.js';
import { openDatabase } from '../src/ledger/data-source.js';
import { Ledger } from '../src/ledger/ledger.js';
import { canMove, TRANSFER_STATES, type TransferState } from '../src/domain/transfer-state.js';
import { ensureRedis } from '../src/queue/redis.js';
import type { DataSource } from 'typeorm';
import { ROOT } from './helpers/specs.js';
import { freshSqlite } from './helpers/gateway.js';

describe('transfer state machine against the ledger (SQLite)', () => {
  let ds: DataSource;
  let ledger: Ledger;
  beforeAll(async () => {
    ds = await openDatabase({ url: freshSqlite() });
    ledger = new Ledger(ds);
  });
  afterAll(() => ds.destroy());

  it('property: any sequence of attempted moves leaves the ledger where the model says, one event per move', async () => {
    const state = fc.constantFrom(...TRANSFER_STATES);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(state, state), { maxLength: 12 }), async (attempts) => {
        const { transfer } = await ledger.createTransfer({
          service: 'model', requestId: `m-${++n}`, requestHash: 'h', institution: 'hecto', bankCode: '004', companyId: 'C',
          withdrawAccount: '1', depositBankCode: '004', depositAccount: '2', amount: new Decimal(1), memo: '', recipientName: '',
        });
        let model: TransferState = 'requested';
        let moves = 0;
        for (const [from, to] of attempts) {
          if (!canMove(from, to)) {
            await expect(ledger.move(transfer.id, from, to, 'x')).rejects.toThrow(/not a transfer state change/);
            continue;
          }
          const moved = await ledger.move(transfer.id, from, to, 'x');
          expect(moved !== null).toBe(from === model);
          if (moved) {
            model = to;
            moves++;
          }
        }
        expect((await ledger.get(transfer.id))!.state).toBe(model);
        expect(await ledger.events(transfer.id)).toHaveLength(moves + 1);
      }),
      { numRuns: 60 },
    );
  });

  it('final states have no way out, and nothing goes back to requested once its telegram may be out', () => {
    for (const s of TRANSFER_STATES) {
      if (s === 'failed' || s === 'reversed') expect(TRANSFER_STATES.filter((t) => canMove(s, t))).toEqual([]);
    }
    expect(canMove('unknown', 'requested')).toBe(false);
    expect(canMove('succeeded', 'requested')).toBe(false);
  });
});

describe('business hours from data', () => {
  const hours = BusinessHours.load(join(ROOT, 'specs/hours/hecto.yaml'));
  const kst = (iso: string) => new Date(`${iso}+09:00`);
  it('refuses outside hours and inside maintenance windows, accepts otherwise', () => {
    expect(() => hours.check('088', kst('2026-11-25T12:00:00'))).not.toThrow();
    expect(() => hours.check('088', kst('2026-11-25T23:45:00'))).toThrowError(/신한은행 is open 00:30–23:40/);
    expect(() => hours.check('035', kst('2026-11-29T04:40:00'))).toThrowError(/제주은행 maintenance 04:30–05:00/); // a Sunday
    expect(() => hours.check('035', kst('2026-11-28T04:40:00'))).not.toThrow(); // a Saturday
    expect(() => hours.check('002', kst('2026-11-08T01:00:00'))).toThrowError(/maintenance/); // 2nd Sunday
    expect(() => hours.check('002', kst('2026-11-15T01:00:00'))).not.toThrow(); // 3rd Sunday
    expect(() => hours.check('999', kst('2026-11-25T12:00:00'))).toThrowError(/no business hours are known/);
  });
});

describe('configuration', () => {
  it('has embedded defaults and names the setting that is wrong', () => {
    const c = loadConfig({});
    expect(c.databaseUrl).toMatch(/firmbank\.sqlite$/);
    expect(c.institutions[0]).toMatchObject({ id: 'hecto', simulator: true, enforceHours: false });
    expect(loadConfig({ DATABASE_URL: 'postgres://x@y/z', PORT: '9000' })).toMatchObject({ databaseUrl: 'postgres://x@y/z', api: { port: 9000 } });
    expect(() => loadConfig({ PORT: 'eighty' })).toThrowError(/configuration PORT: must be an integer/);
    const dir = mkdtempSync(join(tmpdir(), 'firmbank-conf-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'institutions:\n  - { simulator: false, bankCode: "4" }\n');
    expect(() => loadConfig({ FIRMBANK_CONFIG: file })).toThrowError(/institutions\[0\]\.bankCode: "4": must be a 3-digit bank code/);
    writeFileSync(file, 'institutions:\n  - { simulator: false, port: 9300, bankCode: "999" }\n');
    expect(() => loadConfig({ FIRMBANK_CONFIG: file })).toThrowError(/bankCode: "999": "999" is not a bank code on the KFTC list/);
    writeFileSync(file, 'institutions:\n  - { spec: specs/hecto.yaml }\n');
    expect(() => loadConfig({ FIRMBANK_CONFIG: file })).toThrowError(/institutions\[0\]\.spec: is now named by the institution's profile/);
    writeFileSync(file, 'institutions:\n  - { id: hecto }\nrouting:\n  - { banks: ["004"], institution: direct }\n');
    expect(() => loadConfig({ FIRMBANK_CONFIG: file })).toThrowError(/routing\[0\]\.institution: "direct" is not a configured institution \(hecto\)/);
    writeFileSync(file, 'institutions:\n  - { id: hecto }\nrouting:\n  - { banks: [4], institution: hecto }\n');
    expect(() => loadConfig({ FIRMBANK_CONFIG: file })).toThrowError(/routing\[0\]\.banks\[0\]: 4: must be a quoted 3-digit bank code/);
    writeFileSync(file, 'institutions:\n  - { id: hecto }\nrouting:\n  - { banks: ["004"], institution: hecto }\n  - { institution: hecto }\n');
    expect(loadConfig({ FIRMBANK_CONFIG: file }).routing).toEqual([{ banks: ['004'], institution: 'hecto' }, { institution: 'hecto' }]);
    writeFileSync(file, 'institutions:\n  - { simulator: false, port: 9300, accountPasswordEnv: NOPE_NOT_SET }\n');
    expect(() => loadConfig({ FIRMBANK_CONFIG: file })).toThrowError(/NOPE_NOT_SET is not set/);
    expect(() => loadConfig({ FIRMBANK_CONFIG: join(dir, 'missing.yaml') })).toThrowError(/cannot read/);
  });
});

describe('Redis for the gateway', () => {
  it('starts a private redis-server when nothing answers, and stops it', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const handle = await ensureRedis(`redis://127.0.0.1:${port}`, true, mkdtempSync(join(tmpdir(), 'firmbank-redis-')));
    const { Redis } = await import('ioredis');
    const r = new Redis({ port, lazyConnect: true });
    await r.connect();
    expect(await r.ping()).toBe('PONG');
    r.disconnect();
    await handle.stop();
    await expect(ensureRedis(`redis://127.0.0.1:${port}`, false, tmpdir())).rejects.toMatchObject({ code: 'FB_REDIS_UNAVAILABLE' });
  });
});

describe('names compare as people mean them', () => {
  it('ignores spaces, full-width forms and case', () => {
    expect(normaliseName('홍 길동')).toBe(normaliseName('홍길동'));
    expect(normaliseName('ＡＢＣ상사')).toBe(normaliseName('abc상사'));
    expect(normaliseName('홍길동')).not.toBe(normaliseName('홍길순'));
  });
});
