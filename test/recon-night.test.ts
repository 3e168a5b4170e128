import { existsSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../src/api/scopes.js';
import { dayFilePath } from '../src/batch/reconcile-day.js';
import { reconcileCommand } from '../src/cli/commands/reconcile-command.js';
import type { Gateway } from '../src/gateway/gateway.js';
import type { TransferRow } from '../src/ledger/entities.js';
import { ReconStore } from '../src/ledger/recon-store.js';
import { kst } from '../src/link/clock.js';
import type { BankSimulator } from '../src/sim/bank-simulator.js';
import { freshSqlite, startGateway, testConfig } from './helpers/gateway.js';
import { eventually } from './helpers/link.js';
import { ROOT } from './helpers/specs.js';

const BODY = { bankCode: '088', account: '110123456789', amount: '15000', memo: '급여', recipientName: '홍길동' };

/**
 * The whole nightly loop over real sockets: transfers through the API, notices lost on the way, an answer
 * lost; then the night asks the bank (inquiry, gap requests, totals), the simulator writes its day as the
 * bank's result file, and the day is matched; the CLI reads the same day back.
 */
describe('the nightly reconciliation against the simulator', () => {
  let gw: Gateway;
  let sim: BankSimulator;
  let base: string;
  let key: string;
  let dataDir: string;
  let dbUrl: string;
  let prefix: string;
  let n = 0;
  const today = kst(new Date()).date;

  const transfer = async (wait = 5) => {
    const res = await fetch(`${base}/v1/transfers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', prefer: `wait=${wait}` },
      body: JSON.stringify({ requestId: `night-${++n}`, ...BODY }),
    });
    return ((await res.json()) as { id: string }).id;
  };
  const row = async (id: string) => (await gw.ledger.get(id)) as TransferRow;

  beforeAll(async () => {
    dbUrl = freshSqlite();
    // Inquiries far off: the unknown transfer is still unknown when the night comes, and the night asks.
    const config = testConfig(dbUrl, { bankFileSpec: join(ROOT, 'specs/files/kb-cash.yaml'), inquiryDelayMs: 600_000 });
    dataDir = config.dataDir;
    prefix = config.queuePrefix;
    gw = await startGateway(config);
    sim = gw.institutions.get('hecto')!.simulator!;
    base = `http://127.0.0.1:${gw.apiPort}`;
    key = await gw.apiKeys.create('payroll', new Decimal('5000000'), SCOPES);
  }, 60_000);
  afterAll(async () => {
    await gw?.stop();
  });

  it('asks what only the bank can answer, recovers lost notices, and finds exactly the day’s breaks', async () => {
    await transfer();
    await transfer();
    sim.faults.arm('no-answer', { message: 'transfer.request' });
    const lost = await transfer(0);
    await eventually(async () => (await row(lost)).state === 'unknown', 5_000);
    const bounced = await transfer();
    const b = await row(bounced);
    await sim.pushFailureNotice(b.sendDate!, b.seqNo!);
    // deposit notices 1 … 4; 2 and 3 are lost on the way
    await sim.pushDepositNotice({ account: '12345678901234', amount: '1000', name: '김입금' });
    sim.loseNotices(2);
    await sim.pushDepositNotice({ account: '12345678901234', amount: '2000', name: '이입금' });
    await sim.pushDepositNotice({ account: '12345678901234', amount: '3000', name: '박입금' });
    await sim.pushDepositNotice({ account: '12345678901234', amount: '4000', name: '최입금' });
    expect((await gw.ledger.notices('hecto')).filter((x) => x.message === 'depositNotice.request').map((x) => Number(x.seqNo))).toEqual([1, 4]);

    const { prep, result } = await gw.reconcileNight('hecto', today);
    expect(prep).toEqual({ inquired: 1, gapsAsked: 2, gapsRecovered: 2, totals: 'kept' });
    expect((await row(lost)).state).toBe('succeeded'); // settled by the night's inquiry, not by the file
    const deposits = (await gw.ledger.notices('hecto')).filter((x) => x.message === 'depositNotice.request');
    expect(deposits.map((x) => [Number(x.seqNo), JSON.parse(x.fields).amount])).toEqual([
      [1, '1000'],
      [4, '4000'],
      [2, '2000'],
      [3, '3000'],
    ]);
    expect(existsSync(dayFilePath(dataDir, 'hecto', today))).toBe(true);
    expect(result.run.figures).toMatchObject({ ledgerTransfers: 4, bankRecords: 4, matched: 4 });
    // the one thing to look at: the service was told "succeeded" before the failure notice came
    expect(result.breaks.map((x) => `${x.category} ${x.transferId}`)).toEqual([`late-reversal ${bounced}`]);
    for (const f of Object.values(result.reports)) expect(statSync(f).mode & 0o777).toBe(0o600);
    expect(readFileSync(result.reports.csv, 'utf8')).toMatch(/^category,subject,transferId/);
    expect(readFileSync(result.reports.html, 'utf8')).toContain('late-reversal');

    // the same night again: the same break, no copy
    const again = await gw.reconcileNight('hecto', today);
    expect(again.result.kept).toEqual({ added: 0, again: 1, cleared: 0 });
  }, 60_000);

  it('a notice the bank cannot give again stays a notice-gap break', async () => {
    sim.loseNotices(1);
    await sim.pushDepositNotice({ account: '12345678901234', amount: '5000', name: '정입금' }); // #5, lost
    await sim.pushDepositNotice({ account: '12345678901234', amount: '6000', name: '한입금' }); // #6
    sim.faults.arm('system-error', { message: 'depositGap.request' });
    const { prep, result } = await gw.reconcileNight('hecto', today);
    expect(prep).toMatchObject({ gapsAsked: 1, gapsRecovered: 0 });
    expect(result.breaks.map((x) => `${x.category} ${x.subject}`)).toContain('notice-gap notice:depositNotice.request:5');
  }, 60_000);

  it('schedules each institution after its cut-off and the day close after midnight, in Korean time; the worker runs what comes due', async () => {
    const queue = new Queue('nightly', { connection: { host: '127.0.0.1', port: 6379 }, prefix });
    try {
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((x) => [x.key, x.pattern, x.tz]).sort()).toEqual([
        ['nightly-close', '0 30 0 * * *', 'Asia/Seoul'],
        ['nightly-hecto', '0 50 23 * * *', 'Asia/Seoul'],
      ]);
      const store = new ReconStore(gw.ledger.ds);
      const before = await store.breaks({ businessDate: today });
      await queue.add('reconcile', { task: 'reconcile', institution: 'hecto' });
      const runs = async () => Number((await gw.ledger.ds.query(`SELECT COUNT(*) AS n FROM recon_runs WHERE business_date = '${today}' AND status <> 'running'`))[0].n);
      const seen = await runs();
      await eventually(async () => (await runs()) > seen, 10_000);
      expect((await store.breaks({ businessDate: today })).map((x) => x.id)).toEqual(before.map((x) => x.id));
    } finally {
      await queue.close();
    }
  }, 30_000);

  it('firmbank reconcile reads the same day from the database and the bank file; a damaged file is bad input', async () => {
    process.env['DATABASE_URL'] = dbUrl;
    process.env['FIRMBANK_DATA_DIR'] = dataDir;
    delete process.env['FIRMBANK_CONFIG'];
    const out = await reconcileCommand({ date: today, institution: 'hecto', json: true });
    expect(out.exitCode).toBe(3);
    const json = JSON.parse(out.output) as { runs: { run: { status: string }; breaks: { category: string }[] }[] };
    // notice #5 came on the scheduled night's second asking: only the late reversal is left
    expect(json.runs[0]!.breaks.map((x) => x.category)).toEqual(['late-reversal']);

    const file = dayFilePath(dataDir, 'hecto', today);
    truncateSync(file, statSync(file).size - 30);
    await expect(reconcileCommand({ date: today, institution: 'hecto', json: false })).rejects.toMatchObject({ code: 'FB_FILE_INVALID' });
    const store = new ReconStore(gw.ledger.ds);
    expect((await store.breaks({ businessDate: today, status: 'open' })).map((x) => x.category)).toEqual(['late-reversal']);
    await expect(reconcileCommand({ date: '2026-02-30', json: false })).rejects.toThrow(/--date 2026-02-30: expected a calendar date/);
  }, 60_000);
});
