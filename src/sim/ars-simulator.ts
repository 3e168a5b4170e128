import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ARS_SIGNATURE_HEADER, signArsBody } from '../ars/ars-signature.js';
import { MAX_ID_LENGTH, type WireCallback, type WireCallStatus, type WireStartCall } from '../ars/ars-wire.js';
import { maskPhoneNumber } from '../domain/phone.js';
import type { ArsOutcome } from '../flows/ars-port.js';
import { errorDetails } from '../log/error-details.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { ArsFaultPlan, type ArsDelivery, type ArsFaultKind } from './ars-fault-plan.js';
import { isRecorded, simRecording } from './ars-recording.js';
import { SimUsageError } from './sim-usage-error.js';

export interface ArsSimulatorOptions {
  /** The bearer token every request (API and control) must carry. */
  readonly token: string;
  /** The key callbacks are signed with. */
  readonly callbackSecret: string;
  /** How long a call rings before it ends. Default 50 ms. */
  readonly delayMs?: number;
  /** Each callback POST must be answered within this time. Default 2,000 ms. */
  readonly callbackTimeoutMs?: number;
  readonly logger?: Logger;
}

/** A call as the control API and tests see it: the phone number masked. */
export interface ArsSimCallView {
  readonly callId: string;
  readonly consentId: string;
  /** Masked (`010-****-5678`). */
  readonly phone: string;
  readonly status: 'in-progress' | 'done';
  /** Decided when the call starts (by the fault plan), visible once it is done. */
  readonly outcome: ArsOutcome | null;
  readonly startedAt: string;
  readonly completedAt: string | null;
  readonly recordingId: string | null;
  readonly delivery: ArsDelivery | 'none';
  /** Callback POSTs answered 2xx. */
  readonly callbacksDelivered: number;
}

interface SimCall {
  readonly callId: string;
  readonly request: WireStartCall;
  /** The request as JSON, to tell a retried start from another call under the same consent id. */
  readonly requestJson: string;
  readonly outcome: ArsOutcome;
  readonly delivery: ArsDelivery;
  readonly startedAt: Date;
  completedAt?: Date;
  recordingId?: string;
  recording?: Buffer;
  callbacksDelivered: number;
}

/** Request bodies larger than this are refused (413). */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * An ARS provider on a real HTTP port, speaking the protocol of src/ars/http-ars-provider.ts: calls start
 * with `POST /calls`, "ring" for {@link delayMs}, then end as the fault plan says (by default the payer
 * presses 1 and the call is recorded); the result is polled with `GET /calls/:id` and POSTed, signed, to
 * the call's callbackUrl. The same consent id starts one call only, however often it is asked.
 *
 * A control API on the same port, behind the same token, for tests and the chaos runner:
 * `POST /control/faults {kind, count}` (count a positive integer or "always"), `POST /control/clear`,
 * `POST /control/delay {ms}`, `GET /control/calls`.
 *
 * Embeddable (`new ArsSimulator(options).listen(0)`) or its own process (`firmbank ars-sim`). Phone
 * numbers are never logged nor shown in clear.
 */
export class ArsSimulator {
  readonly faults = new ArsFaultPlan();
  /** How long a call rings before it ends (changeable while running). */
  delayMs: number;
  private readonly server: Server;
  private readonly log: Logger;
  private readonly calls = new Map<string, SimCall>();
  private readonly byConsent = new Map<string, SimCall>();
  private readonly byRecording = new Map<string, SimCall>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Aborts callback POSTs in flight when the simulator closes. */
  private readonly closing = new AbortController();

