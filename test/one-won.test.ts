import { randomBytes, randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import { DataSource as TypeormDataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeys } from '../src/api/api-keys.js';
import { buildApi } from '../src/api/server.js';
import type { ApiServices } from '../src/api/services.js';
import { TelegramCodec } from '../src/codec/telegram-codec.js';
import { canMove, type TransferState } from '../src/domain/transfer-state.js';
import { FirmbankError } from '../src/errors/firmbank-error.js';
import { OneWonCodes } from '../src/flows/one-won-code.js';
import { OneWonFlow, type OneWonResult, type OneWonState } from '../src/flows/one-won-flow.js';
import { OneWonLimitError } from '../src/flows/one-won-limit-error.js';
import { memoOf, toFullWidth, typedCode } from '../src/flows/one-won-memo.js';
import { oneWonTransferRequestId, type HolderNameAnswer, type HolderNameCheck, type OneWonStoredState, type OneWonTransferRequest, type OneWonTransferStatus, type TransferStarter } from '../src/flows/one-won-ports.js';
import { oneWonSettings, type OneWonSettings } from '../src/flows/one-won-settings.js';
import { OneWonSettingsError } from '../src/flows/one-won-settings-error.js';
import { transferCheckOf } from '../src/flows/one-won-transfer-check.js';
import { codeWordProblem, loadOneWonWords } from '../src/flows/one-won-words.js';
import type { ServiceIdentity } from '../src/flows/transfer-flow.js';
import { ValidationError } from '../src/flows/validation-error.js';
import { openDatabase } from '../src/ledger/data-source.js';
import { ledgerEntities } from '../src/ledger/entities.js';
import { OneWon1764700000000 } from '../src/ledger/migrations/0008-one-won.js';
import { MIGRATIONS } from '../src/ledger/migrations/index.js';
import { oneWonEntities } from '../src/ledger/one-won-entities.js';
import { OneWonStore } from '../src/ledger/one-won-store.js';
import { silentLogger, type Logger } from '../src/log/logger.js';
import { freshDatabase } from './helpers/gateway.js';
import { captureLogs, findClearSecrets } from './helpers/log-capture.js';
import { hectoProfile } from './helpers/specs.js';

const SECRET = 'one-won-test-secret-0123456789abcdef';
const PREFIX = '인증';
const codec = new TelegramCodec(hectoProfile.spec);
/** The transfer flow's own checks, with the shipped Hecto profile: memos of 14 bytes of EUC-KR. */
const check = transferCheckOf(hectoProfile, codec, '004');
const WORDS = loadOneWonWords();

const callerOf = (service: string): ServiceIdentity => ({ service, maxAmount: new Decimal(1_000_000) });
/** A 12-digit account no other test uses. */
const freshAccount = () => `1${String(randomBytes(6).readUIntBE(0, 6) % 1e11).padStart(11, '0')}`;

/** A clock the test moves. */
class TestClock {
  constructor(public at: Date) {}
  readonly now = () => this.at;
  advance(ms: number): void {
    this.at = new Date(this.at.getTime() + ms);
  }
}

interface FakeTransfer {
  id: string;
  service: string;
  request: OneWonTransferRequest;
  state: TransferState;
  responseCode: string | null;
  responseMessage: string | null;
}

/**
 * The transfer flow as the verification sees it: idempotent on the request id, transfers moved by the
 * test along the transfer state machine. `refuseNext` throws before keeping anything, as TransferFlow
 * does for a closed bank; `keepThenThrow` keeps the transfer and then throws, as a failed queueing does.
 */
class FakeTransfers implements TransferStarter {
  readonly byRequest = new Map<string, FakeTransfer>();
  readonly byId = new Map<string, FakeTransfer>();
  refuseNext: Error | undefined;
  keepThenThrow: Error | undefined;

  async start(caller: ServiceIdentity, request: OneWonTransferRequest) {
    const refuse = this.refuseNext;
    this.refuseNext = undefined;
    if (refuse) throw refuse;
    const key = `${caller.service}/${request.requestId}`;
    let t = this.byRequest.get(key);
    if (!t) {
      t = { id: randomUUID(), service: caller.service, request, state: 'requested', responseCode: null, responseMessage: null };
      this.byRequest.set(key, t);
      this.byId.set(t.id, t);
    }
    const after = this.keepThenThrow;
    this.keepThenThrow = undefined;
    if (after) throw after;
    return { transferId: t.id, state: t.state };
  }

  async get(service: string, requestId: string): Promise<OneWonTransferStatus | null> {
    const t = this.byRequest.get(`${service}/${requestId}`);
    return t ? { state: t.state, responseCode: t.responseCode, responseMessage: t.responseMessage } : null;
  }

  /** The 1 won of a verification. */
  of(service: string, verificationId: string): FakeTransfer {
    const t = this.byRequest.get(`${service}/${oneWonTransferRequestId(verificationId)}`);
    if (!t) throw new Error(`no transfer for verification ${verificationId}`);
    return t;
  }

  /** Moves a verification's 1 won, if the transfer state machine allows it; false when it does not. */
  move(service: string, verificationId: string, to: TransferState, code: string | null = null, message: string | null = null): boolean {
    const t = this.of(service, verificationId);
    if (!canMove(t.state, to)) return false;
    Object.assign(t, { state: to, responseCode: code ?? t.responseCode, responseMessage: message ?? t.responseMessage });
    return true;
  }

  /** What the account holder reads after the prefix in the memo: the code. */
  codeOf(service: string, verificationId: string): string {
    return this.of(service, verificationId).request.memo.normalize('NFKC').slice(PREFIX.length);
  }

  count(): number {
    return this.byId.size;
  }
}

/** The 1 won arrives: requested → sending → succeeded. */
function deliver(transfers: FakeTransfers, service: string, id: string): void {
  transfers.move(service, id, 'sending');
  transfers.move(service, id, 'succeeded', '0000', '정상처리');
}

/** A wrong code of the same kind as `right`. */
function wrongCode(right: string, k = 1): string {
  if (/^\d{4}$/.test(right)) return String((Number(right) + k) % 10_000).padStart(4, '0');
  return WORDS[(WORDS.indexOf(right) + k) % WORDS.length]!;
}

class FakeNames implements HolderNameCheck {
  answer: HolderNameAnswer = { status: 'verified', responseCode: '0000', message: '정상' };
  asked = 0;
  async verify(): Promise<HolderNameAnswer> {
    this.asked++;
    return this.answer;
  }
}

interface Rig {
  readonly flow: OneWonFlow;
  readonly store: OneWonStore;
  readonly transfers: FakeTransfers;
  readonly clock: TestClock;
  readonly names: FakeNames;
}

function rig(ds: DataSource, settings: Partial<OneWonSettings> = {}, extra: { logger?: Logger; clock?: TestClock; transfers?: FakeTransfers; names?: FakeNames } = {}): Rig {
  const store = new OneWonStore(ds);
  const transfers = extra.transfers ?? new FakeTransfers();
  const clock = extra.clock ?? new TestClock(new Date('2026-03-02T03:00:00Z'));
  const names = extra.names ?? new FakeNames();
  const flow = new OneWonFlow({ settings: { secret: SECRET, memoPrefix: PREFIX, ...settings }, store, transfers, check, names, words: WORDS, clock: clock.now, logger: extra.logger ?? silentLogger });
  return { flow, store, transfers, clock, names };
}

/** The problem a promise rejects with (its class and fields), or a failure when it resolves. */
async function rejection<T extends Error>(p: Promise<unknown>): Promise<T> {
  try {
    await p;
  } catch (e) {
    return e as T;
  }
  throw new Error('expected a rejection');
}

describe('codes, memos and the word list', () => {
  const codes = new OneWonCodes(SECRET, WORDS);

  it('ships a few hundred words, each 2–3 Hangul syllables in strict EUC-KR, none with a confusable vowel, no duplicates', () => {
    expect(WORDS.length).toBeGreaterThanOrEqual(300);
    expect(new Set(WORDS).size).toBe(WORDS.length);
    for (const w of WORDS) expect(codeWordProblem(w), w).toBeUndefined();
  });

  it('the loader refuses what it checks, naming the word', () => {
    expect(codeWordProblem('똠방')).toMatch(/EUC-KR/); // CP949 only
    expect(codeWordProblem('배추')).toMatch(/vowel/);
    expect(codeWordProblem('별')).toMatch(/2 or 3/);
    expect(codeWordProblem('호랑이떼')).toMatch(/2 or 3/);
    expect(codeWordProblem('abc')).toMatch(/Hangul/);
  });

  it('draws 4-digit codes uniformly enough and words from the list', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2_000; i++) {
      const c = codes.generate('digits');
      expect(c).toMatch(/^\d{4}$/);
      seen.add(c);
    }
    expect(seen.size).toBeGreaterThan(1_600); // 2,000 draws of 10,000: ~1,813 distinct expected
    for (let i = 0; i < 100; i++) expect(WORDS).toContain(codes.generate('word'));
  });

  it('keeps a keyed hash bound to the verification, and compares it', () => {
    const h = codes.hashCode('v1', '1234');
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(h).not.toBe(codes.hashCode('v2', '1234'));
    expect(h).not.toBe(new OneWonCodes(SECRET.replace('0', 'x'), WORDS).hashCode('v1', '1234'));
    expect(codes.matches('v1', '1234', h)).toBe(true);
    expect(codes.matches('v1', '1235', h)).toBe(false);
    expect(codes.matches('v2', '1234', h)).toBe(false);
    expect(codes.accountKeyOf('004', '110123456789')).not.toContain('110123456789');
  });

  it('makes memos full-width on demand, and reads typed codes leniently but never loosely', () => {
    expect(toFullWidth('AB 12')).toBe('ＡＢ　１２');
    expect(memoOf('인증', '0427', true)).toBe('인증０４２７');
    expect(memoOf('인증', '0427', false)).toBe('인증0427');
    expect(typedCode('digits', '０４２７', '인증')).toBe('0427');
    expect(typedCode('digits', ' 04-27 ', '인증')).toBe('0427');
    expect(typedCode('digits', '인증0427', '인증')).toBe('0427');
    expect(typedCode('digits', '427', '인증')).toBeUndefined();
    expect(typedCode('digits', '04270', '인증')).toBeUndefined();
    expect(typedCode('word', '호랑이'.normalize('NFD'), '인증')).toBe('호랑이');
    expect(typedCode('word', '1234', '인증')).toBeUndefined();
  });

  it('every memo fits the 14 bytes of Hecto, full-width or not; a prefix too long is a settings error', () => {
    const transfers = new FakeTransfers();
    const flowWith = (s: Partial<OneWonSettings>) =>
      new OneWonFlow({ settings: { secret: SECRET, ...s }, store: {} as OneWonStore, transfers, check, words: WORDS, logger: silentLogger });
    for (const s of [{ codeKind: 'digits', fullWidth: true }, { codeKind: 'word', fullWidth: true }, { codeKind: 'digits' }] as const) flowWith(s).assertMemoFits('004');
    expect(() => flowWith({ memoPrefix: '본인확인인증', fullWidth: true }).assertMemoFits('004')).toThrow(OneWonSettingsError);
  });

  it('settings: defaults as documented; never a validity above 15 minutes, nor a short secret', () => {
    expect(oneWonSettings({ secret: SECRET })).toMatchObject({ codeKind: 'digits', validityMs: 600_000, maxAttempts: 5, perAccountPerHour: 3, checkHolderName: true });
    expect(() => oneWonSettings({ secret: SECRET, validityMs: 900_001 })).toThrow(/validityMs.*15 minutes/);
    expect(() => oneWonSettings({ secret: SECRET, maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => oneWonSettings({ secret: 'short' })).toThrow(/secret/);
  });
});

describe.each(['sqlite', 'postgres'] as const)('one-won flow over the real store (%s)', (kind) => {
  let ds: DataSource;
  let drop: () => Promise<void> = async () => {};

  beforeAll(async () => {
    const db = await freshDatabase(kind);
    drop = db.drop;
    ds = await openDatabase({ url: db.url });
  });
  afterAll(async () => {
    await ds?.destroy();
    await drop();
  });

  it('pending until the 1 won succeeds (no attempt counted), then a wrong code, then the right one; verified is final', async () => {
    const r = rig(ds);
    const me = callerOf(`svc-${randomUUID()}`);
    const { verification: v, created } = await r.flow.start(me, { requestId: 'r1', bankCode: '004', account: freshAccount() });
    expect(created).toBe(true);
    expect(v).toMatchObject({ state: 'pending', attemptsLeft: 5 });
    expect(v.expiresAt.getTime() - r.clock.at.getTime()).toBe(600_000);
    const code = r.transfers.codeOf(me.service, v.id);
    expect(r.transfers.of(me.service, v.id).request).toMatchObject({ amount: '1', bankCode: '004' });

    expect(await r.flow.confirm(me, v.id, code)).toMatchObject({ result: 'pending', attemptsLeft: 5 });
    r.transfers.move(me.service, v.id, 'sending');
    r.transfers.move(me.service, v.id, 'unknown');
    expect(await r.flow.confirm(me, v.id, code)).toMatchObject({ result: 'pending' });
    r.transfers.move(me.service, v.id, 'succeeded', '0000', '정상');
    expect((await r.flow.status(me, v.id)).state).toBe('awaiting-code');

    expect(await r.flow.confirm(me, v.id, wrongCode(code))).toMatchObject({ result: 'mismatch', attemptsLeft: 4 });
    expect(await r.flow.confirm(me, v.id, code)).toMatchObject({ result: 'verified', attemptsLeft: 4 });
    // a lost answer, asked again; and a typo after the fact: verified either way, nothing counted
    expect(await r.flow.confirm(me, v.id, code)).toMatchObject({ result: 'verified' });
    expect(await r.flow.confirm(me, v.id, wrongCode(code))).toMatchObject({ result: 'verified', attemptsLeft: 4 });
    r.clock.advance(3_600_000);
    expect((await r.flow.status(me, v.id)).state).toBe('verified');
    expect((await r.store.get(v.id))?.attempts).toBe(1);
  });

  it('locks at the fifth wrong code; locked is final, the right code included', async () => {
    const r = rig(ds);
    const me = callerOf(`svc-${randomUUID()}`);
    const { verification: v } = await r.flow.start(me, { requestId: 'r1', bankCode: '088', account: freshAccount() });
    deliver(r.transfers, me.service, v.id);
    const code = r.transfers.codeOf(me.service, v.id);
    const results = [];
    for (let k = 1; k <= 5; k++) results.push(await r.flow.confirm(me, v.id, wrongCode(code, k)));
    expect(results.map((c) => [c.result, c.attemptsLeft])).toEqual([['mismatch', 4], ['mismatch', 3], ['mismatch', 2], ['mismatch', 1], ['locked', 0]]);
    expect(await r.flow.confirm(me, v.id, code)).toMatchObject({ result: 'locked', attemptsLeft: 0 });
    expect((await r.store.get(v.id))?.attempts).toBe(5);
  });

  it('expires after the validity, whatever the 1 won does later; expired is final', async () => {
    const r = rig(ds, { validityMs: 120_000 });
    const me = callerOf(`svc-${randomUUID()}`);
    const { verification: v } = await r.flow.start(me, { requestId: 'r1', bankCode: '004', account: freshAccount() });
    const code = r.transfers.codeOf(me.service, v.id);
    r.clock.advance(120_000);
    expect(await r.flow.confirm(me, v.id, code)).toMatchObject({ result: 'expired' });
    deliver(r.transfers, me.service, v.id);
    r.clock.advance(-60_000); // another process, its clock behind: expired was written, and stays
    expect(await r.flow.confirm(me, v.id, code)).toMatchObject({ result: 'expired' });
    expect((await r.store.get(v.id))?.state).toBe('expired');
  });

  it('fails with the bank\'s reason when the 1 won fails or is reversed; never verified after', async () => {
    const r = rig(ds);
    const me = callerOf(`svc-${randomUUID()}`);
    const { verification: v } = await r.flow.start(me, { requestId: 'r1', bankCode: '004', account: freshAccount() });
    const code = r.transfers.codeOf(me.service, v.id);
    r.transfers.move(me.service, v.id, 'sending');
    r.transfers.move(me.service, v.id, 'failed', 'A011', '수취계좌 해지');
    expect(await r.flow.confirm(me, v.id, code)).toEqual(expect.objectContaining({ result: 'failed', failure: { code: 'A011', message: '수취계좌 해지' } }));
    expect((await r.flow.status(me, v.id)).state).toBe('failed');

    const { verification: w } = await r.flow.start(me, { requestId: 'r2', bankCode: '004', account: freshAccount() });
    deliver(r.transfers, me.service, w.id);
    r.transfers.move(me.service, w.id, 'reversed', 'R001', '타행이체불능');
    expect(await r.flow.confirm(me, w.id, r.transfers.codeOf(me.service, w.id))).toMatchObject({ result: 'failed', failure: { code: 'R001' } });
  });

  it('the same request id again: the same verification, one transfer; another body: 409', async () => {
    const r = rig(ds);
    const me = callerOf(`svc-${randomUUID()}`);
    const account = freshAccount();
    const a = await r.flow.start(me, { requestId: 'same', bankCode: '004', account });
    const b = await r.flow.start(me, { requestId: 'same', bankCode: '004', account });
    expect(b).toMatchObject({ created: false, verification: { id: a.verification.id } });
    expect(r.transfers.count()).toBe(1);
    const conflict = await rejection<FirmbankError>(r.flow.start(me, { requestId: 'same', bankCode: '004', account: freshAccount() }));
    expect(conflict.code).toBe('FB_IDEMPOTENCY_CONFLICT');
    // concurrent retries of one request: one verification, one 1 won
    const many = await Promise.all(Array.from({ length: 8 }, () => r.flow.start(me, { requestId: 'burst', bankCode: '004', account })));
    expect(new Set(many.map((m) => m.verification.id)).size).toBe(1);
    expect(many.filter((m) => m.created)).toHaveLength(1);
    expect(r.transfers.count()).toBe(2);
  });

  it('a 1 won the transfer flow refuses before keeping it: nothing kept, the limits given back', async () => {
    const r = rig(ds, { perAccountPerHour: 1 });
    const me = callerOf(`svc-${randomUUID()}`);
    const account = freshAccount();
    r.transfers.refuseNext = new FirmbankError('FB_BANK_CLOSED', 'bank 004 is not taking transfers now');
    const e = await rejection<FirmbankError>(r.flow.start(me, { requestId: 'r1', bankCode: '004', account }));
    expect(e.code).toBe('FB_BANK_CLOSED');
    expect(await ds.query(`SELECT * FROM one_won_verifications WHERE service = '${me.service}'`)).toEqual([]);
    // the same request id works once the bank is open, and the account's one start an hour was not used
    expect((await r.flow.start(me, { requestId: 'r1', bankCode: '004', account })).created).toBe(true);
  });

  it('a 1 won kept although the transfer flow threw (queueing failed): the verification follows it', async () => {
    const r = rig(ds);
    const me = callerOf(`svc-${randomUUID()}`);
    r.transfers.keepThenThrow = new Error('Redis went away');
    const { verification: v } = await r.flow.start(me, { requestId: 'r1', bankCode: '004', account: freshAccount() });
    expect(v.state).toBe('pending');
    deliver(r.transfers, me.service, v.id);
    expect(await r.flow.confirm(me, v.id, r.transfers.codeOf(me.service, v.id))).toMatchObject({ result: 'verified' });
  });

  it('holder name: checked first; a mismatch fails (and counts), no answer keeps nothing, a match sends the name along', async () => {
    const r = rig(ds, { perAccountPerHour: 2 });
    const me = callerOf(`svc-${randomUUID()}`);
    const account = freshAccount();
    r.names.answer = { status: 'mismatch', responseCode: '0000', message: '정상' };
    const { verification: v } = await r.flow.start(me, { requestId: 'r1', bankCode: '004', account, holderName: '홍길동' });
    expect(v).toMatchObject({ state: 'failed', failure: { message: 'the holder name does not match the account' } });
    expect(r.transfers.count()).toBe(0);

    r.names.answer = { status: 'unavailable', responseCode: null, message: 'link down' };
    const e = await rejection<FirmbankError>(r.flow.start(me, { requestId: 'r2', bankCode: '004', account, holderName: '홍길동' }));
    expect(e.code).toBe('FB_ONE_WON_UNAVAILABLE');
    expect(await r.store.get(v.id)).not.toBeNull();
    expect(Number((await ds.query(`SELECT COUNT(*) AS n FROM one_won_verifications WHERE service = '${me.service}'`))[0].n)).toBe(1);

    r.names.answer = { status: 'verified', responseCode: '0000', message: '정상' };
    const { verification: w } = await r.flow.start(me, { requestId: 'r3', bankCode: '004', account, holderName: '홍길동' });
    expect(r.transfers.of(me.service, w.id).request.recipientName).toBe('홍길동');
    // the mismatch counted: that was the account's second start this hour
    const limited = await rejection<OneWonLimitError>(r.flow.start(me, { requestId: 'r4', bankCode: '004', account, holderName: '홍길동' }));
    expect(limited).toBeInstanceOf(OneWonLimitError);
    expect(limited.limit).toBe('perAccountPerHour');
  });

  it('bad input names the field and keeps nothing', async () => {
    const r = rig(ds);
    const me = callerOf(`svc-${randomUUID()}`);
    const good = { requestId: 'r1', bankCode: '004', account: freshAccount() };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...good, requestId: '' }, 'requestId'],
      [{ ...good, requestId: 'has space' }, 'requestId'],
      [{ ...good, bankCode: '4' }, 'bankCode'],
      [{ ...good, bankCode: '999' }, 'bankCode'],
      [{ ...good, account: '12-34' }, 'account'],
      [{ ...good, account: undefined }, 'account'],
      [{ ...good, holderName: '' }, 'holderName'],
      [{ ...good, holderName: '가나다라마바사' }, 'holderName'], // 14 bytes: Hecto's name field holds 12
      [{ ...good, holderName: '홍길동😀' }, 'holderName'],
    ];
    for (const [input, field] of cases) {
      const e = await rejection<ValidationError>(r.flow.start(me, input as never));
      expect(e, JSON.stringify(input)).toBeInstanceOf(ValidationError);
      expect(e.field).toBe(field);
    }
    expect(r.transfers.count()).toBe(0);
    expect(await ds.query(`SELECT * FROM one_won_verifications WHERE service = '${me.service}'`)).toEqual([]);
    const { verification: v } = await r.flow.start(me, good);
    for (const code of ['', '12', '12345', 'abcd', '호랑이']) {
      const e = await rejection<ValidationError>(r.flow.confirm(me, v.id, code));
      expect(e.field).toBe('code');
    }
    expect((await r.store.get(v.id))?.attempts).toBe(0);
  });

  it('another service cannot see or confirm a verification', async () => {
    const r = rig(ds);
    const me = callerOf(`svc-${randomUUID()}`);
    const { verification: v } = await r.flow.start(me, { requestId: 'r1', bankCode: '004', account: freshAccount() });
    deliver(r.transfers, me.service, v.id);
    const other = callerOf('someone-else');
    expect((await rejection<FirmbankError>(r.flow.confirm(other, v.id, r.transfers.codeOf(me.service, v.id)))).code).toBe('FB_NOT_FOUND');
    expect((await rejection<FirmbankError>(r.flow.status(other, v.id))).code).toBe('FB_NOT_FOUND');
    expect((await rejection<FirmbankError>(r.flow.status(me, randomUUID()))).code).toBe('FB_NOT_FOUND');
    expect((await r.store.get(v.id))?.state).toBe('open');
  });

  it('the code is nowhere: not in the store (only its HMAC), not in errors, not in the log output', async () => {
    const logs = captureLogs('debug', 'one-won');
    const r = rig(ds, { codeKind: 'word', fullWidth: true, maxAttempts: 3 }, { logger: logs.logger });
    const me = callerOf(`svc-${randomUUID()}`);
    const codes: string[] = [];
    const accounts: string[] = [];
    const messages: string[] = [];
    for (let i = 0; i < 6; i++) {
      const account = freshAccount();
      accounts.push(account);
      const { verification: v } = await r.flow.start(me, { requestId: `r${i}`, bankCode: '004', account, holderName: '김민지' });
      const code = r.transfers.codeOf(me.service, v.id);
      codes.push(code, r.transfers.of(me.service, v.id).request.memo);
      deliver(r.transfers, me.service, v.id);
      if (i % 2 === 0) await r.flow.confirm(me, v.id, code);
      for (let k = 1; k <= 4; k++) {
        try {
          await r.flow.confirm(me, v.id, k === 4 ? 'x' : wrongCode(code, k));
        } catch (e) {
          messages.push((e as Error).message);
        }
      }
      messages.push(JSON.stringify(await r.flow.status(me, v.id)));
    }
    messages.push((await rejection<Error>(r.flow.start(me, { requestId: 'r0', bankCode: '004', account: freshAccount() }))).message);
    expect(findClearSecrets(logs.text(), [...codes, ...accounts, SECRET], ['김민지'])).toEqual([]);
    expect(logs.lines().map((l) => l['event'])).toEqual(expect.arrayContaining(['one-won.started', 'one-won.confirmed']));
    expect(findClearSecrets(messages.join('\n'), [...codes, ...accounts])).toEqual([]);
    const rows = (await ds.query(`SELECT * FROM one_won_verifications WHERE service = '${me.service}'`)) as Record<string, unknown>[];
    expect(rows).toHaveLength(6);
    const stored = JSON.stringify(rows);
    expect(findClearSecrets(stored, [...codes, ...accounts], ['김민지'])).toEqual([]);
    for (const row of rows) expect(String(row['code_hash'])).toMatch(/^[0-9a-f]{64}$/);
  });

  it('the model: any sequence of starts, confirms, clock moves, 1 won outcomes and concurrent confirms', async () => {
    await fc.assert(fc.asyncProperty(actionsArb, async (actions) => runModel(ds, actions)), { numRuns: kind === 'sqlite' ? 100 : 30 });
  });
});

