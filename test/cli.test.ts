import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, shippedCodecs } from './helpers/specs.js';

const BIN = join(ROOT, 'bin/firmbank.js');
const HECTO = join(ROOT, 'specs/hecto.yaml');
let dir: string;

function cli(args: string[], input?: string | Buffer) {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, cwd: ROOT });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

beforeAll(() => {
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, encoding: 'utf8' });
  expect(build.status, build.stdout + build.stderr).toBe(0);
  dir = mkdtempSync(join(tmpdir(), 'firmbank-cli-'));
}, 120_000);

/** A user's mistake: exit 2 and exactly one line on stderr, no stack trace. */
function expectUserError(r: ReturnType<typeof cli>, pattern: RegExp) {
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('firmbank CLI', () => {
  for (const { file, codec } of shippedCodecs()) {
    it(`round-trips every message of ${file} through encode and decode (raw and hex)`, () => {
      // The contracted bank as the spec writes it: 3 digits at Hecto, 2 in the classic family.
      const bankCode = '004'.slice(3 - codec.spec.header.find((f) => f.name === 'bankCode')!.length);
      const header = { companyId: 'FIRM01', bankCode, seqNo: '000123', sendDate: '2026-11-24', sendTime: '13:05:09' };
      for (const name of codec.spec.messages.keys()) {
        const input = JSON.stringify({ fields: header });
        const hex = cli(['encode', '--spec', join(ROOT, 'specs', file), '--message', name, '--hex'], input);
        expect(hex.status, hex.stderr).toBe(0);
        const raw = cli(['encode', '--spec', join(ROOT, 'specs', file), '--message', name], input);
        expect(raw.stdout.toString('hex')).toBe(hex.stdout.toString().trim());
        const decoded = cli(['decode', '--spec', join(ROOT, 'specs', file), '--hex'], hex.stdout);
        expect(decoded.status, decoded.stderr).toBe(0);
        const json = JSON.parse(decoded.stdout.toString());
        expect(json.message).toBe(name);
        expect(json.fields).toMatchObject(header);
        const again = cli(['encode', '--spec', join(ROOT, 'specs', file), '--hex'], decoded.stdout);
        expect(again.stdout.toString()).toBe(hex.stdout.toString());
      }
    }, 300_000);
  }

  it('prints N as digit strings, amounts without leading zeros, dates and times formatted, blanks as null', () => {
    const enc = cli(['encode', '--spec', HECTO, '--hex', join(ROOT, 'specs/samples/transfer-request.json')]);
    const { fields } = JSON.parse(cli(['decode', '--spec', HECTO, '--hex'], enc.stdout).stdout.toString());
    expect(fields).toMatchObject({ bankCode: '004', amount: '15000', sendDate: '2026-11-24', sendTime: '09:30:00', fee: null, balanceSign: null, memo: '급여１１월', depositHolderName: '홍길동' });
  });

  it('reads a raw telegram from a file', () => {
    const raw = cli(['encode', '--spec', HECTO, join(ROOT, 'specs/samples/transfer-request.json')]);
    const file = join(dir, 'transfer.bin');
    writeFileSync(file, raw.stdout);
    expect(JSON.parse(cli(['decode', '--spec', HECTO, file]).stdout.toString()).message).toBe('transfer.request');
  });

  it('reports bad input in one line with exit status 2', () => {
    const sample = join(ROOT, 'specs/samples/transfer-request.json');
    const tooLong = JSON.stringify({ message: 'transfer.request', fields: { depositHolderName: '가나다라마바사' } });
    expectUserError(cli(['encode', '--spec', HECTO], tooLong), /FB_ENCODE_TOO_LONG.*depositHolderName \(offset 226\).*14 bytes/);
    expect(cli(['encode', '--spec', HECTO], tooLong).stderr).not.toContain('가나다라'); // a masked name stays masked
    expectUserError(cli(['encode', '--spec', HECTO], JSON.stringify({ message: 'transfer.request', fields: { memo: '₩1,000' } })), /FB_ENCODE_UNENCODABLE.*memo.*U\+20A9/);
    expectUserError(cli(['encode', '--spec', HECTO], JSON.stringify({ message: 'transfer.request', fields: { amout: '1' } })), /FB_ENCODE_UNKNOWN_FIELD.*"amout"/);
    expectUserError(cli(['encode', '--spec', HECTO], JSON.stringify({ message: 'transfer.request', fields: { amount: '-5' } })), /FB_ENCODE_INVALID_VALUE.*amount/);
    expectUserError(cli(['encode', '--spec', HECTO, '--message', 'wire.request'], '{"fields":{}}'), /FB_ENCODE_UNKNOWN_MESSAGE/);
    expectUserError(cli(['encode', '--spec', HECTO], '{"fields": '), /not valid JSON/);
    expectUserError(cli(['decode', '--spec', HECTO, '--hex'], 'zz'), /"z" at hex digit 0 is not hexadecimal/);
    expectUserError(cli(['decode', '--spec', HECTO], Buffer.alloc(10, 0x41)), /FB_DECODE_LENGTH/);
    expectUserError(cli(['decode', '--spec', HECTO, '--bogus']), /FB_USAGE.*--bogus/);
    expectUserError(cli(['decode', '--spec', join(dir, 'missing.yaml'), sample]), /FB_SPEC_INVALID.*missing.yaml.*ENOENT/);
    expectUserError(cli(['frobnicate']), /unknown command "frobnicate"/);

    const hex = cli(['encode', '--spec', HECTO, '--hex', sample]).stdout.toString().trim();
    // Put 'A' (0x41) into the amount at offset 129+5: a decode error naming field and offset, masked bytes hidden.
    const bad = hex.slice(0, (129 + 5) * 2) + '41' + hex.slice((129 + 6) * 2);
    expectUserError(cli(['decode', '--spec', HECTO, '--hex'], bad), /FB_DECODE_INVALID_VALUE.*transfer.request.amount at offset 134/);
    const badAccount = hex.slice(0, 100 * 2) + '80' + hex.slice(101 * 2);
    const r = cli(['decode', '--spec', HECTO, '--hex'], badAccount);
    expectUserError(r, /FB_DECODE_INVALID_BYTES.*withdrawAccount at offset 100.*\[\*\* \*\*/);
    expect(r.stderr).not.toContain('31 32 33 34'); // the account digits never show
  });

  it('checks and shows specs', () => {
    expect(cli(['spec', 'check', HECTO]).stdout.toString()).toMatch(/ok .*hecto.yaml: hecto, euc-kr, 30 messages/);
    const show = cli(['spec', 'show', HECTO, 'transfer.request']).stdout.toString();
    expect(show).toMatch(/^199\s+memo\s+X\(14\) X\s+14/m);
    expect(show).toMatch(/^129\s+amount\s+9\(13\) amount/m);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'institution: x\nencoding: euc-kr\nframing: { kind: fixed }\nmessages:\n  a:\n    key: { t: 1 }\n    length: 1\n    fields: [{ name: t, type: X, length: 1 }]\n');
    expectUserError(cli(['spec', 'check', bad]), /bad.yaml:6: messages.a.key.t: 1 is a number/);
  });

  it('looks up response codes, in the table of the institution a profile names', () => {
    expect(JSON.parse(cli(['code', '004', '7430']).stdout.toString())).toMatchObject({ outcome: 'processing', listed: true });
    // 국민 0133 is 잔액부족 in Hecto's table; the classic family's table does not list it: unknown, never a refusal.
    expect(JSON.parse(cli(['code', '004', '0133']).stdout.toString())).toMatchObject({ outcome: 'rejected' });
    expect(JSON.parse(cli(['code', '--profile', join(ROOT, 'specs/lgcns.profile.yaml'), '004', '0133']).stdout.toString())).toMatchObject({ outcome: 'unknown', listed: false });
    expectUserError(cli(['code', '--profile', join(dir, 'nope.profile.yaml'), '004', '0133']), /FB_PROFILE_INVALID: .*nope\.profile\.yaml: cannot read the profile: there is no such file/);
  });

  it('runs the codec demo (npm run demo)', () => {
    const r = cli(['demo']);
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toContain('"memo": "급여１１월"');
  });

  it('manages webhook endpoints and reconciles a day from the shell; mistakes are one line and exit 2', () => {
    const data = mkdtempSync(join(tmpdir(), 'firmbank-cli-data-'));
    const env = { ...process.env, FIRMBANK_DATA_DIR: data, DATABASE_URL: join(data, 'ledger.sqlite') };
    const run = (args: string[]) => {
      const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
    };
    const added = run(['webhook', 'add', 'payroll', 'https://example.com/hook', '--types', 'transfer.succeeded,transfer.reversed']);
    expect(added.status, added.stderr).toBe(0);
    expect(added.stdout.toString().trim()).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(run(['webhook', 'list', 'payroll']).stdout.toString()).toMatch(/^1 +enabled +transfer\.succeeded,transfer\.reversed +https:\/\/example\.com\/hook/);
    expectUserError(run(['webhook', 'add', 'payroll', 'http://169.254.169.254/latest']), /FB_WEBHOOK_URL: .*169\.254\.169\.254/);
    expectUserError(run(['webhook', 'add', 'payroll', 'https://example.com/h', '--types', 'nope']), /"nope" is not an event type/);
    expectUserError(run(['webhook', 'redeliver', '7']), /no dead delivery 7/);
    // a day without transfers or a bank file: clean, exit 0; a date that is not one: exit 2
    const day = run(['reconcile', '--date', '2026-12-01']);
    expect(day.status, day.stderr).toBe(0);
    expect(day.stdout.toString()).toMatch(/run #1 +hecto +2026-12-01 +clean +\(no bank file\)/);
    expectUserError(run(['reconcile', '--date', '2026-13-01']), /--date 2026-13-01: expected a calendar date/);
    expectUserError(run(['reconcile']), /--date YYYY-MM-DD is required/);
    expect(run(['close-day', '--date', '2026-12-01']).stdout.toString()).toContain('no service sent anything on 2026-12-01');
    expect(run(['breaks', '--date', '2026-12-01']).stdout.toString().trim()).toBe('(no breaks)');
    expect(run(['help']).stdout.toString()).toEqual(expect.stringContaining('firmbank reconcile --date YYYY-MM-DD'));
    expect(run(['help']).stdout.toString()).toEqual(expect.stringContaining('firmbank webhook add SERVICE URL'));
    expectUserError(run(['breaks', 'resolve', '5', '--by', 'kim', '--reason', 'bank confirmed']), /no break #5/);
    expectUserError(run(['breaks', 'resolve', '5', '--reason', 'x']), /--by NAME and --reason TEXT are required/);
  });

  it('sets, lists and audits switches from the shell; a set without a reason or with a bad name is one line, exit 2', () => {
    const data = mkdtempSync(join(tmpdir(), 'firmbank-cli-data-'));
    // Redis is not needed to set a switch: a port nothing listens on, and the gateways find it by polling.
    const env = { ...process.env, FIRMBANK_DATA_DIR: data, DATABASE_URL: join(data, 'ledger.sqlite'), REDIS_URL: 'redis://127.0.0.1:1' };
    const run = (args: string[]) => {
      const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
    };
    const set = run(['switch', 'set', 'hecto/transfers', 'hold', '--by', 'kim', '--reason', 'bank maintenance']);
    expect(set.status, set.stderr).toBe(0);
    expect(set.stdout.toString()).toMatch(/^hecto\/transfers is hold \(version 1\); not announced \(Redis unreachable\)/);
    expect(run(['switch', 'set', 'global', 'off', '--by', 'lee', '--reason', 'incident 42']).status).toBe(0);
    const list = run(['switch', 'list']).stdout.toString();
    expect(list).toMatch(/hecto\/transfers +hold +v1 .* kim: bank maintenance/);
    expect(list).toMatch(/hecto\/transfers +off \(by \*\/\*\)/);
    expect(JSON.parse(run(['switch', 'list', '--json']).stdout.toString()).effective).toContainEqual({ institution: 'hecto', flow: 'batch', state: 'off', decidedBy: '*/*' });
    expect(run(['switch', 'log']).stdout.toString()).toMatch(/\*\/\* +on → off +by lee: incident 42\n.*hecto\/transfers +on → hold +by kim: bank maintenance/);
    expectUserError(run(['switch', 'set', 'hecto/transfers', 'on', '--by', 'kim']), /--reason WHY is required/);
    expectUserError(run(['switch', 'set', 'hecto/payroll', 'on', '--by', 'kim', '--reason', 'x']), /FB_SWITCH_INVALID: .*flow "payroll"/);
    expectUserError(run(['switch', 'set', 'hecto/transfers', 'paused', '--by', 'kim', '--reason', 'x']), /state "paused" is not one of on, hold, off/);
    expectUserError(run(['switch', 'flip']), /unknown subcommand flip/);
    expect(run(['help']).stdout.toString()).toEqual(expect.stringContaining('firmbank switch set SCOPE/FLOW on|hold|off'));
  });
});