  constructor(private readonly options: ArsSimulatorOptions) {
    if (options.token === '' || options.callbackSecret === '') throw new RangeError('ArsSimulator: token and callbackSecret may not be empty');
    this.delayMs = options.delayMs ?? 50;
    this.log = options.logger ?? silentLogger;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        this.log.error('ars-sim.request.failed', errorDetails(e));
        if (!res.headersSent) send(res, 500, { error: 'internal error' });
        else res.destroy();
      });
    });
  }

  /** Starts listening; resolves with the port (useful with port 0). */
  listen(port = 0, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as { port: number }).port);
      });
    });
  }

  /** Stops listening, ends calls still ringing without a result, drops connections and callbacks in flight. */
  close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.closing.abort();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Every call started so far, oldest first, phone numbers masked. */
  callList(): ArsSimCallView[] {
    return [...this.calls.values()].map((c) => ({
      callId: c.callId,
      consentId: c.request.consentId,
      phone: maskPhone(c.request.phone),
      status: c.completedAt ? 'done' : 'in-progress',
      outcome: c.completedAt ? c.outcome : null,
      startedAt: c.startedAt.toISOString(),
      completedAt: c.completedAt?.toISOString() ?? null,
      recordingId: c.recordingId ?? null,
      delivery: c.request.callbackUrl === undefined ? 'none' : c.delivery,
      callbacksDelivered: c.callbacksDelivered,
    }));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://ars-sim').pathname;
    const control = path.startsWith('/control/');
    // An outage answers before anything else is looked at, as a provider's load balancer would.
    if (!control && this.faults.takeUnavailable()) return send(res, 503, { error: 'service unavailable (simulated)' });
    if (!this.authorized(req)) return send(res, 401, { error: 'unauthorized' });
    const body = await readBody(req);
    if (body === 'too-large') return send(res, 413, { error: `body larger than ${MAX_BODY_BYTES} bytes` });
    const route = `${req.method} ${path}`;
    const segments = path.split('/').slice(1);
    if (route === 'POST /calls') return this.startCall(body, res);
    if (req.method === 'GET' && segments.length === 2 && segments[0] === 'calls') return this.callStatus(decodeSegment(segments[1]!), res);
    if (req.method === 'GET' && segments.length === 2 && segments[0] === 'recordings') return this.recording(decodeSegment(segments[1]!), res);
    if (control) return this.control(route, body, res);
    return send(res, 404, { error: `no route ${route}` });
  }

  private authorized(req: IncomingMessage): boolean {
    const given = Buffer.from((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    const want = Buffer.from(this.options.token);
    return given.length === want.length && timingSafeEqual(given, want);
  }

  private startCall(body: Buffer, res: ServerResponse): void {
    const parsed = parseStartCall(body);
    if (typeof parsed === 'string') return send(res, 400, { error: parsed });
    const requestJson = JSON.stringify(parsed);
    const existing = this.byConsent.get(parsed.consentId);
    if (existing) {
      // A retried start: the same call, no second ring. Another request under the same consent id is a bug
      // of the caller, which must not be papered over by answering about a call it did not ask for.
      if (existing.requestJson !== requestJson) return send(res, 409, { error: 'this consentId already started a call with another request' });
      return send(res, 200, { callId: existing.callId });
    }
    const callId = `call_${randomUUID()}`;
    const call: SimCall = { callId, request: parsed, requestJson, outcome: this.faults.takeOutcome(), delivery: this.faults.takeDelivery(), startedAt: new Date(), callbacksDelivered: 0 };
    this.calls.set(callId, call);
    this.byConsent.set(parsed.consentId, call);
    this.log.info('ars-sim.call.ringing', { callId, consentId: parsed.consentId, phone: maskPhone(parsed.phone), delayMs: this.delayMs });
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.complete(call);
    }, this.delayMs);
    this.timers.add(timer);
    send(res, 201, { callId });
  }

  private complete(call: SimCall): void {
    call.completedAt = new Date();
    if (isRecorded(call.outcome)) {
      call.recordingId = call.callId.replace(/^call_/, 'rec_');
      call.recording = simRecording(call.callId, call.request, call.outcome);
      this.byRecording.set(call.recordingId, call);
    }
    this.log.info('ars-sim.call.completed', { callId: call.callId, consentId: call.request.consentId, outcome: call.outcome, recordingId: call.recordingId ?? null });
    if (call.request.callbackUrl === undefined) return;
    if (call.delivery === 'lost') {
      this.log.info('ars-sim.callback.lost', { callId: call.callId });
      return;
    }
    void this.deliver(call, call.delivery === 'twice' ? 2 : 1);
  }

  /** POSTs the result `times` times, one after the other (the same body, each freshly signed). */
  private async deliver(call: SimCall, times: number): Promise<void> {
    const payload: WireCallback = {
      callId: call.callId,
      consentId: call.request.consentId,
      outcome: call.outcome,
      completedAt: call.completedAt!.toISOString(),
      ...(call.recordingId !== undefined ? { recordingId: call.recordingId } : {}),
    };
    const body = JSON.stringify(payload);
    for (let i = 1; i <= times && !this.closing.signal.aborted; i++) {
      try {
        const res = await fetch(call.request.callbackUrl!, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [ARS_SIGNATURE_HEADER]: signArsBody(this.options.callbackSecret, body, new Date()) },
          body,
          redirect: 'manual',
          signal: AbortSignal.any([this.closing.signal, AbortSignal.timeout(this.options.callbackTimeoutMs ?? 2_000)]),
        });
        await res.body?.cancel().catch(() => undefined);
        if (res.ok) call.callbacksDelivered++;
        this.log.info('ars-sim.callback.sent', { callId: call.callId, attempt: i, status: res.status });
      } catch (e) {
        // A real provider would retry later; the simulator does not: polling is how a lost callback is found.
        this.log.warn('ars-sim.callback.failed', { callId: call.callId, attempt: i, ...errorDetails(e) });
      }
    }
  }

  private callStatus(callId: string, res: ServerResponse): void {
    const call = this.calls.get(callId);
    if (!call) return send(res, 404, { error: 'no such call' });
    const done = call.completedAt !== undefined;
    const status: WireCallStatus = {
      callId: call.callId,
      consentId: call.request.consentId,
      status: done ? 'done' : 'in-progress',
      outcome: done ? call.outcome : null,
      completedAt: call.completedAt?.toISOString() ?? null,
      recordingId: call.recordingId ?? null,
    };
    send(res, 200, status);
  }

  private recording(recordingId: string, res: ServerResponse): void {
    const bytes = this.byRecording.get(recordingId)?.recording;
    if (!bytes) return send(res, 404, { error: 'no such recording' });
    res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': bytes.length });
    res.end(bytes);
  }

  private control(route: string, raw: Buffer, res: ServerResponse): void {
    let body: Record<string, unknown> = {};
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      } catch {
        return send(res, 400, { error: 'body is not JSON' });
      }
    }
    try {
      switch (route) {
        case 'POST /control/faults': {
          const { kind, count = 1 } = body;
          // Kind and count are checked by ArsFaultPlan.arm (a SimUsageError is a 400 below).
          this.faults.arm(kind as ArsFaultKind, count === 'always' ? Infinity : (count as number));
          return send(res, 200, { armed: kind, faults: this.faults.list() });
        }
        case 'POST /control/clear':
          this.faults.clear();
          return send(res, 200, { cleared: true });
        case 'POST /control/delay': {
          const ms = body['ms'];
          if (!Number.isSafeInteger(ms) || (ms as number) < 0 || (ms as number) > 600_000) return send(res, 400, { error: `ms must be an integer from 0 to 600000, not ${JSON.stringify(ms)}` });
          this.delayMs = ms as number;
          return send(res, 200, { delayMs: this.delayMs });
        }
        case 'GET /control/calls':
          return send(res, 200, { calls: this.callList(), faults: this.faults.list() });
        default:
          return send(res, 404, { error: `no route ${route}` });
      }
    } catch (e) {
      if (e instanceof SimUsageError) return send(res, 400, { error: e.message });
      throw e;
    }
  }
}