// ————————————————————————————————————————————————————————————————————————————————————————————————————
// The model-based property.

const LIMITS = { maxAttempts: 3, perAccountPerHour: 2, perServicePerDay: 5, perServicePerSecond: 3, validityMs: 600_000 } as const;
const ACCOUNTS = 4;

type Action =
  | { readonly a: 'start'; readonly account: number; readonly retry: boolean }
  | { readonly a: 'advance'; readonly ms: number }
  | { readonly a: 'transfer'; readonly v: number; readonly to: TransferState }
  | { readonly a: 'confirm'; readonly v: number; readonly right: boolean }
  | { readonly a: 'concurrent'; readonly v: number; readonly rights: readonly boolean[] }
  | { readonly a: 'status'; readonly v: number };

const actionsArb: fc.Arbitrary<Action[]> = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: fc.record({ a: fc.constant('start' as const), account: fc.nat(ACCOUNTS - 1), retry: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ a: fc.constant('advance' as const), ms: fc.constantFrom(250, 1_000, 5_000, 30_000, 120_000, 300_000, 700_000, 3_600_000) }) },
    { weight: 3, arbitrary: fc.record({ a: fc.constant('transfer' as const), v: fc.nat(5), to: fc.constantFrom<TransferState>('sending', 'succeeded', 'succeeded', 'failed', 'unknown', 'reversed') }) },
    // wrong codes more often than right ones: a right one ends the verification
    { weight: 4, arbitrary: fc.record({ a: fc.constant('confirm' as const), v: fc.nat(5), right: fc.constantFrom(false, false, true) }) },
    { weight: 2, arbitrary: fc.record({ a: fc.constant('concurrent' as const), v: fc.nat(5), rights: fc.array(fc.constantFrom(false, false, false, true), { minLength: 2, maxLength: 6 }) }) },
    { weight: 1, arbitrary: fc.record({ a: fc.constant('status' as const), v: fc.nat(5) }) },
  ),
  // size 'max': sequences up to the full 40 steps, not fast-check's short default
  { minLength: 1, maxLength: 40, size: 'max' },
);

