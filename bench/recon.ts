import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { BankRecordInput } from '../src/bankfile/bank-record.js';
import { loadBankFileSpec } from '../src/bankfile/load-bank-file-spec.js';
import { writeBankFile } from '../src/bankfile/write-bank-file.js';
import { openDatabase } from '../src/ledger/data-source.js';
import { projectRoot } from '../src/paths.js';
import { formatRate } from './measure.js';

export const RECON_DAY = '2026-12-01';
export const RECON_FILE_SPEC = 'specs/files/ibk-cash.yaml';

export interface ReconBenchResult {
  readonly db: string;
  readonly transfers: number;
  readonly records: number;
  readonly injected: number;
  readonly breaks: number;
  readonly seconds: number;
  readonly peakRssMB: number;
}

/** Amount of transfer `i`, in whole won: the same rule on both sides. */
const amountOf = (i: number) => 1_000 + (i % 5_000) * 10;

/**
 * Which transfers the bank's file disagrees with: one in a hundred, in turn a different amount, a line
 * missing from the file, and the opposite outcome. Everything else matches.
 */
function injected(i: number): 'amount' | 'missing' | 'outcome' | null {
  if (i % 100 !== 1) return null;
  return (['amount', 'missing', 'outcome'] as const)[Math.floor(i / 100) % 3]!;
}

/**
 * 전문번호 are 6 digits, so one company's day holds at most 1,000,000 numbers (000000–999999): the bench
 * uses all of them.
 */
async function fillLedger(url: string, n: number): Promise<void> {
  const ds = await openDatabase({ url });
  try {
    const now = new Date().toISOString();
    // One statement that makes the rows inside the database: the setup is not what is measured.
    const series = ds.options.type === 'postgres' ? `generate_series(0, ${n - 1}) AS s(i)` : `(WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < ${n - 1}) SELECT i FROM c) AS s`;
    const pad = ds.options.type === 'postgres' ? `LPAD(CAST(i AS TEXT), 6, '0')` : `substr('000000' || i, -6, 6)`;
    await ds.query(
      `INSERT INTO transfers (id, service, request_id, request_hash, institution, bank_code, company_id, withdraw_account, deposit_bank_code, deposit_account,
         amount, fee, memo, recipient_name, state, seq_no, send_date, inquiries, no_record_answers, needs_operator, created_at, updated_at)
       SELECT 'bench-' || i, 'svc', 'r' || i, 'h', 'hecto', '004', 'FIRMBANK01', '12345678901234', '088', '110123456789',
         1000 + (i % 5000) * 10, NULL, '', '', 'succeeded', ${pad}, '${RECON_DAY}', 0, 0, false, '${now}', '${now}' FROM ${series}`,
    );
  } finally {
    await ds.destroy();
  }
}

async function* bankLines(n: number): AsyncGenerator<BankRecordInput> {
  for (let i = 0; i < n; i++) {
    const wrong = injected(i);
    if (wrong === 'missing') continue;
    const amount = amountOf(i) + (wrong === 'amount' ? 10 : 0);
    yield { sendDate: RECON_DAY, seqNo: String(i).padStart(6, '0'), bankCode: '88', account: '110123456789', amount, outcome: wrong === 'outcome' ? 'failed' : 'succeeded', code: wrong === 'outcome' ? 'E001' : '0000' };
  }
}

/**
 * `npm run bench -- recon`: a day of `n` sent transfers in the ledger against the bank's result file of
 * the same day with 1% breaks. The ledger and the file are made first; then a process of its own runs
 * `reconcileDay` (the file streamed, the ledger paged, the breaks kept) and reports its wall time and
 * peak resident memory, so the figure is the reconciliation's alone.
 */
export async function benchRecon(db: 'sqlite' | 'postgres', n = 1_000_000): Promise<ReconBenchResult> {
  const root = projectRoot();
  const dir = mkdtempSync(join(tmpdir(), 'firmbank-recon-bench-'));
  let url = join(dir, 'ledger.sqlite');
  const dbName = `fb_recon_${Date.now()}`;
  const admin = 'postgres://postgres@127.0.0.1:5432/test';
  if (db === 'postgres') {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`CREATE DATABASE ${dbName}`);
    await c.end();
    url = `postgres://postgres@127.0.0.1:5432/${dbName}`;
  }
  try {
    await fillLedger(url, n);
    const file = join(dir, 'day.dat');
    const spec = loadBankFileSpec(join(root, RECON_FILE_SPEC));
    const written = await writeBankFile(file, spec, { header: {}, fileDate: RECON_DAY, records: bankLines(n) });
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [join(root, 'dist/bench/recon-child.js'), url, file, join(root, RECON_FILE_SPEC), RECON_DAY, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      child.stdout.on('data', (c: Buffer) => (text += c.toString()));
      child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`recon child exited ${code}: ${text}`))));
    });
    const r = JSON.parse(out) as { seconds: number; peakRssMB: number; breaks: number };
    let expected = 0;
    for (let i = 0; i < n; i++) if (injected(i)) expected++;
    return { db, transfers: n, records: written.dataRecords, injected: expected, breaks: r.breaks, seconds: r.seconds, peakRssMB: r.peakRssMB };
  } finally {
    if (db === 'postgres') {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await c.end();
    }
  }
}

export function reconTable(results: readonly ReconBenchResult[]): string {
  const rows = results.map(
    (r) => `| ${r.db} | ${formatRate(r.transfers)} | ${formatRate(r.records)} | ${formatRate(r.injected)} | ${formatRate(r.breaks)} | ${r.seconds.toFixed(1)} s | ${r.peakRssMB.toFixed(0)} MB |`,
  );
  return [
    '| database | ledger transfers | bank records | breaks injected | breaks found | reconcile time (target ≤ 20 s) | peak RSS (target ≤ 256 MB) |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}