/** The project's phone mask (`010-****-5678`), for a number as the caller wrote it (hyphens or not). */
function maskPhone(phone: string): string {
  return maskPhoneNumber(phone.replace(/\D/g, ''));
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A path segment as sent (percent-decoded); an undecodable one becomes a name no call has. */
function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return '';
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY_BYTES) return 'too-large';
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks, size);
}

const SCRIPT_FIELDS = ['company', 'bankName', 'accountMasked', 'payerNumber'] as const;

/** A `POST /calls` body as the protocol wants it, or why not (the reason never quotes the phone number). */
function parseStartCall(raw: Buffer): WireStartCall | string {
  let b: unknown;
  try {
    b = JSON.parse(raw.toString('utf8'));
  } catch {
    return 'body is not JSON';
  }
  if (typeof b !== 'object' || b === null || Array.isArray(b)) return 'body is not a JSON object';
  const { consentId, phone, script, callbackUrl } = b as Record<string, unknown>;
  if (typeof consentId !== 'string' || consentId === '' || consentId.length > MAX_ID_LENGTH || /[\x00-\x1f]/.test(consentId)) return 'consentId must be a non-empty id';
  if (typeof phone !== 'string' || !/^\+?[\d -]{8,20}$/.test(phone) || phone.replace(/\D/g, '').length < 8) return 'phone must be a phone number (8 digits or more)';
  if (typeof script !== 'object' || script === null) return 'script must be an object';
  const s = script as Record<string, unknown>;
  for (const f of SCRIPT_FIELDS) if (typeof s[f] !== 'string' || (s[f] as string).length > 100) return `script.${f} must be a string of 100 characters at most`;
  if (callbackUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = typeof callbackUrl === 'string' ? new URL(callbackUrl) : undefined;
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return 'callbackUrl must be an http(s) URL';
  }
  return {
    consentId,
    phone,
    script: { company: s['company'] as string, bankName: s['bankName'] as string, accountMasked: s['accountMasked'] as string, payerNumber: s['payerNumber'] as string },
    ...(typeof callbackUrl === 'string' ? { callbackUrl } : {}),
  };
}
