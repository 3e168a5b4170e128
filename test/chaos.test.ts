import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyApiRecord, type ApiRecord } from '../scripts/chaos/callers.js';
import type { OurTransfer, SentTelegram } from '../scripts/chaos/ledger-reader.js';
import { planTransfers } from '../scripts/chaos/plan.js';
import { Random } from '../scripts/chaos/prng.js';
import type { ChaosSummary } from '../scripts/chaos/report.js';
import type { BankTransfer } from '../scripts/chaos/sim-control.js';
import { BooksWatcher } from '../scripts/chaos/books-watcher.js';
import type { SimControl } from '../scripts/chaos/sim-control.js';
import { explainedBalances, judge, type VerdictInput } from '../scripts/chaos/verdict.js';
import { ROOT } from './helpers/specs.js';

// The chaos run itself is compiled to dist/ (CI: `npm ci` builds it, as for test/gateway-processes.test.ts).
const RUN = join(ROOT, 'dist/scripts/chaos/run.js');
const DATE = '2026-11-25';

/** One of our transfers, sent once with 전문번호 `seq`, in `state`. */
function ours(n: number, state: OurTransfer['state'], extra: Partial<OurTransfer> = {}): OurTransfer {
  return { id: `t${n}`, requestId: `r${n}`, state, seqNo: String(n).padStart(6, '0'), sendDate: DATE, amount: '1000', fee: '500', depositBankCode: '088', depositAccount: '110123456789', responseCode: '0000', inquiries: 0, needsOperator: false, ...extra };
}

const sentOf = (t: OurTransfer, seq = t.seqNo!): SentTelegram => ({ transferId: t.id, message: 'transfer.request', sendDate: DATE, seqNo: seq });

const atBank = (seq: string, state: BankTransfer['state'], amount = '1000'): BankTransfer => ({
  date: DATE,
  seqNo: seq,
  withdrawAccount: '12345678901234',
  depositBankCode: '088',
  depositAccount: '110123456789',
  amount,
  fee: '500',
  code: state === 'rejected' ? '0133' : '0000',
  state,
});

function answered(ts: readonly OurTransfer[]): ApiRecord {
  const api = emptyApiRecord();
  for (const t of ts) api.answered.set(t.requestId, new Set([t.id]));
  return api;
}

const OPENING = [
  { account: '12345678901234', balance: '1000000000' },
  { account: '110123456789', balance: '0' },
];

/** A run's evidence; the bank's balances are those its records explain unless given. */
function input(o: Partial<VerdictInput> & Pick<VerdictInput, 'ours' | 'bank'>): VerdictInput {
  const balances = [...explainedBalances(OPENING, o.bank)].map(([account, won]) => ({ account, balance: String(won) }));
  return { sent: o.ours.map((t) => sentOf(t)), numbered: new Set(['transfer.request', 'resultInquiry.request']), api: answered(o.ours), unacknowledgedNotices: new Set(), inquiryMaxAttempts: 60, balances, openingBalances: OPENING, rewrites: [], ...o };
}

const kinds = (v: ReturnType<typeof judge>) => v.violations.map((x) => x.kind);