/** What the model knows of one verification. */
interface ModelVerification {
  readonly id: string;
  readonly requestId: string;
  readonly account: number;
  readonly createdAt: number;
  readonly expiresAt: number;
  stored: OneWonStoredState;
  attempts: number;
}

const KST_DAY = (ms: number) => Math.floor((ms + 9 * 3_600_000) / 86_400_000);

/**
 * Runs `actions` against the flow over the real store and a fake transfer flow, and against a model of
 * the rules; every answer must be the model's, and after every step: no verification is verified without
 * the right code given while its 1 won had succeeded and before its expiry, none takes more than the
 * allowed wrong codes, final states stay final, and no limit lets more starts through than it allows.
 */
async function runModel(ds: DataSource, actions: readonly Action[]): Promise<void> {
  // KST 23:59:58: a few steps cross the Korean midnight, and the daily limit with it
  const clock = new TestClock(new Date('2026-01-05T14:59:58Z'));
  const r = rig(ds, LIMITS, { clock });
  const me = callerOf(`model-${randomUUID()}`);
  const accounts = Array.from({ length: ACCOUNTS }, freshAccount);
  const model: ModelVerification[] = [];
  /** Ids verified legitimately: the right code given while codes were accepted. */
  const legit = new Set<string>();
  let seq = 0;

  const expectedState = (m: ModelVerification, now: number): OneWonState => {
    if (m.stored !== 'open') return m.stored;
    if (now >= m.expiresAt) return 'expired';
    const t = r.transfers.of(me.service, m.id).state;
    if (t === 'failed' || t === 'reversed') return 'failed';
    return t === 'succeeded' ? 'awaiting-code' : 'pending';
  };
  /** Moves the model as a status or confirm that finds `state` writes it. */
  const observe = (m: ModelVerification, state: OneWonState) => {
    if (state === 'expired' || state === 'failed') m.stored = state;
  };

  for (const act of actions) {
    const now = clock.at.getTime();
    switch (act.a) {
      case 'advance':
        clock.advance(act.ms);
        break;
      case 'start': {
        const mine = model.filter((m) => m.account === act.account);
        const again = act.retry ? mine.at(-1) : undefined;
        const requestId = again?.requestId ?? `req-${++seq}`;
        const input = { requestId, bankCode: '004', account: accounts[act.account]! };
        const expected: OneWonLimitError['limit'] | 'created' | 'existing' = again
          ? 'existing'
          : mine.filter((m) => m.createdAt > now - 3_600_000).length >= LIMITS.perAccountPerHour
            ? 'perAccountPerHour'
            : model.filter((m) => KST_DAY(m.createdAt) === KST_DAY(now)).length >= LIMITS.perServicePerDay
              ? 'perServicePerDay'
              : model.filter((m) => Math.floor(m.createdAt / 1000) === Math.floor(now / 1000)).length >= LIMITS.perServicePerSecond
                ? 'perServicePerSecond'
                : 'created';
        if (expected === 'created' || expected === 'existing') {
          const { verification: v, created } = await r.flow.start(me, input);
          expect(created).toBe(expected === 'created');
          if (again) {
            expect(v.id).toBe(again.id);
            const state = expectedState(again, now);
            expect(v.state).toBe(state);
            observe(again, state);
          } else {
            expect(v.state).toBe('pending');
            model.push({ id: v.id, requestId, account: act.account, createdAt: now, expiresAt: now + LIMITS.validityMs, stored: 'open', attempts: 0 });
          }
        } else {
          const e = await rejection<OneWonLimitError>(r.flow.start(me, input));
          expect(e).toBeInstanceOf(OneWonLimitError);
          expect(e.limit).toBe(expected);
          expect(e.retryInMs).toBeGreaterThan(0);
        }
        break;
      }
      case 'transfer': {
        const m = model[act.v % Math.max(1, model.length)];
        if (!m) break;
        // an outcome reached through `sending` when that is the way there (requested → sending → succeeded)
        if (!canMove(r.transfers.of(me.service, m.id).state, act.to) && canMove('sending', act.to)) r.transfers.move(me.service, m.id, 'sending');
        r.transfers.move(me.service, m.id, act.to, act.to === 'failed' ? 'A011' : null, act.to === 'failed' ? '해지계좌' : null);
        break;
      }
      case 'status': {
        const m = model[act.v % Math.max(1, model.length)];
        if (!m) break;
        const state = expectedState(m, now);
        expect((await r.flow.status(me, m.id)).state).toBe(state);
        observe(m, state);
        break;
      }
      case 'confirm': {
        const m = model[act.v % Math.max(1, model.length)];
        if (!m) break;
        const right = r.transfers.codeOf(me.service, m.id);
        const state = expectedState(m, now);
        let result: OneWonResult;
        if (state !== 'awaiting-code') {
          observe(m, state);
          result = state;
        } else if (act.right) {
          m.stored = 'verified';
          legit.add(m.id);
          result = 'verified';
        } else {
          m.attempts++;
          if (m.attempts >= LIMITS.maxAttempts) m.stored = 'locked';
          result = m.stored === 'locked' ? 'locked' : 'mismatch';
        }
        const got = await r.flow.confirm(me, m.id, act.right ? right : wrongCode(right, 1 + (seq++ % 7)));
        expect(got.result).toBe(result);
        expect(got.attemptsLeft).toBe(m.stored === 'locked' ? 0 : LIMITS.maxAttempts - m.attempts);
        break;
      }
      case 'concurrent': {
        const m = model[act.v % Math.max(1, model.length)];
        if (!m) break;
        const right = r.transfers.codeOf(me.service, m.id);
        const state = expectedState(m, now);
        const results = await Promise.all(act.rights.map((ok, k) => r.flow.confirm(me, m.id, ok ? right : wrongCode(right, k + 1))));
        const row = (await r.store.get(m.id))!;
        if (state !== 'awaiting-code') {
          // nothing to decide: every one answers the state, and nothing is counted
          for (const c of results) expect(c.result).toBe(state);
          expect(row.attempts).toBe(m.attempts);
          observe(m, state);
          break;
        }
        const counted = results.filter((c) => c.result === 'mismatch').length + (row.state === 'locked' ? 1 : 0);
        expect(row.attempts).toBe(m.attempts + counted);
        expect(row.attempts).toBeLessThanOrEqual(LIMITS.maxAttempts);
        if (row.state === 'verified') {
          expect(act.rights).toContain(true);
          legit.add(m.id);
        }
        // a wrong code never verifies, a right one never mismatches
        results.forEach((c, k) => expect(act.rights[k] ? ['verified', 'locked'] : ['mismatch', 'locked', 'verified']).toContain(c.result));
        m.stored = row.state;
        m.attempts = row.attempts;
        break;
      }
    }
    // after every step, for every verification, the store agrees with the invariants
    for (const m of model) {
      const row = (await r.store.get(m.id))!;
      expect(row.attempts).toBeLessThanOrEqual(LIMITS.maxAttempts);
      expect(row.attempts).toBe(m.attempts);
      expect(row.state).toBe(m.stored);
      if (row.state === 'verified') {
        expect(legit.has(m.id)).toBe(true);
        expect(row.settledAt!.getTime()).toBeLessThan(row.expiresAt.getTime());
      }
    }
  }
  // never more starts than a limit allows, in any window
  const rows = (await ds.query(`SELECT account_key, created_at FROM one_won_verifications WHERE service = '${me.service}'`)) as { account_key: string; created_at: unknown }[];
  expect(rows).toHaveLength(model.length);
  for (const m of model) {
    expect(model.filter((o) => o.account === m.account && o.createdAt > m.createdAt - 3_600_000 && o.createdAt <= m.createdAt).length).toBeLessThanOrEqual(LIMITS.perAccountPerHour);
    expect(model.filter((o) => KST_DAY(o.createdAt) === KST_DAY(m.createdAt)).length).toBeLessThanOrEqual(LIMITS.perServicePerDay);
  }
}

