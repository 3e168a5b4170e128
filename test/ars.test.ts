import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ARS_SIGNATURE_HEADER, signArsBody } from '../src/ars/ars-signature.js';
import { HttpArsProvider } from '../src/ars/http-ars-provider.js';
import { FolderEvidenceStore } from '../src/evidence/folder-evidence-store.js';
import { ArsCallbackError } from '../src/flows/ars-callback-error.js';
import type { ArsCallRequest, ArsCallResult, ArsOutcome } from '../src/flows/ars-port.js';
import { ArsProviderError } from '../src/flows/ars-provider-error.js';
import { ArsUnavailableError } from '../src/flows/ars-unavailable-error.js';
import { EvidenceConflictError } from '../src/flows/evidence-conflict-error.js';
import { EvidenceKeyError } from '../src/flows/evidence-key-error.js';
import { EvidenceMissingError } from '../src/flows/evidence-missing-error.js';
import { parseArsFault } from '../src/sim/ars-fault-plan.js';
import { simRecording } from '../src/sim/ars-recording.js';
import { ArsSimulator } from '../src/sim/ars-simulator.js';
import { captureLogs } from './helpers/log-capture.js';
import { ROOT } from './helpers/specs.js';
import { ensureBuilt, mode, withUmask } from './helpers/startup.js';

const TOKEN = 'ars-test-token';
const SECRET = 'ars-test-callback-secret';
const PHONE = '010-1234-5678';
const PHONE_DIGITS = '01012345678';

/** A callback as the receiver got it. */
interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly raw: Buffer;
}

const logs = captureLogs('debug', 'ars-sim');
const sim = new ArsSimulator({ token: TOKEN, callbackSecret: SECRET, delayMs: 20, logger: logs.logger });
let simPort = 0;
let provider: HttpArsProvider;
/** The tiny callback receiver: every POST kept, answered 200. */
const received: Received[] = [];
let receiver: Server;
let callbackUrl = '';
let consentSeq = 0;