describe('chaos verdict', () => {
  it('holds when the books agree transfer for transfer', () => {
    const a = ours(1, 'succeeded');
    const b = ours(2, 'failed', { responseCode: '0133' });
    const c = ours(3, 'reversed');
    const v = judge(input({ ours: [a, b, c], bank: [atBank('000001', 'applied'), atBank('000002', 'rejected'), atBank('000003', 'reversed')] }));
    expect(v.violations).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.states).toEqual({ succeeded: 1, failed: 1, reversed: 1 });
  });

  it('finds a change without its event, and an event without its change', () => {
    const a = ours(1, 'succeeded');
    const b = ours(2, 'reversed');
    const outbox = new Map([
      [a.id, { moves: ['transfer.succeeded'], events: [] }],
      [b.id, { moves: ['transfer.succeeded'], events: ['transfer.succeeded', 'transfer.reversed'] }],
    ]);
    const v = judge(input({ ours: [a, b], bank: [atBank('000001', 'applied'), atBank('000002', 'reversed')], outbox }));
    expect(v.violations.filter((x) => x.kind === 'outbox').map((x) => x.transferId)).toEqual([a.id, b.id]);
    const fine = new Map([[a.id, { moves: ['transfer.succeeded'], events: ['transfer.succeeded'] }]]);
    expect(kinds(judge(input({ ours: [a], bank: [atBank('000001', 'applied')], outbox: fine })))).toEqual([]);
  });

  it('finds money moved twice for one transfer (sent again under a new 전문번호)', () => {
    const a = ours(1, 'succeeded');
    const v = judge(input({ ours: [a], sent: [sentOf(a, '000001'), sentOf(a, '000007')], bank: [atBank('000001', 'applied'), atBank('000007', 'applied')] }));
    expect(kinds(v)).toContain('doubled');
    expect(v.ok).toBe(false);
  });

  it('finds money lost either way: failed but applied, succeeded but never applied, succeeded but reversed', () => {
    const v = judge(input({ ours: [ours(1, 'failed'), ours(2, 'succeeded'), ours(3, 'succeeded')], bank: [atBank('000001', 'applied'), atBank('000003', 'reversed')] }));
    expect(v.violations.map((x) => [x.kind, x.transferId])).toEqual([
      ['lost', 't1'],
      ['lost', 't2'],
      ['lost', 't3'],
    ]);
  });

  it('explains a reversal the bank made with a notice nobody acknowledged, and only that one', () => {
    const a = ours(1, 'succeeded');
    const v = judge(input({ ours: [a], bank: [atBank('000001', 'reversed')], unacknowledgedNotices: new Set([`${DATE}|000001`]) }));
    expect(v.ok).toBe(true);
    expect(v.explained).toHaveLength(1);
  });

  it('calls a transfer stuck unless it was flagged after its inquiries ran out', () => {
    const v = judge(
      input({
        ours: [ours(1, 'unknown'), ours(2, 'unknown', { needsOperator: true, inquiries: 60 }), ours(3, 'sending', { needsOperator: true, inquiries: 60 }), ours(4, 'requested', { seqNo: null, sendDate: null })],
        sent: [sentOf(ours(1, 'unknown')), sentOf(ours(2, 'unknown')), sentOf(ours(3, 'sending'))],
        bank: [atBank('000002', 'applied')],
      }),
    );
    expect(v.violations.map((x) => [x.kind, x.transferId])).toEqual([
      ['stuck', 't1'],
      ['stuck', 't3'],
      ['stuck', 't4'],
    ]);
    expect(v.flagged).toEqual([{ transferId: 't2', state: 'unknown', inquiries: 60, bank: 'applied' }]);
  });

  it('finds what reached the bank without a kept telegram, and answers that disagree with the request', () => {
    const v = judge(input({ ours: [ours(1, 'succeeded')], bank: [atBank('000001', 'applied', '999'), atBank('000009', 'applied')] }));
    expect(kinds(v).sort()).toEqual(['mismatch', 'phantom']);
  });

  it('holds idempotency to one transfer per requestId, the one every answer named; another body must be a 409', () => {
    const a = ours(1, 'succeeded');
    const api = answered([a]);
    api.answered.get('r1')!.add('t-other');
    api.conflicts.push({ requestId: 'r1', status: 200 });
    api.answered.set('r-never-stored', new Set(['t9']));
    const v = judge(input({ ours: [a], bank: [atBank('000001', 'applied')], api }));
    expect(kinds(v).sort()).toEqual(['idempotency', 'idempotency', 'idempotency', 'lost']);
  });

  it('counts a 전문번호 written twice, but not the bank numbers our notice replies echo', () => {
    const a = ours(1, 'succeeded');
    const b = ours(2, 'succeeded');
    const reply = (seq: string): SentTelegram => ({ transferId: null, message: 'failureNotice.response', sendDate: DATE, seqNo: seq });
    const inquiry: SentTelegram = { transferId: 't2', message: 'resultInquiry.request', sendDate: DATE, seqNo: '000001' };
    const v = judge(input({ ours: [a, b], sent: [sentOf(a), sentOf(b), inquiry, reply('000002'), reply('000002')], bank: [atBank('000001', 'applied'), atBank('000002', 'applied')] }));
    expect(kinds(v)).toEqual(['seq-reused']);
  });

  it("finds a 전문번호 the bank processed twice: money its records do not explain, a record rewritten", () => {
    const a = ours(1, 'succeeded');
    // The second processing of 000001 was refused and overwrote the record of the first, which moved 1,500 won.
    const bank = [atBank('000001', 'rejected')];
    const balances = [
      { account: '12345678901234', balance: String(1_000_000_000 - 1_500) },
      { account: '110123456789', balance: '1000' },
    ];
    const watcher = new BooksWatcher(null as unknown as SimControl); // compare() only: no simulator needed
    watcher.compare([atBank('000001', 'applied'), atBank('000002', 'applied')]);
    watcher.compare([atBank('000001', 'rejected'), atBank('000002', 'reversed')]); // a failure notice is no rewrite
    expect(watcher.rewrites.map((r) => [r.key, r.from, r.to])).toEqual([[`${DATE}|000001`, 'applied 0000 1000 won', 'rejected 0133 1000 won']]);
    const v = judge(input({ ours: [a], bank, balances, rewrites: watcher.rewrites }));
    expect(kinds(v).sort()).toEqual(['books', 'books', 'lost', 'processed-twice']);
    expect(v.violations.find((x) => x.kind === 'processed-twice')!.transferId).toBe('t1');
  });

  it('with the wire tapped, tells a telegram written twice, and one written without being kept', () => {
    const a = ours(1, 'succeeded');
    const wire = new Map([
      [`${DATE}|000001`, 2],
      [`${DATE}|000005`, 1],
    ]);
    const v = judge(input({ ours: [a], bank: [atBank('000001', 'applied')], wire }));
    expect(v.violations.map((x) => [x.kind, x.transferId])).toEqual([
      ['written-twice', 't1'],
      ['phantom', undefined],
    ]);
  });

  it('the plan is the seed: same seed, same transfers; request ids unique within a run', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 1, max: 200 }), (seed, n) => {
        const a = planTransfers(new Random(seed).fork(1), n, seed);
        expect(planTransfers(new Random(seed).fork(1), n, seed)).toEqual(a);
        expect(new Set(a.map((p) => p.body.requestId)).size).toBe(n);
        for (const p of a) expect(Number(p.body.amount)).toBeGreaterThan(0);
      }),
      { numRuns: 50 },
    );
  });
});

