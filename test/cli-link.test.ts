import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/specs.js';

const BIN = join(ROOT, 'bin/firmbank.js');
const SPEC = join(ROOT, 'specs/hecto.yaml');
let sim: ChildProcess;
let port = 0;
let control = 0;
const seqFile = join(mkdtempSync(join(tmpdir(), 'firmbank-seq-')), 'sequence.json');

beforeAll(async () => {
  expect(spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT }).status).toBe(0);
  sim = spawn(process.execPath, [BIN, 'sim', '--spec', SPEC, '--port', '0', '--control-port', '0', '--control-token', 'test-token'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    sim.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const p = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      const cp = /control API on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (p && cp) {
        port = Number(p[1]);
        control = Number(cp[1]);
        resolve();
      }
    });
    sim.once('exit', () => reject(new Error(`sim exited: ${out}`)));
  });
}, 120_000);

afterAll(async () => {
  sim.kill('SIGTERM');
  await new Promise((r) => sim.once('exit', r));
});

function send(fields: Record<string, string>, extra: string[] = []) {
  const r = spawnSync(process.execPath, [BIN, 'send', '--spec', SPEC, '--port', String(port), '--message', 'transfer.request', '--company', 'FIRM01', '--bank', '004', '--seq-file', seqFile, ...extra], {
    input: JSON.stringify({ fields }),
    encoding: 'utf8',
  });
  return { status: r.status, json: r.stdout ? JSON.parse(r.stdout) : null, stderr: r.stderr };
}

const transfer = { withdrawAccount: '12345678901234', amount: '15000', depositBankCode: '088', depositAccount: '110123456789', memo: '급여' };

describe('firmbank sim + firmbank send, two processes', () => {
  it('sends a transfer over a real session and prints the decoded reply with its meaning', () => {
    const r = send(transfer);
    expect(r.status).toBe(0);
    expect(r.json).toMatchObject({ status: 'answered', responseCode: '0000', outcome: 'success', message: 'transfer.response', fields: { amount: '15000', fee: '500' } });
  });

  it('never reuses a 전문번호 across runs on the same day', () => {
    const a = send(transfer).json.seqNo;
    const b = send(transfer).json.seqNo;
    expect(Number(b)).toBeGreaterThan(Number(a));
  });

  it('a fault armed through the control API: the outcome is unknown, exit 3, with the advice not to resend', async () => {
    const unauthorized = await fetch(`http://127.0.0.1:${control}/ledger`);
    expect(unauthorized.status).toBe(401);
    const armed = await fetch(`http://127.0.0.1:${control}/faults`, { method: 'POST', headers: { authorization: 'Bearer test-token' }, body: JSON.stringify({ kind: 'no-answer', message: 'transfer.request' }) });
    expect(armed.status).toBe(200);
    const r = send(transfer, ['--timeout', '500']);
    expect(r.status).toBe(3);
    expect(r.json).toMatchObject({ status: 'unknown', advice: expect.stringContaining('do not send it again') });
    const ledger = (await (await fetch(`http://127.0.0.1:${control}/ledger`, { headers: { authorization: 'Bearer test-token' } })).json()) as { transfers: { seqNo: string; state: string }[] };
    expect(ledger.transfers.find((t) => t.seqNo === r.json.seqNo)?.state).toBe('applied');
  });

  it('the control API refuses what it cannot take (400) and leaves the books alone when a notice cannot go out (409)', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`http://127.0.0.1:${control}${path}`, { method: 'POST', headers: { authorization: 'Bearer test-token' }, body: JSON.stringify(body) });
    for (const body of [{ kind: 'no-answer', count: 'abc' }, { kind: 'no-answer', count: 0 }, { kind: 'no-answer', count: 1.5 }, { kind: 'meteor' }, { kind: 'reject', message: 'transfer.response' }, { kind: 'reject', code: 7 }]) {
      expect((await post('/faults', body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await post('/latency', { ms: 'slow' })).status).toBe(400);
    expect((await post('/faults', { kind: 'request-error', message: 'transfer.request', code: '0001' })).status).toBe(200);
    const refused = send(transfer);
    expect(refused.json).toMatchObject({ status: 'answered', responseCode: '0001' });
    expect((await post('/clear', {})).status).toBe(200);
    // No session is open now (send closed its day): the notice cannot go out, and the books stay as they were.
    const ledger = async () => (await (await fetch(`http://127.0.0.1:${control}/ledger`, { headers: { authorization: 'Bearer test-token' } })).json()) as { transfers: { date: string; seqNo: string; state: string }[] };
    const applied = (await ledger()).transfers.find((t) => t.state === 'applied')!;
    expect((await post('/notices/failure', { date: applied.date, seqNo: applied.seqNo })).status).toBe(409);
    expect((await ledger()).transfers.find((t) => t.seqNo === applied.seqNo && t.date === applied.date)?.state).toBe('applied');
  });

  it('bad input is one line and exit 2', () => {
    const r = send({ ...transfer, amount: '-1' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/FB_ENCODE_INVALID_VALUE.*amount/);
    const noPort = spawnSync(process.execPath, [BIN, 'send', '--spec', SPEC, '--port', 'eighty', '--message', 'transfer.request'], { encoding: 'utf8' });
    expect(noPort.status).toBe(2);
    expect(noPort.stderr).toMatch(/--port eighty: expected a non-negative integer/);
    const fault = spawnSync(process.execPath, [BIN, 'sim', '--spec', SPEC, '--fault', 'meteor'], { encoding: 'utf8' });
    expect(fault.status).toBe(2);
    expect(fault.stderr).toMatch(/--fault meteor/);
  });
});
