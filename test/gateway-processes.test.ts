import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeys } from '../src/api/api-keys.js';
import { openDatabase } from '../src/ledger/data-source.js';
import type { TransferRow } from '../src/ledger/entities.js';
import type { DataSource } from 'typeorm';
import { BankSimulator } from '../src/sim/bank-simulator.js';
import { freshPostgres } from './helpers/gateway.js';
import { adminRequest, operator } from './helpers/operators.js';
import { eventually, hecto } from './helpers/link.js';
import { hectoProfile, ROOT } from './helpers/specs.js';

/**
 * Real gateway processes (`firmbank start`) sharing one PostgreSQL and one Redis, against one simulated
 * bank: killed without warning in the middle of work, restarted, and run two at a time.
 */
describe('gateway processes: crash, restart, scale-out', () => {
  let sim: BankSimulator;
  let ds: DataSource;
  let key: string;
  let billing: string;
  /** The two gateways of the scale-out test, still running for the switch test after it. */
  let pair: string[] = [];
  let drop: () => Promise<void>;
  let env: Record<string, string>;
  const children: ChildProcess[] = [];

  function startChild(): Promise<{ child: ChildProcess; base: string }> {
    const child = spawn(process.execPath, [join(ROOT, 'bin/firmbank.js'), 'start'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
    return new Promise((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve({ child, base: m[1]! });
      });
      child.once('exit', (code) => reject(new Error(`gateway exited ${code}: ${out} ${err}`)));
    });
  }

  const stopChild = (c: ChildProcess, signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) return resolve();
      c.once('exit', () => resolve());
      c.kill(signal);
    });

  const submit = (base: string, requestId: string) =>
    fetch(`${base}/v1/transfers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ requestId, bankCode: '004', account: '110123456789', amount: '1000', memo: '복구' }),
    }).then((r) => r.status);

  const transfers = () => ds.getRepository<TransferRow>('Transfer').find();

  async function invariant(): Promise<void> {
    const ours = (await transfers()).filter((t) => t.state === 'succeeded').map((t) => `${t.sendDate}|${t.seqNo}`);
    const bank = sim.ledger.applied().map((t) => `${t.date}|${t.seqNo}`);
    expect(ours.sort()).toEqual(bank.sort());
  }

  beforeAll(async () => {
    const p = await freshPostgres();
    drop = p.drop;
    ds = await openDatabase({ url: p.url });
    key = await new ApiKeys(ds).create('batch', new Decimal('100000000'));
    billing = await new ApiKeys(ds).create('billing', new Decimal('100000000'), ['consents', 'collections']);
    sim = new BankSimulator({ codec: hecto, profile: hectoProfile });
    const port = await sim.listen();
    const dir = mkdtempSync(join(tmpdir(), 'firmbank-gw-'));
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      [
        'sweepMs: 500',
        'institutions:',
        `  - { id: hecto, simulator: false, host: 127.0.0.1, port: ${port}, bankCode: "004", companyId: FIRMBANK01, withdrawAccount: "12345678901234",`,
        '      requestTimeoutMs: 500, inquiryDelayMs: 200, inquiryMaxAttempts: 20, enforceHours: false }',
      ].join('\n'),
    );
    env = { FIRMBANK_CONFIG: config, DATABASE_URL: p.url, PORT: '0', FIRMBANK_DATA_DIR: dir, FIRMBANK_QUEUE_PREFIX: `fbproc-${Date.now()}` };
  }, 60_000);

  afterAll(async () => {
    for (const c of children) await stopChild(c, 'SIGKILL');
    await sim?.close();
    await ds?.destroy();
    await drop?.();
  });

  it('killed with SIGKILL in the middle of work and restarted: every transfer settles, none is sent twice', async () => {
    sim.faults.latencyMs = 20;
    sim.faults.arm('no-answer', { message: 'transfer.request', count: 5 });
    const a = await startChild();
    const statuses = await Promise.all(Array.from({ length: 60 }, (_, i) => submit(a.base, `crash-${i}`)));
    expect(statuses.every((s) => s === 202 || s === 201)).toBe(true);
    await new Promise((r) => setTimeout(r, 150));
    await stopChild(a.child, 'SIGKILL'); // no goodbye: in-flight telegrams, claims and jobs are left as they are
    const left = (await transfers()).filter((t) => !['succeeded', 'failed', 'reversed'].includes(t.state)).length;
    expect(left).toBeGreaterThan(0); // the kill did land in the middle of work

    await startChild();
    await eventually(async () => (await transfers()).every((t) => ['succeeded', 'failed', 'reversed'].includes(t.state)), 60_000);
    // Those the kill caught after their telegram was kept but before it went out are unknown after the
    // restart, and settle as failed when the bank twice says it has no record; all others succeed.
    const after = await transfers();
    const failed = after.filter((t) => t.state === 'failed');
    expect(after.filter((t) => t.state === 'succeeded').length + failed.length).toBe(60);
    for (const t of failed) expect([t.responseCode, sim.ledger.find(t.sendDate!, t.seqNo!)]).toEqual(['NREC', undefined]);
    await invariant();
  }, 90_000);

  it('two gateways share the work: 전문번호 stay unique and the books agree', async () => {
    sim.faults.latencyMs = 0;
    const a = await startChild();
    const b = await startChild();
    pair = [a.base, b.base];
    const before = (await transfers()).length;
    const statuses = await Promise.all(Array.from({ length: 200 }, (_, i) => submit(a.base, `pair-${i}`)));
    expect(statuses.every((s) => s === 202 || s === 201)).toBe(true);
    await eventually(async () => {
      const all = await transfers();
      return all.length === before + 200 && all.every((t) => ['succeeded', 'failed'].includes(t.state));
    }, 60_000);
    const all = await transfers();
    const keys = all.map((t) => `${t.sendDate}|${t.seqNo}`);
    expect(new Set(keys).size).toBe(all.length);
    // Every telegram either gateway wrote carries its own 전문번호 for the day.
    const telegrams = (await ds.query('SELECT send_date, seq_no FROM telegrams WHERE direction = $1', ['out'])) as { send_date: string; seq_no: string }[];
    const numbers = telegrams.map((t) => `${t.send_date}|${t.seq_no}`);
    expect(new Set(numbers).size).toBe(numbers.length);
    await invariant();
  }, 90_000);

  it('collections: killed with SIGKILL in the middle of work and restarted, every one settles, none is taken twice', async () => {
    const a = await startChild();
    const api = (path: string, body?: unknown) =>
      fetch(`${a.base}${path}`, { method: body ? 'POST' : 'GET', headers: { authorization: `Bearer ${billing}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
    sim.ledger.credit('22233344455', new Decimal('10000000'));
    const consent = await api('/v1/consents', { requestId: 'kill-consent', payerNumber: 'K-0001', bankCode: '004', account: '22233344455', holderIdNo: '900215', phone: '010-1111-2222' });
    expect([201, 202]).toContain(consent.status);
    await eventually(async () => (await api(`/v1/consents/${String(consent.body['id'])}`)).body['state'] === 'registered', 20_000);
    sim.faults.latencyMs = 20;
    sim.faults.arm('no-answer', { message: 'collection.request', count: 3 });
    const posted = await Promise.all(Array.from({ length: 40 }, (_, i) => api('/v1/collections', { requestId: `kill-col-${i}`, payerNumber: 'K-0001', amount: '1000' })));
    expect(posted.every((p) => p.status === 202 || p.status === 201)).toBe(true);
    await new Promise((r) => setTimeout(r, 150));
    await stopChild(a.child, 'SIGKILL');
    await startChild();
    const mine = async () => (await transfers()).filter((t) => t.kind === 'collection');
    await eventually(async () => (await mine()).every((t) => ['succeeded', 'failed'].includes(t.state)), 60_000);
    expect((await mine()).length).toBe(40);
    sim.faults.latencyMs = 0;
    await invariant();
  }, 90_000);

  it('a switch flipped through one process is obeyed by the other within a second; held transfers go out once, after release', async () => {
    const [one, two] = pair as [string, string];
    const ops = await operator(ds, one, 'ops', 'admin');
    const flip = (state: string) =>
      adminRequest(one, 'PUT', '/admin/api/switches/hecto/transfers', { state, reason: `test: ${state}` }, ops.cookie, ops.csrf).then((r) => r.status);
    expect(await flip('off')).toBe(200);
    const flipped = Date.now();
    await eventually(async () => (await submit(two, `off-${Date.now()}`)) === 503, 1_000);
    const tookMs = Date.now() - flipped;
    expect(tookMs).toBeLessThan(1_000);

    expect(await flip('hold')).toBe(200);
    await eventually(async () => (await submit(two, 'held-probe')) === 202, 1_000);
    const held = await Promise.all(Array.from({ length: 10 }, (_, i) => submit(two, `held-${i}`)));
    expect(held.every((s) => s === 202)).toBe(true);
    await new Promise((r) => setTimeout(r, 1_200)); // both processes sweep meanwhile
    const waiting = (await transfers()).filter((t) => t.requestId.startsWith('held-'));
    expect(waiting.map((t) => [t.state, t.seqNo])).toEqual(waiting.map(() => ['requested', null]));

    expect(await flip('on')).toBe(200);
    await eventually(async () => (await transfers()).filter((t) => t.requestId.startsWith('held-')).every((t) => t.state === 'succeeded'), 20_000);
    await invariant();
  }, 60_000);
});