/** Runs `npm run chaos` as CI would (the compiled script); resolves with its exit code, output and JSON summary. */
function chaos(args: string[]): Promise<{ code: number | null; out: string; summary: ChaosSummary | null }> {
  const dir = mkdtempSync(join(tmpdir(), 'firmbank-chaos-test-'));
  const json = join(dir, 'summary.json');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [RUN, ...args, '--json', json], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('close', (code) => {
      let summary: ChaosSummary | null = null;
      try {
        summary = JSON.parse(readFileSync(json, 'utf8')) as ChaosSummary;
      } catch {
        // no summary: the output says why
      }
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, out, summary });
    });
  });
}

describe('chaos run (real PostgreSQL, Redis, simulator and gateway processes)', () => {
  it('refuses bad arguments with one line and exit 2', () => {
    const r = spawnSync(process.execPath, [RUN, '--transfers', 'many', '--seed', '1'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^firmbank chaos: FB_USAGE: --transfers many: expected an integer/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const missing = spawnSync(process.execPath, [RUN, '--transfers', '10'], { cwd: ROOT, encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/--seed is required/);
  });

  // Seeds whose first actions (fixed by the seed) kill a gateway and Redis within the run's first seconds,
  // among faults of every kind: the short run still meets every kind of trouble the long one does.
  for (const seed of [2, 21]) {
    it(`seed ${seed}: 150 transfers through faults, kills and notices — never doubled, lost or stuck`, async () => {
      const r = await chaos(['--transfers', '150', '--seed', String(seed), '--rate', '15', '--settle', '60']);
      expect(r.summary, r.out).not.toBeNull();
      const s = r.summary!;
      expect(s.verdict.violations, r.out).toEqual([]);
      expect(r.code, r.out).toBe(0);
      expect(s.verdict.ok).toBe(true);
      const states = s.verdict.states;
      expect((states['succeeded'] ?? 0) + (states['failed'] ?? 0) + (states['reversed'] ?? 0) + s.verdict.flagged.length).toBe(150);
      expect(s.kills.gateway, r.out).toBeGreaterThan(0);
      expect(s.kills.redis, r.out).toBeGreaterThan(0);
      const armed = Object.values(s.faults).flatMap((m) => Object.values(m));
      expect(armed.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      expect(s.api.repeats + s.api.races).toBeGreaterThan(0);
    }, 240_000);
  }
});