beforeAll(async () => {
  simPort = await sim.listen(0, '127.0.0.1');
  provider = new HttpArsProvider({ baseUrl: `http://127.0.0.1:${simPort}`, token: TOKEN, callbackSecret: SECRET, timeoutMs: 2_000 });
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, raw: Buffer.concat(chunks) });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  callbackUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/ars/callback`;
});

afterAll(async () => {
  await sim.close();
  receiver.closeAllConnections();
  await new Promise((r) => receiver.close(r));
});

/** A call request of its own (a fresh consent id), with the test's callback URL unless `poll` only. */
function request(poll = false): ArsCallRequest {
  return {
    consentId: `consent-${++consentSeq}`,
    phone: PHONE,
    script: { company: '테스트상사', bankName: '국민은행', accountMasked: '******7890', payerNumber: 'P0001' },
    ...(poll ? {} : { callbackUrl }),
  };
}

async function control(method: 'GET' | 'POST', path: string, body?: unknown, token = TOKEN): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${simPort}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}` },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function arm(kind: string, count: number | 'always' = 1): Promise<void> {
  const r = await control('POST', '/control/faults', { kind, count });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined> | T | null | undefined, timeoutMs = 3_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== null && v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Polls `result()` until the call is done. */
const polled = (callId: string) => until(`the result of ${callId}`, () => provider.result(callId));

/** The callbacks received so far about `callId`, verified. */
function callbacksOf(callId: string): ArsCallResult[] {
  return received.map((r) => provider.verifyCallback(r.headers, r.raw)).filter((r) => r.callId === callId);
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Each test starts with no fault armed. */
const clearFaults = async () => {
  await control('POST', '/control/clear');
};

describe('ARS: the HTTP adapter against the simulator, over real sockets', () => {
  beforeEach(clearFaults);

  const cases: [fault: string | null, outcome: ArsOutcome, recorded: boolean][] = [
    [null, 'confirmed', true],
    ['declined', 'declined', true],
    ['hang-up', 'hung-up', true],
    ['wrong-input', 'wrong-input', true],
    ['timeout', 'no-answer', false],
    ['fail', 'failed', false],
  ];
  for (const [fault, outcome, recorded] of cases) {
    it(`${fault ?? 'no fault'}: ${outcome}, through polling and through the signed callback`, async () => {
      if (fault) await arm(fault);
      const req = request();
      const { callId } = await provider.startCall(req);
      const result = await polled(callId);
      expect(result).toMatchObject({ callId, consentId: req.consentId, outcome });
      expect(result.completedAt).toBeInstanceOf(Date);
      expect(result.recordingId !== undefined).toBe(recorded);
      const [callback, ...more] = await until('the callback', () => (callbacksOf(callId).length ? callbacksOf(callId) : null));
      expect(more).toEqual([]);
      expect(callback).toEqual(result);
    });
  }

  it('a call rings before it ends: result() is null while it is in progress', async () => {
    await control('POST', '/control/delay', { ms: 300 });
    try {
      const { callId } = await provider.startCall(request(true));
      expect(await provider.result(callId)).toBeNull();
      expect((await polled(callId)).outcome).toBe('confirmed');
    } finally {
      await control('POST', '/control/delay', { ms: 20 });
    }
  });

  it('duplicate-callback: the same result arrives twice (the flow must take the second as a no-op)', async () => {
    await arm('duplicate-callback');
    const { callId } = await provider.startCall(request());
    const both = await until('two callbacks', () => (callbacksOf(callId).length >= 2 ? callbacksOf(callId) : null));
    expect(both).toHaveLength(2);
    expect(both[0]).toEqual(both[1]);
    expect(both[0]!.outcome).toBe('confirmed');
  });

  it('callback-lost: nothing is POSTed, polling finds the result; faults of two lanes combine', async () => {
    await arm('declined');
    await arm('callback-lost');
    const { callId } = await provider.startCall(request());
    expect((await polled(callId)).outcome).toBe('declined');
    await new Promise((r) => setTimeout(r, 200));
    expect(callbacksOf(callId)).toEqual([]);
    const view = (await control('GET', '/control/calls')).json['calls'] as { callId: string; delivery: string; callbacksDelivered: number }[];
    expect(view.find((c) => c.callId === callId)).toMatchObject({ delivery: 'lost', callbacksDelivered: 0 });
  });

  it('startCall twice with the same consentId: the same call, one ring (also when the two race)', async () => {
    const req = request(true);
    const [a, b] = await Promise.all([provider.startCall(req), provider.startCall(req)]);
    const c = await provider.startCall(req);
    expect(b.callId).toBe(a.callId);
    expect(c.callId).toBe(a.callId);
    expect(sim.callList().filter((x) => x.consentId === req.consentId)).toHaveLength(1);
    // The same consent id for another request is the caller's bug: refused, not answered with another call.
    const other = provider.startCall({ ...req, phone: '010-9999-0000' });
    await expect(other).rejects.toBeInstanceOf(ArsProviderError);
    await expect(other).rejects.toMatchObject({ code: 'FB_ARS_PROVIDER', status: 409 });
  });

  it('unavailable: 503 is ArsUnavailableError; the retried start then rings once', async () => {
    await arm('unavailable', 2);
    const req = request(true);
    await expect(provider.startCall(req)).rejects.toBeInstanceOf(ArsUnavailableError);
    await expect(provider.startCall(req)).rejects.toMatchObject({ code: 'FB_ARS_UNAVAILABLE', message: expect.stringContaining('503') });
    const { callId } = await provider.startCall(req);
    expect((await polled(callId)).outcome).toBe('confirmed');
    expect(sim.callList().filter((x) => x.consentId === req.consentId)).toHaveLength(1);
  });

  it('a provider that cannot be reached, or does not answer in time, is unavailable; the phone number is in no message', async () => {
    const silent = createServer(() => {
      // never answers
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as { port: number }).port;
    let e1: unknown;
    try {
      const slow = new HttpArsProvider({ baseUrl: `http://127.0.0.1:${silentPort}`, token: TOKEN, callbackSecret: SECRET, timeoutMs: 150 });
      e1 = await slow.startCall(request()).catch((e: unknown) => e);
      expect(e1).toBeInstanceOf(ArsUnavailableError);
      expect((e1 as Error).message).toMatch(/no answer within 150 ms/);
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
    const gone = new HttpArsProvider({ baseUrl: `http://127.0.0.1:${silentPort}`, token: TOKEN, callbackSecret: SECRET, timeoutMs: 1_000 });
    const e2 = await gone.startCall(request()).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(ArsUnavailableError);
    expect((e2 as Error).message).toMatch(/ECONNREFUSED/);
    for (const e of [e1, e2] as Error[]) {
      expect(e.message).not.toContain(PHONE_DIGITS);
      expect(e.message).not.toContain(PHONE);
      expect(e.message).not.toMatch(/\n/);
    }
  });

  it('a refused token or an unknown call is ArsProviderError with the status', async () => {
    const wrong = new HttpArsProvider({ baseUrl: `http://127.0.0.1:${simPort}`, token: 'not-the-token', callbackSecret: SECRET });
    await expect(wrong.startCall(request())).rejects.toMatchObject({ code: 'FB_ARS_PROVIDER', status: 401 });
    await expect(provider.result('call_nope')).rejects.toMatchObject({ code: 'FB_ARS_PROVIDER', status: 404 });
    await expect(provider.recording('rec_nope')).rejects.toMatchObject({ code: 'FB_ARS_PROVIDER', status: 404 });
  });

  it('the control API wants the token and refuses faults it does not know', async () => {
    expect((await control('GET', '/control/calls', undefined, 'wrong')).status).toBe(401);
    for (const body of [{ kind: 'meteor' }, { kind: 'declined', count: 0 }, { kind: 'declined', count: 1.5 }, { kind: 'declined', count: 'abc' }]) {
      expect((await control('POST', '/control/faults', body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await control('POST', '/control/delay', { ms: 'slow' })).status).toBe(400);
    expect(parseArsFault('timeout:always')).toEqual({ kind: 'timeout', count: Infinity });
    expect(parseArsFault('duplicate-callback:3')).toEqual({ kind: 'duplicate-callback', count: 3 });
    expect(parseArsFault('timeout:0')).toBeNull();
    expect(parseArsFault('meteor')).toBeNull();
  });

  it('phone numbers: masked in the control API, in no log line in clear', async () => {
    const req = request();
    const { callId } = await provider.startCall(req);
    await polled(callId);
    const view = (await control('GET', '/control/calls')).json['calls'] as { callId: string; phone: string }[];
    expect(view.find((c) => c.callId === callId)?.phone).toBe('010-****-5678');
    expect(logs.text()).toContain(callId);
    expect(logs.text()).not.toContain(PHONE);
    expect(logs.text()).not.toContain(PHONE_DIGITS);
  });
});

describe('ARS callbacks: verifyCallback refuses what it cannot trust', () => {
  const body = Buffer.from(JSON.stringify({ callId: 'call_1', consentId: 'consent-x', outcome: 'confirmed', completedAt: '2025-01-02T03:04:05.000Z', recordingId: 'rec_1' }));
  const verify = (headers: Record<string, string | string[] | undefined>, raw: Buffer) => () => provider.verifyCallback(headers, raw);

  it('accepts a fresh signature of the raw body, whatever the header case', () => {
    expect(provider.verifyCallback({ [ARS_SIGNATURE_HEADER]: signArsBody(SECRET, body, new Date()) }, body)).toMatchObject({ callId: 'call_1', outcome: 'confirmed', recordingId: 'rec_1' });
    expect(provider.verifyCallback({ 'x-ars-signature': signArsBody(SECRET, body, new Date()) }, body).completedAt.toISOString()).toBe('2025-01-02T03:04:05.000Z');
  });

  it('a bad signature: another secret, a changed body, a malformed or missing header', () => {
    const changed = Buffer.from(body.toString().replace('confirmed', 'declined'));
    for (const [headers, raw] of [
      [{ 'x-ars-signature': signArsBody('another-secret', body, new Date()) }, body],
      [{ 'x-ars-signature': signArsBody(SECRET, body, new Date()) }, changed],
      [{ 'x-ars-signature': 'v1=abc' }, body],
      [{ 'x-ars-signature': `t=${Math.floor(Date.now() / 1000)}` }, body],
      [{}, body],
      [{ 'x-ars-signature': [signArsBody(SECRET, body, new Date()), signArsBody(SECRET, body, new Date())] }, body],
    ] as [Record<string, string | string[]>, Buffer][]) {
      expect(verify(headers, raw), JSON.stringify(headers)).toThrow(ArsCallbackError);
    }
  });

  it('a stale (or far-ahead) timestamp, even correctly signed: a replay', () => {
    const stale = signArsBody(SECRET, body, new Date(Date.now() - 6 * 60_000));
    expect(verify({ 'x-ars-signature': stale }, body)).toThrow(/stale or replayed/);
    expect(verify({ 'x-ars-signature': signArsBody(SECRET, body, new Date(Date.now() + 6 * 60_000)) }, body)).toThrow(ArsCallbackError);
    // Within the 5 minutes: accepted.
    expect(() => provider.verifyCallback({ 'x-ars-signature': signArsBody(SECRET, body, new Date(Date.now() - 4 * 60_000)) }, body)).not.toThrow();
  });

  it('a signed body that is not JSON, or not the protocol', () => {
    for (const text of ['not json', '[1,2]', '{"callId":"c","consentId":"k","outcome":"maybe","completedAt":"2025-01-01T00:00:00Z"}', '{"callId":"c","consentId":"k","outcome":"confirmed","completedAt":"2025-01-01T00:00:00Z"}', '{"callId":"c","consentId":"k","outcome":"declined","completedAt":"yesterday"}']) {
      const raw = Buffer.from(text);
      const e = (() => {
        try {
          provider.verifyCallback({ 'x-ars-signature': signArsBody(SECRET, raw, new Date()) }, raw);
        } catch (err) {
          return err;
        }
        return undefined;
      })();
      expect(e, text).toBeInstanceOf(ArsCallbackError);
      expect((e as ArsCallbackError).code).toBe('FB_ARS_CALLBACK');
    }
  });
});

describe('evidence: the recording kept in the folder store', () => {
  beforeEach(clearFaults);
  const base = mkdtempSync(join(tmpdir(), 'firmbank-evidence-'));

  it("the recording's SHA-256 is what the store says, and the store gives the same bytes back", async () => {
    const store = new FolderEvidenceStore(join(base, 'e1'));
    const req = request(true);
    const { callId } = await provider.startCall(req);
    const result = await polled(callId);
    const bytes = await provider.recording(result.recordingId!);
    // The simulator's recording is deterministic: a WAV header and the transcript of the call.
    expect(bytes).toEqual(simRecording(callId, req, 'confirmed'));
    expect(bytes.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect(bytes.toString('utf8')).not.toContain(PHONE_DIGITS);
    const key = `${req.consentId}-recording.wav`;
    const kept = await store.put(key, bytes);
    expect(kept.sha256).toBe(sha256(bytes));
    // Named by the key, the SHA-256 prefix before its extension, in a folder of the key's own.
    expect(kept.location).toBe(`${key}/${req.consentId}-recording.${kept.sha256.slice(0, 16)}.wav`);
    expect(sha256(readFileSync(join(base, 'e1', kept.location)))).toBe(kept.sha256);
    expect(await store.get(kept.location)).toEqual(bytes);
  });

  it('the same key and bytes again is a no-op; other bytes are refused, and the first stay', async () => {
    const dir = join(base, 'e2');
    const store = new FolderEvidenceStore(dir);
    const first = await store.put('consent-7', Buffer.from('first'));
    expect(await store.put('consent-7', Buffer.from('first'))).toEqual(first);
    // Concurrent puts of one key are serialised: one file, one answer.
    const [a, b] = await Promise.all([store.put('consent-8', Buffer.from('x')), store.put('consent-8', Buffer.from('x'))]);
    expect(a).toEqual(b);
    const other = store.put('consent-7', Buffer.from('second'));
    await expect(other).rejects.toBeInstanceOf(EvidenceConflictError);
    await expect(other).rejects.toMatchObject({ code: 'FB_EVIDENCE_CONFLICT', existing: first.location });
    expect(await store.get(first.location)).toEqual(Buffer.from('first'));
    expect(readdirSync(join(dir, 'consent-7'))).toEqual([first.location.split('/')[1]]);
  });

  it('refuses keys that could name a path, and locations it did not hand out', async () => {
    const store = new FolderEvidenceStore(join(base, 'e3'));
    for (const key of ['a/b', '../x', '..', 'a..b', 'a\\b', 'a\0b', '', 'x'.repeat(151)]) {
      await expect(store.put(key, Buffer.from('x')), JSON.stringify(key)).rejects.toBeInstanceOf(EvidenceKeyError);
    }
    for (const location of ['../../etc/passwd', '/etc/passwd', 'a/b.0123456789abcdef', '../a/a.0123456789abcdef', 'a/../a.0123456789abcdef', '.a/.a.0123456789abcdef', 'a/a', 'a/.0123456789abcdef']) {
      await expect(store.get(location), location).rejects.toMatchObject({ code: 'FB_EVIDENCE_KEY' });
    }
    await expect(store.get('a/a.0123456789abcdef')).rejects.toBeInstanceOf(EvidenceMissingError);
    // Other characters are kept, written so that no two keys share a name.
    const dotted = await store.put('consent.1', Buffer.from('x'));
    const spaced = await store.put('동의 1', Buffer.from('x'));
    expect(dotted.location).toBe(`consent.1/consent.${dotted.sha256.slice(0, 16)}.1`);
    expect((await store.put('.hidden', Buffer.from('x'))).location.startsWith('%2Ehidden/%2Ehidden.')).toBe(true);
    expect(spaced.location.split('/')[0]).toMatch(/^%[0-9A-F]{2}(%[0-9A-F]{2})+%201$/);
    expect(await store.get(spaced.location)).toEqual(Buffer.from('x'));
  });

  it('files are 0600 in 0700 folders whatever the umask, an existing store folder tightened, no temporary file left', async () => {
    const dir = join(base, 'e4');
    mkdirSync(dir, { mode: 0o755 });
    const kept = await withUmask(0o000, () => new FolderEvidenceStore(dir).put('consent-9', Buffer.from('audio')));
    expect(mode(dir)).toBe('700');
    expect(mode(join(dir, 'consent-9'))).toBe('700');
    expect(mode(join(dir, kept.location))).toBe('600');
    expect(statSync(join(dir, kept.location)).nlink).toBe(1);
    expect(readdirSync(join(dir, 'consent-9'))).toEqual([kept.location.split('/')[1]]);
  });
});

describe('firmbank ars-sim: its own process', () => {
  let child: ChildProcess | undefined;

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    }
  });

  it('starts, prints its line, answers calls and stops on SIGTERM', async () => {
    ensureBuilt();
    const proc = spawn(process.execPath, [join(ROOT, 'bin/firmbank.js'), 'ars-sim', '--port', '0', '--token', TOKEN, '--callback-secret', SECRET, '--delay', '10', '--fault', 'declined'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let out = '';
    let err = '';
    proc.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      proc.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /firmbank ars-sim: listening on 127\.0\.0\.1:(\d+)\n/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      proc.once('exit', (code) => reject(new Error(`ars-sim exited ${code}: ${out} ${err}`)));
    });
    // Both given: neither is echoed.
    expect(out).not.toContain(SECRET);
    const remote = new HttpArsProvider({ baseUrl: `http://127.0.0.1:${port}`, token: TOKEN, callbackSecret: SECRET });
    const first = await remote.startCall(request(true));
    const second = await remote.startCall(request(true));
    expect((await until('the first result', () => remote.result(first.callId))).outcome).toBe('declined');
    expect((await until('the second result', () => remote.result(second.callId))).outcome).toBe('confirmed');
    proc.kill('SIGTERM');
    expect(await new Promise((r) => proc.once('exit', r))).toBe(0);
    expect(err).not.toContain(PHONE);
    expect(err).not.toContain(PHONE_DIGITS);
  }, 120_000);

  it('refuses a fault it does not know with one line, exit 2', async () => {
    ensureBuilt();
    const proc = spawn(process.execPath, [join(ROOT, 'bin/firmbank.js'), 'ars-sim', '--port', '0', '--fault', 'meteor'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    proc.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise((r) => proc.once('exit', r));
    expect(code).toBe(2);
    expect(err).toMatch(/^firmbank: FB_USAGE: --fault meteor: expected KIND\[:COUNT\|always\]/);
    expect(err.trim().split('\n')).toHaveLength(1);
  }, 120_000);
});