// ————————————————————————————————————————————————————————————————————————————————————————————————————

describe('limits hold across two gateway processes (two DataSources, one PostgreSQL database)', () => {
  let ds1: DataSource;
  let ds2: DataSource;
  let drop: () => Promise<void> = async () => {};

  beforeAll(async () => {
    const db = await freshDatabase('postgres');
    drop = db.drop;
    ds1 = await openDatabase({ url: db.url });
    ds2 = await openDatabase({ url: db.url });
  });
  afterAll(async () => {
    await ds1?.destroy();
    await ds2?.destroy();
    await drop();
  });

  /** Two flows, one per DataSource, sharing the fake transfer flow and a clock frozen within one second. */
  function twoProcesses(settings: Partial<OneWonSettings>) {
    const transfers = new FakeTransfers();
    const clock = new TestClock(new Date('2026-03-02T03:00:00.100Z'));
    return { transfers, clock, flows: [rig(ds1, settings, { transfers, clock }).flow, rig(ds2, settings, { transfers, clock }).flow] as const };
  }

  const outcome = (p: Promise<unknown>) =>
    p.then(
      () => 'created',
      (e: unknown) => (e instanceof OneWonLimitError ? e.limit : Promise.reject(e)),
    );

  it('per account per hour: 60 concurrent starts on one account, 3 get through', async () => {
    const { flows, transfers } = twoProcesses({ perServicePerSecond: 1_000 });
    const me = callerOf(`svc-${randomUUID()}`);
    const account = freshAccount();
    const got = await Promise.all(Array.from({ length: 60 }, (_, i) => outcome(flows[i % 2]!.start(me, { requestId: `a${i}`, bankCode: '004', account }))));
    expect(got.filter((g) => g === 'created')).toHaveLength(3);
    expect(got.filter((g) => g === 'perAccountPerHour')).toHaveLength(57);
    expect(transfers.count()).toBe(3);
  });

  it('per service per second and per day: 80 concurrent starts, never more than the limit', async () => {
    const perSecond = twoProcesses({ perServicePerSecond: 7 });
    const me = callerOf(`svc-${randomUUID()}`);
    const got = await Promise.all(Array.from({ length: 80 }, (_, i) => outcome(perSecond.flows[i % 2]!.start(me, { requestId: `s${i}`, bankCode: '004', account: freshAccount() }))));
    expect(got.filter((g) => g === 'created')).toHaveLength(7);
    expect(got.filter((g) => g === 'perServicePerSecond')).toHaveLength(73);

    const perDay = twoProcesses({ perServicePerDay: 11, perServicePerSecond: 1_000 });
    const you = callerOf(`svc-${randomUUID()}`);
    const day = await Promise.all(Array.from({ length: 80 }, (_, i) => outcome(perDay.flows[i % 2]!.start(you, { requestId: `d${i}`, bankCode: '004', account: freshAccount() }))));
    expect(day.filter((g) => g === 'created')).toHaveLength(11);
    expect(day.filter((g) => g === 'perServicePerDay')).toHaveLength(69);
    // the next KST day opens a new window
    perDay.clock.advance(24 * 3_600_000);
    expect(await outcome(perDay.flows[1].start(you, { requestId: 'next-day', bankCode: '004', account: freshAccount() }))).toBe('created');
  });

  it('attempts: 40 concurrent wrong codes through both, exactly 5 counted; with the right code among them, never more', async () => {
    for (const withRight of [false, true]) {
      const { flows, transfers } = twoProcesses({});
      const me = callerOf(`svc-${randomUUID()}`);
      const { verification: v } = await flows[0].start(me, { requestId: 'r', bankCode: '004', account: freshAccount() });
      deliver(transfers, me.service, v.id);
      const right = transfers.codeOf(me.service, v.id);
      const codes = Array.from({ length: 40 }, (_, k) => (withRight && k === 20 ? right : wrongCode(right, k + 1)));
      const results = await Promise.all(codes.map((c, k) => flows[k % 2]!.confirm(me, v.id, c)));
      const row = (await new OneWonStore(ds1).get(v.id))!;
      expect(row.attempts).toBeLessThanOrEqual(5);
      expect(results.filter((c) => c.result === 'mismatch').length + (row.state === 'locked' ? 1 : 0)).toBe(row.attempts);
      if (!withRight) expect(row).toMatchObject({ state: 'locked', attempts: 5 });
      else expect(['verified', 'locked']).toContain(row.state);
      if (row.state === 'verified') expect(results[20]!.result).toBe('verified');
    }
  });
});

