import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import Fastify, { type FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signArsBody } from '../src/ars/ars-signature.js';
import { HttpArsProvider } from '../src/ars/http-ars-provider.js';
import { consentServiceOf, type ConsentService } from '../src/api/consent-service.js';
import { consentRoutes } from '../src/api/routes/consents.js';
import { consentCommand, exportConsentEvidence } from '../src/cli/commands/consent-command.js';
import { ResponseCodeTable } from '../src/codes/response-codes.js';
import { CONSENT_STATES, canMoveConsent, isFinalConsent, mayCollect, nextConsentStatus, type ConsentEvent, type ConsentState, type ConsentStatus } from '../src/domain/consent.js';
import { maskPhoneNumber } from '../src/domain/phone.js';
import { FolderEvidenceStore } from '../src/evidence/folder-evidence-store.js';
import { ArsUnavailableError } from '../src/flows/ars-unavailable-error.js';
import { ConsentFlow } from '../src/flows/consent-flow.js';
import type { ConsentInput } from '../src/flows/consent-input.js';
import { consentSettings, retainUntil } from '../src/flows/consent-settings.js';
import { NotNowError } from '../src/flows/not-now-error.js';
import { readRegistrationAnswer } from '../src/flows/registration-answer.js';
import { consentEntities } from '../src/ledger/consent-entities.js';
import { ConsentStore } from '../src/ledger/consent-store.js';
import { openDatabase } from '../src/ledger/data-source.js';
import { ledgerEntities } from '../src/ledger/entities.js';
import { MIGRATIONS } from '../src/ledger/migrations/index.js';
import { Sql, readTime } from '../src/ledger/sql.js';
import { kst } from '../src/link/clock.js';
import type { BankLink } from '../src/link/bank-link.js';
import { ConsentQueue } from '../src/queue/consent-queue.js';
import { redisConnection } from '../src/queue/transfer-queue.js';
import { ArsSimulator } from '../src/sim/ars-simulator.js';
import { simRecording } from '../src/sim/ars-recording.js';
import { BankSimulator } from '../src/sim/bank-simulator.js';
import { SecretBox } from '../src/webhooks/secret-box.js';
import { freshDatabase } from './helpers/gateway.js';
import { eventually, hecto, linkTo } from './helpers/link.js';
import { captureLogs, findClearSecrets } from './helpers/log-capture.js';
import { hectoProfile } from './helpers/specs.js';

const codes = ResponseCodeTable.load();
const SUCCESS = hecto.spec.session!.successCodes;

// ---- the state machine ------------------------------------------------------------------------

/** Every event there is: few enough to list, so reachability below is checked exhaustively, not by sampling. */
const ALL_EVENTS: readonly ConsentEvent[] = [
  ...(['confirmed', 'declined', 'hung-up', 'wrong-input', 'no-answer', 'failed', 'expired'] as const).map((outcome) => ({ kind: 'ars-ended', outcome }) as const),
  { kind: 'registration-sent' },
  ...(['yes', 'no', 'unknown'] as const).map((answer) => ({ kind: 'registration-answered', answer }) as const),
  { kind: 'withdraw' },
  { kind: 'cancellation-sent' },
  { kind: 'cancellation-answered', answered: true },
  { kind: 'cancellation-answered', answered: false },
  { kind: 'bank-cancelled' },
];
const EVENTS: fc.Arbitrary<ConsentEvent> = fc.constantFrom(...ALL_EVENTS);