describe('the one-won routes, in a real Fastify app with the API\'s own hooks', () => {
  let ds: DataSource;
  let app: ReturnType<typeof buildApi>;
  let r: Rig;
  let key: string;
  let otherKey: string;
  let transfersOnlyKey: string;
  const codesSeen: string[] = [];

  beforeAll(async () => {
    const db = await freshDatabase('sqlite');
    ds = await openDatabase({ url: db.url });
    r = rig(ds, { perAccountPerHour: 2 });
    const keys = new ApiKeys(ds);
    key = await keys.create('payroll', new Decimal(1_000_000));
    otherKey = await keys.create('shop', new Decimal(1_000_000));
    transfersOnlyKey = await keys.create('payroll', new Decimal(1_000_000), ['transfers']);
    // The API as the gateway builds it, with only the one-won service behind it.
    app = buildApi({ oneWon: r.flow } as unknown as ApiServices, keys, silentLogger, 1_000);
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await ds?.destroy();
  });

  const post = (url: string, body: unknown, k = key) => app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${k}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  const base = '/v1/account-verifications/one-won';

  it('start → 201 {id, state, expiresAt}, the same request again → 200; confirm → verified', async () => {
    const body = { requestId: 'http-1', bankCode: '004', account: freshAccount() };
    const res = await post(base, body);
    expect(res.statusCode).toBe(201);
    const v = res.json() as { id: string; state: string; expiresAt: string; attemptsLeft: number };
    expect(v).toMatchObject({ state: 'pending', attemptsLeft: 5 });
    expect(new Date(v.expiresAt).getTime()).toBe(r.clock.at.getTime() + 600_000);
    expect(res.headers['location']).toBe(`${base}/${v.id}`);
    expect((await post(base, body)).statusCode).toBe(200);

    const code = r.transfers.codeOf('payroll', v.id);
    codesSeen.push(code);
    expect((await post(`${base}/${v.id}/confirm`, { code })).json()).toMatchObject({ result: 'pending' });
    deliver(r.transfers, 'payroll', v.id);
    expect((await post(`${base}/${v.id}/confirm`, { code: wrongCode(code) })).json()).toMatchObject({ result: 'mismatch', attemptsLeft: 4 });
    const ok = await post(`${base}/${v.id}/confirm`, { code });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ id: v.id, result: 'verified' });
    const got = await app.inject({ url: `${base}/${v.id}`, headers: { authorization: `Bearer ${key}` } });
    expect(got.json()).toMatchObject({ state: 'verified', account: expect.stringMatching(/^\*+\d{4}$/) });
    for (const answer of [res.body, ok.body, got.body]) expect(findClearSecrets(answer, [code, body.account])).toEqual([]);
  });

  it('bad input of every kind: a 4xx problem naming the field, nothing kept', async () => {
    const before = r.transfers.count();
    const good = { requestId: 'bad-1', bankCode: '004', account: freshAccount() };
    const cases: [unknown, string][] = [
      [{ ...good, requestId: undefined }, 'requestId'],
      [{ ...good, requestId: 'x'.repeat(129) }, 'requestId'],
      [{ ...good, requestId: 'has space' }, 'requestId'],
      [{ ...good, bankCode: 4 }, 'bankCode'],
      [{ ...good, bankCode: '04' }, 'bankCode'],
      [{ ...good, bankCode: '999' }, 'bankCode'],
      [{ ...good, account: 'abc' }, 'account'],
      [{ ...good, account: undefined }, 'account'],
      [{ ...good, holderName: '' }, 'holderName'],
      [{ ...good, holderName: 'x'.repeat(31) }, 'holderName'],
      [{ ...good, holderName: '가나다라마바사' }, 'holderName'],
      [{ ...good, amount: '1' }, 'amount'],
      [[good], 'body'],
    ];
    for (const [body, field] of cases) {
      const res = await post(base, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json(), JSON.stringify(body)).toMatchObject({ code: 'FB_VALIDATION', field });
    }
    const text = await app.inject({ method: 'POST', url: base, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, payload: '{"requestId":' });
    expect(text.statusCode).toBe(400);
    expect(r.transfers.count()).toBe(before);
    expect(await ds.query(`SELECT * FROM one_won_verifications WHERE request_id = 'bad-1'`)).toEqual([]);

    const { id } = (await post(base, { ...good, requestId: 'bad-2' })).json() as { id: string };
    for (const [body, field] of [[{}, 'code'], [{ code: 1234 }, 'code'], [{ code: '12' }, 'code'], [{ code: '1234', extra: 1 }, 'extra']] as const) {
      const res = await post(`${base}/${id}/confirm`, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json()).toMatchObject({ field });
    }
    expect((await r.store.get(id))?.attempts).toBe(0);
    expect((await post(`${base}/not-an-id/confirm`, { code: '1234' })).json()).toMatchObject({ code: 'FB_VALIDATION', field: 'id' });
  });

  it('a limit: 429 naming it, with Retry-After; unknown or another service\'s id: 404; no scope: 403', async () => {
    const account = freshAccount();
    expect((await post(base, { requestId: 'l1', bankCode: '004', account })).statusCode).toBe(201);
    expect((await post(base, { requestId: 'l2', bankCode: '004', account })).statusCode).toBe(201);
    const res = await post(base, { requestId: 'l3', bankCode: '004', account });
    expect(res.statusCode).toBe(429);
    expect(res.json()).toMatchObject({ code: 'FB_ONE_WON_LIMIT', detail: expect.stringMatching(/^perAccountPerHour: at most 2 /) });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);

    const mine = (await post(base, { requestId: 'l4', bankCode: '004', account: freshAccount() })).json() as { id: string };
    expect((await post(`${base}/${randomUUID()}/confirm`, { code: '1234' })).statusCode).toBe(404);
    const theirs = await post(`${base}/${mine.id}/confirm`, { code: '1234' }, otherKey);
    expect(theirs.statusCode).toBe(404);
    expect(theirs.json()).toMatchObject({ code: 'FB_NOT_FOUND' });
    expect((await app.inject({ url: `${base}/${mine.id}`, headers: { authorization: `Bearer ${otherKey}` } })).statusCode).toBe(404);
    expect((await post(base, { requestId: 'l5', bankCode: '004', account: freshAccount() }, transfersOnlyKey)).statusCode).toBe(403);
    expect((await r.store.get(mine.id))?.attempts).toBe(0);
  });
});