describe('the consent state machine', () => {
  it('never leaves a final state, never registers after a withdrawal, and moves only as the store allows', () => {
    fc.assert(
      fc.property(fc.array(EVENTS, { maxLength: 40 }), (events) => {
        let s: ConsentStatus = { state: 'calling', withdrawRequested: false };
        let withdrawn = false;
        for (const e of events) {
          const next = nextConsentStatus(s, e);
          if (typeof next === 'string') {
            // a refusal changes nothing, and says why
            expect(next.length).toBeGreaterThan(0);
            continue;
          }
          expect(isFinalConsent(s.state), `${s.state} is final, yet ${e.kind} moved it`).toBe(false);
          if (next.state !== s.state) expect(canMoveConsent(s.state, next.state), `${s.state} → ${next.state} on ${e.kind}`).toBe(true);
          // collections may go only once the bank said yes to a registration, and never after a withdrawal
          if (mayCollect(next.state) && !mayCollect(s.state)) expect(e).toEqual({ kind: 'registration-answered', answer: 'yes' });
          if (e.kind === 'withdraw') withdrawn = true;
          if (withdrawn) expect(next.state).not.toBe('registered');
          s = next;
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('a withdrawal leaves `registered` at once and ends a consent nothing was sent for', () => {
    const from = (state: ConsentState) => nextConsentStatus({ state, withdrawRequested: false }, { kind: 'withdraw' });
    expect(from('registered')).toEqual({ state: 'withdrawing', withdrawRequested: true });
    expect(from('calling')).toEqual({ state: 'withdrawn', withdrawRequested: true });
    expect(from('consented')).toEqual({ state: 'withdrawn', withdrawRequested: true });
    expect(from('registering')).toEqual({ state: 'registering', withdrawRequested: true });
    for (const s of ['declined', 'refused', 'withdrawn', 'cancelled-at-bank'] as const) expect(typeof from(s)).toBe('string');
    // remembered while the registration is on its way: the bank's yes makes it withdrawing, not registered
    expect(nextConsentStatus({ state: 'registering', withdrawRequested: true }, { kind: 'registration-answered', answer: 'yes' })).toEqual({ state: 'withdrawing', withdrawRequested: true });
    // every state is reachable from calling
    const seen = new Set<ConsentState>(['calling']);
    let frontier: ConsentStatus[] = [{ state: 'calling', withdrawRequested: false }];
    for (let round = 0; round < 8; round++) {
      const next: ConsentStatus[] = [];
      for (const s of frontier)
        for (const e of ALL_EVENTS) {
          const n = nextConsentStatus(s, e);
          if (typeof n !== 'string' && !seen.has(n.state)) (seen.add(n.state), next.push(n));
        }
      frontier = next;
    }
    expect([...seen].sort()).toEqual([...CONSENT_STATES].sort());
  });

  it('reads every kind of 2000/550 answer', () => {
    const read = (code: string, processed: string, errorCode = '', repeat = false) => readRegistrationAnswer(codes, SUCCESS, '004', code, { processed, errorCode }, repeat).kind;
    expect(read('0000', 'Y')).toBe('yes');
    expect(read('2028', 'N', '2028')).toBe('no'); // 주민번호 및 사업자번호 오류
    expect(read('2015', 'N', '2015')).toBe('no'); // 이중신청 (상이계좌): "unknown" in the table, but 처리여부 N says refused
    expect(read('0000', 'N', '2002')).toBe('no');
    expect(read('0001', '')).toBe('no'); // a request error with a blank body
    expect(read('0122', '')).toBe('no'); // a refusal in the header alone
    expect(read('0000', '')).toBe('unknown'); // success without 처리여부 is not a registration
    expect(read('7430', '')).toBe('unknown'); // processing
    expect(read('7142', '')).toBe('unknown'); // system failure
    expect(read('0122', 'Y')).toBe('unknown'); // Y under an error code is not a registration
    // a repeat answered "already registered, same account" means the first one got through
    expect(read('2005', 'N', '2005', true)).toBe('yes');
    expect(read('2005', 'N', '2005', false)).toBe('no');
    expect(read('2015', 'N', '2015', true)).toBe('no');
  });

  it('keeps a consent for the retention period after it ends, and masks phones', () => {
    expect(retainUntil(new Date('2026-03-01T10:00:00Z'), 5).toISOString()).toBe('2031-03-01T10:00:00.000Z');
    expect(maskPhoneNumber('01023456789')).toBe('010-****-6789');
    expect(maskPhoneNumber('0212345678')).toBe('02-****-5678');
    expect(maskPhoneNumber('0311234567')).toBe('031-***-4567');
  });
});

// ---- the routes' errors -------------------------------------------------------------------------

describe('the consent routes', () => {
  it('answer our errors as problems, and hand a bug on to the server’s error handler', async () => {
    const app = Fastify({ logger: false, ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } } });
    app.decorateRequest('caller', null as never);
    app.addHook('onRequest', async (req) => {
      req.caller = { service: SERVICE, maxAmount: new Decimal(1), keyId: 'test', scopes: [] };
    });
    const seen: unknown[] = [];
    app.setErrorHandler((e, _req, reply) => {
      seen.push(e);
      return reply.code(500).send({ code: 'FB_INTERNAL' });
    });
    const logs = captureLogs('debug');
    // A service that fails in the ways the routes must answer for (the flows' behaviour is tested below).
    const failing: ConsentService = {
      start: async () => {
        throw new Error('a bug');
      },
      get: async () => null,
      withdraw: async () => null as never,
      arsCallback: async () => {
        throw new ArsUnavailableError('the recording cannot be fetched now');
      },
      evidence: async () => null as never,
    };
    await app.register(consentRoutes(failing, logs.logger));
    const bug = await app.inject({ method: 'POST', url: '/v1/consents', payload: body() });
    expect(bug.statusCode).toBe(500);
    expect(seen.map((e) => (e as Error).message)).toEqual(['a bug']);
    const later = await app.inject({ method: 'POST', url: '/v1/ars/callback', headers: { 'content-type': 'application/json' }, payload: '{}' });
    expect(later.statusCode).toBe(503);
    expect(later.headers['retry-after']).toBe('30');
    expect(later.json()).toMatchObject({ code: 'FB_ARS_UNAVAILABLE' });
    expect(logs.lines().some((l) => l['event'] === 'consent.api-error')).toBe(true);
    await app.close();
  });
});

// ---- the flow, over real sockets --------------------------------------------------------------

const SERVICE = 'svc-consents';
const ARS_TOKEN = `ars-${randomBytes(8).toString('hex')}`;
const CALLBACK_SECRET = `cb-${randomBytes(16).toString('hex')}`;
/** The payer the simulated bank knows: 홍길동, 110123456789, 실명번호 800101. */
const ACCOUNT = '110123456789';
const ID_NO = '800101';
const WRONG_ID_NO = '991231';
const PHONE = '010-2345-6789';
const PHONE_DIGITS = '01023456789';
const REGISTRATION = 'payerRegistration.request';

/** Everything one database's tests run on: real simulators, a real link, queue, store, API. */
interface Harness {
  /** The database's URL (a SQLite path or a PostgreSQL URL). */
  readonly url: string;
  readonly ds: DataSource;
  readonly sql: Sql;
  readonly store: ConsentStore;
  readonly flow: ConsentFlow;
  readonly sim: BankSimulator;
  readonly ars: ArsSimulator;
  readonly link: BankLink;
  readonly evidence: FolderEvidenceStore;
  readonly evidenceDir: string;
  readonly api: FastifyInstance;
  readonly logs: ReturnType<typeof captureLogs>;
  /** Registrations wait (the `register` job says "not now") while this is true. */
  holdRegistrations: boolean;
  close(): Promise<void>;
}

async function harness(kind: 'sqlite' | 'postgres'): Promise<Harness> {
  const logs = captureLogs('debug', 'consents');
  const log = logs.logger;
  const db = await freshDatabase(kind);
  const ds = await openDatabase({ url: db.url });
  const sql = new Sql(ds);
  const store = new ConsentStore(ds, new SecretBox(randomBytes(32).toString('base64')));
  const sim = new BankSimulator({ codec: hecto, profile: hectoProfile });
  sim.faults.lateMs = 400;
  const ars = new ArsSimulator({ token: ARS_TOKEN, callbackSecret: CALLBACK_SECRET, delayMs: 30 });
  const arsPort = await ars.listen();
  const provider = new HttpArsProvider({ baseUrl: `http://127.0.0.1:${arsPort}`, token: ARS_TOKEN, callbackSecret: CALLBACK_SECRET, logger: log });
  const evidenceDir = mkdtempSync(join(tmpdir(), 'firmbank-evidence-'));
  const evidence = new FolderEvidenceStore(evidenceDir);
  const queue = new ConsentQueue('hecto', redisConnection('redis://127.0.0.1:6379'), `fbtest-consents-${randomBytes(4).toString('hex')}`, log, 50);
  // the server's validation settings (src/api/server.ts): nothing removed, nothing coerced
  const api = Fastify({ logger: false, ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } } });
  api.decorateRequest('caller', null as never);
  api.addHook('onRequest', async (req) => {
    const service = String(req.headers['x-service'] ?? SERVICE);
    req.caller = { service, maxAmount: new Decimal(1_000_000), keyId: 'test', scopes: [] };
  });
  let flow: ConsentFlow | undefined;
  const h: Harness = {
    url: db.url,
    ds,
    evidenceDir,
    sql,
    store,
    sim,
    ars,
    evidence,
    api,
    logs,
    holdRegistrations: false,
    get flow() {
      return flow!;
    },
    link: undefined as unknown as BankLink,
    async close() {
      await queue.obliterate().catch(() => undefined);
      await queue.close();
      h.link.close();
      await api.close();
      await ars.close();
      await sim.close();
      await ds.destroy();
      await db.drop();
    },
  };
  const service = consentServiceOf({ flowFor: () => h.flow, flowOf: (i) => (i === 'hecto' ? h.flow : undefined), store, ars: provider, logger: log });
  await api.register(consentRoutes(service, log));
  await api.listen({ host: '127.0.0.1', port: 0 });
  const apiPort = (api.server.address() as { port: number }).port;

  const simPort = await sim.listen();
  (h as { link: BankLink }).link = linkTo(simPort, { requestTimeoutMs: 800, logger: log, onNotice: (n, raw) => h.flow.payerCancelled(n, raw) });
  flow = new ConsentFlow({
    institution: { id: 'hecto', bankCode: '004', companyId: 'FIRM01', withdrawAccount: '12345678901234', requestTimeoutMs: 800, inquiryDelayMs: 30, inquiryMaxAttempts: 5, enforceHours: false },
    profile: hectoProfile,
    codec: hecto,
    link: h.link,
    codes,
    store,
    jobs: queue,
    ars: provider,
    evidence,
    // The collections flow's port, as it will answer: collections of the consent still `sending`.
    collections: {
      collectionsInFlight: async (consentId) => Number((await sql.rows(ds, `SELECT COUNT(*) AS n FROM transfers WHERE consent_id = $1 AND state = 'sending'`, [consentId]))[0]?.['n'] ?? 0),
    },
    settings: consentSettings({ companyName: '펌뱅크', callbackUrl: `http://127.0.0.1:${apiPort}/v1/ars/callback`, pollMs: 100, callTimeoutMs: 4_000, bankRetryMs: 50, bankMaxAttempts: 5, collectionWaitMs: 50 }),
    clock: () => new Date(),
    logger: log,
  });
  queue.start(
    {
      call: (id) => h.flow.placeCall(id),
      poll: (id) => h.flow.poll(id),
      register: async (id) => {
        if (h.holdRegistrations) throw new NotNowError('held by the test', 50);
        return h.flow.register(id);
      },
      cancel: (id) => h.flow.cancel(id),
    },
    8,
  );
  expect(await h.link.ready(5_000)).toBe(true);
  return h;
}

let payers = 0;
/** A payer number no other test uses (the bank keeps registrations by payer number). */
const payerNo = () => `P${Date.now().toString(36)}${(payers++).toString(36)}`.toUpperCase();

function body(over: Partial<ConsentInput> = {}): ConsentInput {
  return { requestId: randomUUID(), payerNumber: payerNo(), bankCode: '004', account: ACCOUNT, holderIdNo: ID_NO, phone: PHONE, ...over };
}

describe.each(['sqlite', 'postgres'] as const)('ARS consents and payer registration (%s)', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(kind);
  }, 30_000);
  afterAll(async () => {
    await h?.close();
  });

  const post = (payload: unknown, service = SERVICE) => h.api.inject({ method: 'POST', url: '/v1/consents', headers: { 'x-service': service }, payload: payload as object });
  const del = (id: string, service = SERVICE) => h.api.inject({ method: 'DELETE', url: `/v1/consents/${id}`, headers: { 'x-service': service } });
  const get = (id: string, service = SERVICE) => h.api.inject({ method: 'GET', url: `/v1/consents/${id}`, headers: { 'x-service': service } });
  const state = async (id: string) => (await h.store.get(id))!.state;
  const reaches = (id: string, s: ConsentState, ms = 10_000) => eventually(async () => (await state(id)) === s, ms);
  /** Starts a consent through the API; its id. */
  const start = async (over: Partial<ConsentInput> = {}, service = SERVICE): Promise<string> => {
    const res = await post(body(over), service);
    expect(res.statusCode, res.body).toBe(202);
    return res.json<{ id: string }>().id;
  };
  const registered = async (over: Partial<ConsentInput> = {}, service = SERVICE) => {
    const id = await start(over, service);
    await reaches(id, 'registered');
    return (await h.store.get(id))!;
  };
  /** The 2000/550 telegrams kept for a consent's payer, decoded, oldest first. */
  const registrationTelegrams = async (payer: string) => {
    const rows = await h.sql.rows(h.ds, `SELECT raw, at, transfer_id FROM telegrams WHERE message = $1 ORDER BY id`, [REGISTRATION]);
    return rows
      .map((r) => ({ raw: Buffer.from(r['raw'] as Uint8Array), at: readTime(r['at']), transferId: r['transfer_id'] }))
      .map((t) => ({ ...t, c: hectoProfile.fromWire('payerRegistration', 'request', hecto.decode(t.raw).fields) }))
      .filter((t) => String(t.c['payerNo']).trim() === payer);
  };

  it('keeps a confirmed call as evidence, then registers the payer at the bank (2000/550 신규, 동의자료 5)', async () => {
    const input = body();
    const res = await post(input);
    expect(res.statusCode).toBe(202);
    expect(res.headers['location']).toBe(`/v1/consents/${res.json<{ id: string }>().id}`);
    const view = res.json<{ id: string; state: string; phone: string; account: string }>();
    expect(view).toMatchObject({ state: 'calling', phone: '010-****-6789', account: '********6789' });
    await reaches(view.id, 'registered');

    const c = (await h.store.get(view.id))!;
    expect(c).toMatchObject({ arsOutcome: 'confirmed', bankAnswer: { code: '0000' }, applicationDate: kst(new Date()).date, retainUntil: null });
    // the evidence: the recording as the provider made it, its SHA-256, and the record beside it
    const e = c.evidence!;
    const recording = await h.evidence.get(e.recordingLocation);
    expect(recording.equals(simRecording(e.callId, { consentId: c.id, script: { company: '펌뱅크', bankName: '국민은행', accountMasked: '********6789', payerNumber: input.payerNumber } }, 'confirmed'))).toBe(true);
    expect(createHash('sha256').update(recording).digest('hex')).toBe(e.recordingSha256);
    const record = JSON.parse((await h.evidence.get(e.recordLocation)).toString('utf8')) as Record<string, unknown>;
    expect(record).toMatchObject({ consentId: c.id, phone: PHONE_DIGITS, consentType: '5', payerNumber: input.payerNumber, account: ACCOUNT, recording: { sha256: e.recordingSha256 } });
    expect(createHash('sha256').update(await h.evidence.get(e.recordLocation)).digest('hex')).toBe(e.recordSha256);

    // the bank has it as asked, and the telegram was kept before it was written, its 실명번호 overwritten
    expect(h.sim.payers.find('FIRM01', input.payerNumber)).toMatchObject({ state: 'registered', account: ACCOUNT, idNo: ID_NO, consentType: '5', applicationDate: kst(new Date()).date });
    const [sent, ...more] = await registrationTelegrams(input.payerNumber);
    expect(more).toEqual([]);
    expect(sent!.transferId ?? null).toBeNull();
    expect(sent!.c).toMatchObject({ action: '1', consentType: '5', checkIdNo: 'Y', bankCode: '004' });
    expect(sent!.raw.toString('latin1')).not.toContain(ID_NO);
    expect((await h.store.events(c.id)).map((x) => x.toState)).toEqual(['calling', 'consented', 'registering', 'registered']);

    // the same request again is the same consent; the GET shows it
    const again = await post(input);
    expect(again.statusCode).toBe(200);
    expect(again.json<{ id: string }>().id).toBe(c.id);
    expect((await get(c.id)).json()).toMatchObject({ id: c.id, state: 'registered', evidence: { recordingSha256: e.recordingSha256 } });
  });

  it('through every ARS fault: no consent without a confirmed, recorded call; a lost callback is polled, a duplicate changes nothing, an outage is waited out', async () => {
    const endings = [
      ['declined', 'declined'],
      ['hang-up', 'hung-up'],
      ['wrong-input', 'wrong-input'],
      ['timeout', 'no-answer'],
      ['fail', 'failed'],
    ] as const;
    for (const [fault, outcome] of endings) {
      h.ars.faults.arm(fault);
      const id = await start();
      await reaches(id, 'declined');
      const c = (await h.store.get(id))!;
      expect(c, fault).toMatchObject({ arsOutcome: outcome, evidence: null, bankAttempts: 0 });
      expect(c.endedAt).not.toBeNull();
      expect(c.retainUntil!.getUTCFullYear()).toBe(c.endedAt!.getUTCFullYear() + 5);
    }

    // the callback never comes: polling finds the result
    h.ars.faults.arm('callback-lost');
    const lost = await start();
    await reaches(lost, 'registered');
    expect(h.ars.callList().find((x) => x.consentId === lost)).toMatchObject({ delivery: 'lost', callbacksDelivered: 0 });

    // the callback comes twice: one consent, one registration
    h.ars.faults.arm('duplicate-callback');
    const twice = await start();
    await reaches(twice, 'registered');
    await eventually(() => h.ars.callList().find((x) => x.consentId === twice)!.callbacksDelivered === 2);
    const events = (await h.store.events(twice)).map((x) => x.toState);
    expect(events.filter((s) => s === 'consented')).toHaveLength(1);
    expect(events.filter((s) => s === 'registering')).toHaveLength(1);

    // the provider is down for the first starts: the call is placed once it is back, and only once
    h.ars.faults.arm('unavailable', 2);
    const outage = await start();
    await reaches(outage, 'registered', 15_000);
    expect(h.ars.callList().filter((x) => x.consentId === outage)).toHaveLength(1);
  });

  it('through every 2000/550 answer: Y registers; N refuses with the bank’s code; no answer is asked again by the same registration; not sent is retried', async () => {
    // N: the 실명번호 is not the holder's (the bank says 2028), and the payer number held for another account (2015)
    const wrongId = await start({ holderIdNo: WRONG_ID_NO });
    await reaches(wrongId, 'refused');
    expect((await h.store.get(wrongId))!.bankAnswer).toEqual({ code: '2028', message: '주민번호 및 사업자번호 오류' });
    const held = payerNo();
    h.sim.payers.register({ companyId: 'FIRM01', payerNo: held, bankCode: '004', account: '110987654321', idNo: '', consentType: '1', applicationDate: '' });
    const other = await start({ payerNumber: held });
    await reaches(other, 'refused');
    expect((await h.store.get(other))!.bankAnswer?.code).toBe('2015');
    // N armed: a refusal of the account; a request error in the header with a blank body
    for (const [fault, code] of [
      ['reject', '0122'],
      ['request-error', '0001'],
    ] as const) {
      h.sim.faults.arm(fault, { message: REGISTRATION });
      const id = await start();
      await reaches(id, 'refused');
      const c = (await h.store.get(id))!;
      expect(c.bankAnswer?.code, fault).toBe(code);
      expect(c.endedAt, fault).not.toBeNull();
    }

    // no word on it: answered later by sending the same registration again — one at a time, never two in flight
    for (const fault of ['no-answer', 'no-answer-unapplied', 'processing', 'system-error', 'disconnect-mid-frame'] as const) {
      h.sim.faults.arm(fault, { message: REGISTRATION });
      const input = body();
      const res = await post(input);
      const id = res.json<{ id: string }>().id;
      await reaches(id, 'registered', 15_000);
      const sent = await registrationTelegrams(input.payerNumber);
      expect(sent.length, fault).toBe(2);
      // the second only once the first is over: its answer, its connection lost, or its time (800 ms) up
      if (fault === 'no-answer' || fault === 'no-answer-unapplied') expect(sent[1]!.at.getTime() - sent[0]!.at.getTime(), fault).toBeGreaterThanOrEqual(700);
      expect((await h.store.events(id)).map((e) => e.toState), fault).toEqual(['calling', 'consented', 'registering', 'registering', 'registered']);
      expect((await h.store.get(id))!.bankAnswer?.code, fault).toBe('0000');
      expect(h.sim.payers.find('FIRM01', input.payerNumber)?.state, fault).toBe('registered');
    }

    // not sent: the bank cannot be reached for a while; the registration goes once it can
    h.sim.faults.refuseConnections = true;
    h.sim.dropConnections();
    const input = body();
    const id = (await post(input)).json<{ id: string }>().id;
    await reaches(id, 'consented');
    await new Promise((r) => setTimeout(r, 1_200));
    expect(await state(id)).toBe('consented');
    expect(await registrationTelegrams(input.payerNumber)).toEqual([]);
    h.sim.faults.refuseConnections = false;
    await reaches(id, 'registered', 20_000);
    expect(await registrationTelegrams(input.payerNumber)).toHaveLength(1);
  }, 90_000);

  it('DELETE from each state: before the bank nothing is sent; from registered a cancellation follows; a final state is a 409', async () => {
    // calling: withdrawn at once; the call's later result changes nothing
    h.ars.delayMs = 600;
    const calling = await start();
    await eventually(async () => (await h.store.get(calling))!.callId !== null); // the phone is ringing
    const r1 = await del(calling);
    h.ars.delayMs = 30;
    expect(r1.statusCode).toBe(200);
    expect(r1.json()).toMatchObject({ state: 'withdrawn' });
    await eventually(() => h.ars.callList().find((x) => x.consentId === calling)?.status === 'done');
    await new Promise((r) => setTimeout(r, 300));
    expect(await state(calling)).toBe('withdrawn');

    // consented: withdrawn without a telegram
    h.holdRegistrations = true;
    const consented = body();
    const consentedId = (await post(consented)).json<{ id: string }>().id;
    await reaches(consentedId, 'consented');
    expect((await del(consentedId)).json()).toMatchObject({ state: 'withdrawn' });
    h.holdRegistrations = false;
    await new Promise((r) => setTimeout(r, 300));
    expect(await state(consentedId)).toBe('withdrawn');
    expect(await registrationTelegrams(consented.payerNumber)).toEqual([]);

    // registering (its answer on its way): the wish is kept; the bank's yes makes it withdrawing, then withdrawn
    h.sim.faults.arm('late', { message: REGISTRATION });
    const registering = body();
    const registeringId = (await post(registering)).json<{ id: string }>().id;
    await reaches(registeringId, 'registering');
    const r3 = await del(registeringId);
    expect(r3.statusCode).toBe(202);
    expect(r3.json<{ withdrawRequestedAt: string | null }>().withdrawRequestedAt).not.toBeNull();
    await reaches(registeringId, 'withdrawn');
    expect((await h.store.events(registeringId)).map((e) => e.toState)).not.toContain('registered');
    expect(h.sim.payers.find('FIRM01', registering.payerNumber)?.state).toBe('cancelled');
    expect((await registrationTelegrams(registering.payerNumber)).map((t) => t.c['action'])).toEqual(['1', '2']);

    // registered: withdrawing at once (202), then the cancellation (2000/550 해지), then withdrawn
    const reg = await registered();
    const r4 = await del(reg.id);
    expect(r4.statusCode).toBe(202);
    expect(r4.json()).toMatchObject({ state: 'withdrawing' });
    await reaches(reg.id, 'withdrawn');
    expect(h.sim.payers.find('FIRM01', reg.payerNumber)?.state).toBe('cancelled');
    // withdrawn: asked again, nothing changes
    const r5 = await del(reg.id);
    expect(r5.statusCode).toBe(200);
    expect(r5.json()).toMatchObject({ state: 'withdrawn' });
    expect(await registrationTelegrams(reg.payerNumber)).toHaveLength(2);

    // declined, refused, cancelled at the bank: nothing to withdraw
    h.ars.faults.arm('declined');
    const declined = await start();
    await reaches(declined, 'declined');
    const refused = await start({ holderIdNo: WRONG_ID_NO });
    await reaches(refused, 'refused');
    const cancelled = await registered();
    await h.sim.pushPayerCancel(cancelled.payerNumber);
    for (const id of [declined, refused, cancelled.id]) {
      const r = await del(id);
      expect(r.statusCode).toBe(409);
      expect(r.json()).toMatchObject({ code: 'FB_CONSENT_STATE' });
    }
  }, 60_000);

  it('the bank’s 2000/650 ends the consent before it is acknowledged; one naming no consent is kept and acknowledged all the same', async () => {
    const c = await registered();
    await h.sim.pushPayerCancel(c.payerNumber); // resolves once our 2100/650 reached the bank
    const now = (await h.store.get(c.id))!;
    expect(now.state).toBe('cancelled-at-bank');
    expect(now.endedAt).not.toBeNull();
    const kept = await h.sql.rows(h.ds, 'SELECT consent_id, payer_number, cancels FROM consent_notices WHERE payer_number = $1', [c.payerNumber]);
    expect(kept).toHaveLength(1);
    expect(kept[0]!['consent_id']).toBe(c.id);
    // the payer number is free again: a new consent may be made for it
    expect((await post(body({ payerNumber: c.payerNumber }))).statusCode).toBe(202);

    const ghost = payerNo();
    h.sim.payers.register({ companyId: 'FIRM01', payerNo: ghost, bankCode: '004', account: '110987654321', idNo: '', consentType: '1', applicationDate: '' });
    await h.sim.pushPayerCancel(ghost);
    const unmatched = await h.sql.rows(h.ds, 'SELECT consent_id FROM consent_notices WHERE payer_number = $1', [ghost]);
    expect(unmatched).toHaveLength(1);
    expect(unmatched[0]!['consent_id'] ?? null).toBeNull();
    expect(h.logs.lines().some((l) => l['event'] === 'consent.cancel-notice-unmatched' && l['level'] === 'error')).toBe(true);
  });

  it('a withdrawal racing a collection: no collection is claimed after it, and the cancellation waits for the one in flight', async () => {
    const c = await registered();
    const collection = (id: string, state: string) =>
      h.sql.rows(
        h.ds,
        `INSERT INTO transfers (id, service, request_id, request_hash, institution, bank_code, company_id, withdraw_account, deposit_bank_code, deposit_account, amount, memo, recipient_name, state, inquiries, no_record_answers, needs_operator, created_at, updated_at, kind, consent_id, payer_number)
         VALUES ($1, $2, $3, 'h', 'hecto', '004', 'FIRM01', $4, '004', '12345678901234', 1000, '', '', $5, 0, 0, $6, $7, $7, 'collection', $8, $9)`,
        [id, SERVICE, id, c.account, state, false, new Date(), c.id, c.payerNumber],
      );
    const inFlight = randomUUID();
    const waiting = randomUUID();
    await collection(inFlight, 'sending');
    await collection(waiting, 'requested');

    expect(await h.store.collectable(SERVICE, 'hecto', { consentId: c.id })).toEqual({ consentId: c.id, payerNumber: c.payerNumber, account: ACCOUNT });
    expect(await h.store.collectable(SERVICE, 'hecto', { payerNumber: c.payerNumber })).toEqual({ consentId: c.id, payerNumber: c.payerNumber, account: ACCOUNT });
    expect(await h.store.collectable('svc-other', 'hecto', { consentId: c.id })).toEqual({ refused: 'no such consent of this service' });
    const r = await del(c.id);
    expect(r.statusCode).toBe(202);
    expect(await h.store.collectable(SERVICE, 'hecto', { payerNumber: c.payerNumber })).toEqual({ refused: 'the consent is withdrawing' });
    // the collections flow's claim, as it is written: nothing is claimed once the consent left `registered`
    const claimed = await h.sql.rows(
      h.ds,
      `UPDATE transfers SET state = 'sending' WHERE id = $1 AND state = 'requested' AND EXISTS (SELECT 1 FROM consents c WHERE c.id = $2 AND c.state = 'registered') RETURNING id`,
      [waiting, c.id],
    );
    expect(claimed).toEqual([]);

    // the cancellation waits while the collection is in flight
    await new Promise((res) => setTimeout(res, 600));
    expect(await state(c.id)).toBe('withdrawing');
    expect((await del(c.id)).statusCode).toBe(202); // asked again while withdrawing: the same
    expect(await registrationTelegrams(c.payerNumber)).toHaveLength(1);
    expect(h.sim.payers.find('FIRM01', c.payerNumber)?.state).toBe('registered');

    const answered = new Date();
    await h.sql.rows(h.ds, `UPDATE transfers SET state = 'succeeded' WHERE id = $1`, [inFlight]);
    await reaches(c.id, 'withdrawn');
    const [, cancel] = await registrationTelegrams(c.payerNumber);
    expect(cancel!.c['action']).toBe('2');
    expect(cancel!.at.getTime()).toBeGreaterThanOrEqual(answered.getTime());
    expect(h.sim.payers.find('FIRM01', c.payerNumber)?.state).toBe('cancelled');
  });

  it('bad input of every kind is a 4xx naming the field, and writes nothing', async () => {
    const taken = await registered();
    const first = body();
    expect((await post(first)).statusCode).toBe(202);
    const count = async () => Number((await h.sql.rows(h.ds, 'SELECT COUNT(*) AS n FROM consents', []))[0]!['n']);
    const before = await count();
    const cases: [unknown, number, string][] = [
      ...(['requestId', 'payerNumber', 'bankCode', 'account', 'holderIdNo', 'phone'] as const).map((f): [unknown, number, string] => {
        const b: Record<string, unknown> = { ...body() };
        delete b[f];
        return [b, 400, f];
      }),
      [{ ...body(), extra: 1 }, 400, 'extra'],
      [{ ...body(), requestId: '' }, 400, 'requestId'],
      [{ ...body(), requestId: 'x'.repeat(129) }, 400, 'requestId'],
      [{ ...body(), requestId: '요청' }, 400, 'requestId'],
      [{ ...body(), payerNumber: 'P'.repeat(21) }, 400, 'payerNumber'],
      [{ ...body(), payerNumber: '납부자1' }, 400, 'payerNumber'],
      [{ ...body(), bankCode: '04' }, 400, 'bankCode'],
      [{ ...body(), bankCode: '999' }, 400, 'bankCode'],
      [{ ...body(), bankCode: '088' }, 400, 'bankCode'],
      [{ ...body(), account: '110-123-456789' }, 400, 'account'],
      [{ ...body(), account: 110123456789 }, 400, 'account'],
      [{ ...body(), holderIdNo: '8001011' }, 400, 'holderIdNo'],
      [{ ...body(), holderIdNo: '801301' }, 400, 'holderIdNo'],
      [{ ...body(), holderIdNo: '8001011234567' }, 400, 'holderIdNo'],
      [{ ...body(), phone: '12345678901' }, 400, 'phone'],
      [{ ...body(), phone: '010-abcd-5678' }, 400, 'phone'],
      [{ ...body(), institution: 'nowhere', bankCode: 7 }, 400, 'bankCode'],
      [{ ...first, phone: '010-9999-8888' }, 409, 'requestId'],
      [{ ...first, holderIdNo: WRONG_ID_NO }, 409, 'requestId'],
      [{ ...first, account: '110987654321' }, 409, 'requestId'],
      [{ ...body(), payerNumber: taken.payerNumber }, 409, 'payerNumber'],
    ];
    for (const [payload, status, field] of cases) {
      const res = await post(payload);
      expect(res.statusCode, `${JSON.stringify(payload)}: ${res.body}`).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json<{ field?: string }>().field, res.body).toBe(field);
    }
    // another service's request id is its own: the same id is no conflict, but the payer number is taken
    expect((await post({ ...first, payerNumber: first.payerNumber }, 'svc-other')).json()).toMatchObject({ code: 'FB_PAYER_NUMBER_TAKEN', field: 'payerNumber' });
    const notJson = await h.api.inject({ method: 'POST', url: '/v1/consents', headers: { 'content-type': 'application/json' }, payload: '{"requestId":' });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json()).toMatchObject({ code: 'FB_BAD_REQUEST' });
    expect(await count()).toBe(before);

    // reading and withdrawing: a bad id, an unknown one, another service's
    expect((await get('not-an-id')).json()).toMatchObject({ status: 400, field: 'id' });
    expect((await get(randomUUID())).statusCode).toBe(404);
    expect((await get(taken.id, 'svc-other')).statusCode).toBe(404);
    expect((await del(taken.id, 'svc-other')).statusCode).toBe(404);
    expect((await del(randomUUID())).statusCode).toBe(404);
    expect(await state(taken.id)).toBe('registered');

    // the export's range
    for (const [query, field] of [
      ['from=2026-02-30&to=2026-03-01', 'from'],
      ['from=2026-03-02&to=2026-03-01', 'to'],
      ['from=2026-03-01', 'to'],
      ['from=2026-01-01&to=2026-06-30', 'to'],
      ['from=20260301&to=2026-03-01', 'from'],
    ] as const) {
      const res = await h.api.inject({ method: 'GET', url: `/v1/consents/evidence?${query}` });
      expect(res.statusCode, query).toBe(400);
      expect(res.json<{ field: string }>().field, query).toBe(field);
    }

    // the provider's callback: trusted by its signature only
    const callback = JSON.stringify({ callId: 'call_x', consentId: taken.id, outcome: 'declined', completedAt: new Date().toISOString() });
    for (const headers of [{}, { 'x-ars-signature': 't=1,v1=' + '0'.repeat(64) }, { 'x-ars-signature': signArsBody('another-secret', callback, new Date()) }]) {
      const res = await h.api.inject({ method: 'POST', url: '/v1/ars/callback', headers: { 'content-type': 'application/json', ...headers }, payload: callback });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'FB_ARS_CALLBACK' });
    }
    const unknown = JSON.stringify({ callId: 'call_y', consentId: randomUUID(), outcome: 'confirmed', completedAt: new Date().toISOString(), recordingId: 'rec_y' });
    const signed = await h.api.inject({ method: 'POST', url: '/v1/ars/callback', headers: { 'content-type': 'application/json', 'x-ars-signature': signArsBody(CALLBACK_SECRET, unknown, new Date()) }, payload: unknown });
    expect(signed.statusCode).toBe(204);
    expect(await state(taken.id)).toBe('registered');
    expect(await count()).toBe(before);
  });

  it('the id number and the phone are never in clear: not in the row, the API, the logs, the kept telegrams or the export CSV', async () => {
    const c = await registered({ phone: PHONE });
    const out = join(mkdtempSync(join(tmpdir(), 'firmbank-export-')), 'export');
    const today = kst(new Date()).date;
    await exportConsentEvidence({ from: today, to: today, out, service: SERVICE }, h.store, h.evidence);
    const secrets = [ID_NO, WRONG_ID_NO, PHONE, PHONE_DIGITS];
    // ids and hashes are hex: one may hold six digits of a birth date by chance
    const clean = (text: string) => text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '').replace(/[0-9a-f]{64}/g, '');
    /** The secrets in `text` (accounts are stored in clear, as transfers' are: only masked where shown). */
    const inClear = (text: string) => secrets.filter((s) => clean(text).includes(s));
    const rows = await h.sql.rows(h.ds, 'SELECT * FROM consents', []);
    expect(inClear(JSON.stringify(rows))).toEqual([]);
    expect(rows.find((r) => r['id'] === c.id)!['phone_masked']).toBe('010-****-6789');
    const telegrams = await h.sql.rows(h.ds, `SELECT raw FROM telegrams WHERE message = $1`, [REGISTRATION]);
    expect(inClear(telegrams.map((t) => Buffer.from(t['raw'] as Uint8Array).toString('latin1')).join('\n'))).toEqual([]);
    const notices = await h.sql.rows(h.ds, 'SELECT fields, raw FROM consent_notices', []);
    expect(inClear(notices.map((n) => String(n['fields']) + Buffer.from(n['raw'] as Uint8Array).toString('latin1')).join('\n'))).toEqual([]);
    const answers = [(await get(c.id)).body, (await del(c.id)).body, (await h.api.inject({ method: 'GET', url: `/v1/consents/evidence?from=${today}&to=${today}` })).body];
    expect(findClearSecrets(clean(answers.join('\n')), secrets)).toEqual([]);
    expect(inClear(readFileSync(join(out, 'consents.csv'), 'utf8'))).toEqual([]);
    expect(inClear(readFileSync(join(out, 'consents.json'), 'utf8'))).toEqual([]);
    // the one place the phone is in clear: the evidence record (the regulator needs it)
    expect(readFileSync(join(out, 'evidence', `${c.id}.json`), 'utf8')).toContain(PHONE_DIGITS);
    expect(findClearSecrets(clean(h.logs.text()), secrets)).toEqual([]);
  });

  it('exports the evidence of a date range: CSV, JSON and the recordings, SHA-256 matching (CLI), and the same list through the API', async () => {
    const service = `svc-export-${kind}`;
    const c = await registered({}, service);
    const declined = await (async () => {
      h.ars.faults.arm('declined');
      const id = await start({}, service);
      await reaches(id, 'declined');
      return id;
    })();
    const today = kst(new Date()).date;
    const out = join(mkdtempSync(join(tmpdir(), 'firmbank-export-')), 'export');
    const summary = await exportConsentEvidence({ from: today, to: today, out, service }, h.store, h.evidence);
    expect(summary).toMatchObject({ consents: 1, problems: [] });
    expect(statSync(out).mode & 0o777).toBe(0o700);
    expect(readdirSync(out).sort()).toEqual(['consents.csv', 'consents.json', 'evidence', 'recordings']);
    const doc = JSON.parse(readFileSync(join(out, 'consents.json'), 'utf8')) as { format: string; note: string; consents: Record<string, string>[] };
    expect(doc.format).toBe('firmbank-consent-export/1');
    expect(doc.note).toContain('FB0110');
    expect(doc.consents.map((x) => x['consentId'])).toEqual([c.id]);
    expect(doc.consents.map((x) => x['consentId'])).not.toContain(declined);
    const item = doc.consents[0]!;
    expect(item).toMatchObject({ account: ACCOUNT, phone: '010-****-6789', consentType: '5', recordingSha256: c.evidence!.recordingSha256, recordingFile: `recordings/${c.id}.wav` });
    for (const f of ['consents.csv', 'consents.json', item['recordingFile']!, item['evidenceFile']!]) expect(statSync(join(out, f)).mode & 0o777, f).toBe(0o600);
    expect(createHash('sha256').update(readFileSync(join(out, item['recordingFile']!))).digest('hex')).toBe(item['recordingSha256']);
    const csv = readFileSync(join(out, 'consents.csv'), 'utf8').trimEnd().split('\r\n');
    expect(csv[0]).toBe('consentId,service,requestId,institution,payerNumber,bankCode,account,phone,consentType,confirmedAt,callId,recordingId,recordingSha256,recordingFile,evidenceFile,state,registeredAt,endedAt,retainUntil');
    expect(csv).toHaveLength(2);
    expect(csv[1]).toContain(c.evidence!.recordingSha256);

    // formula-looking cells are quoted and prefixed, never run
    const formula = await registered({ payerNumber: `=HYPERLINK${payers++}` }, service);
    const out2 = join(mkdtempSync(join(tmpdir(), 'firmbank-export-')), 'export');
    await exportConsentEvidence({ from: today, to: today, out: out2, service }, h.store, h.evidence);
    expect(readFileSync(join(out2, 'consents.csv'), 'utf8')).toContain(`"'${formula.payerNumber}"`);
    // an export never goes into a folder that holds something
    await expect(exportConsentEvidence({ from: today, to: today, out: out2, service }, h.store, h.evidence)).rejects.toMatchObject({ code: 'FB_USAGE' });

    // the command itself, over the configured database (the export needs no secret: none is opened)
    const out3 = join(mkdtempSync(join(tmpdir(), 'firmbank-export-')), 'export');
    const env = { DATABASE_URL: h.url, FIRMBANK_DATA_DIR: mkdtempSync(join(tmpdir(), 'firmbank-data-')), FIRMBANK_SECRET_KEY: randomBytes(32).toString('base64') };
    const cli = await consentCommand('export', [], { from: today, to: today, out: out3, service, evidence: h.evidenceDir }, env);
    expect(cli).toEqual({ output: `2 consent(s) exported to ${out3} (consents.csv, consents.json, recordings/, evidence/)`, exitCode: 0 });
    await expect(consentCommand('import', [], { from: today, to: today, out: out3 }, env)).rejects.toMatchObject({ code: 'FB_USAGE' });
    await expect(consentCommand('export', [], { from: today, to: '2020-01-01', out: join(out3, 'x') }, env)).rejects.toMatchObject({ code: 'FB_USAGE', message: expect.stringContaining('--to') });
    // a recording changed since it was kept: exported, and said
    const tampered = join(h.evidenceDir, c.evidence!.recordingLocation);
    writeFileSync(tampered, Buffer.concat([readFileSync(tampered), Buffer.from('x')]));
    const out4 = join(mkdtempSync(join(tmpdir(), 'firmbank-export-')), 'export');
    const flagged = await consentCommand('export', [], { from: today, to: today, out: out4, service, evidence: h.evidenceDir }, env);
    expect(flagged.exitCode).toBe(3);
    expect(flagged.output).toContain(`consent ${c.id}: recording has SHA-256`);

    const api = await h.api.inject({ method: 'GET', url: `/v1/consents/evidence?from=${today}&to=${today}`, headers: { 'x-service': service } });
    expect(api.statusCode).toBe(200);
    expect(api.json<{ consents: Record<string, string>[] }>().consents.map((x) => [x['consentId'], x['account'], x['recordingSha256']])).toEqual([
      [c.id, '********6789', c.evidence!.recordingSha256],
      [formula.id, '********6789', formula.evidence!.recordingSha256],
    ]);
  });

  it('a consent left behind (no job queued) is picked up by the sweep', async () => {
    const input = body();
    const { consent } = await h.store.create({
      service: SERVICE,
      requestId: input.requestId,
      requestHash: 'h',
      institution: 'hecto',
      payerNumber: input.payerNumber,
      bankCode: '004',
      account: ACCOUNT,
      holderIdNo: ID_NO,
      phone: PHONE_DIGITS,
      phoneMasked: maskPhoneNumber(PHONE_DIGITS),
    });
    expect(consent.state).toBe('calling');
    await h.flow.recover(1, 0);
    await reaches(consent.id, 'registered');
  });

  it('the entities of migration 0009 are the tables it makes', async () => {
    const ds = new DataSource(
      kind === 'postgres'
        ? { type: 'postgres', url: (h.ds.options as { url: string }).url, entities: [...Object.values(ledgerEntities(kind)), ...Object.values(consentEntities(kind))], migrations: MIGRATIONS }
        : { type: 'better-sqlite3', database: (h.ds.options as { database: string }).database, entities: [...Object.values(ledgerEntities(kind)), ...Object.values(consentEntities(kind))], migrations: MIGRATIONS },
    );
    await ds.initialize();
    try {
      const queries = (await ds.driver.createSchemaBuilder().log()).upQueries.map((q) => q.query).filter((q) => /["`]consent(s|_events|_notices)["`]/.test(q));
      expect(queries).toEqual([]);
    } finally {
      await ds.destroy();
    }
  });
});