describe.each(['sqlite', 'postgres'] as const)('the one-won entities agree with migration 0008 (%s)', (kind) => {
  it('the schema builder wants to change nothing in the one-won tables', async () => {
    const db = await freshDatabase(kind);
    const entities = [...Object.values(ledgerEntities(kind)), ...Object.values(oneWonEntities(kind))];
    const ds =
      kind === 'postgres'
        ? new TypeormDataSource({ type: 'postgres', url: db.url, entities, migrations: MIGRATIONS })
        : new TypeormDataSource({ type: 'better-sqlite3', database: db.url, entities, migrations: MIGRATIONS });
    try {
      await ds.initialize();
      await ds.runMigrations({ transaction: 'each' });
      const queries = (await ds.driver.createSchemaBuilder().log()).upQueries.map((q) => q.query);
      expect(queries.filter((q) => /one_won/.test(q))).toEqual([]);
      // down and up again
      const q = ds.createQueryRunner();
      try {
        await new OneWon1764700000000().down(q);
        expect(await q.hasTable('one_won_verifications')).toBe(false);
        expect(await q.hasTable('one_won_counters')).toBe(false);
        await new OneWon1764700000000().up(q);
        expect(await q.hasTable('one_won_verifications')).toBe(true);
      } finally {
        await q.release();
      }
    } finally {
      await ds.destroy();
      await db.drop();
    }
  });
});
