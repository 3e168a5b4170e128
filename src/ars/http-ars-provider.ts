import { ArsCallbackError } from '../flows/ars-callback-error.js';
import type { ArsCallRequest, ArsCallResult, ArsProvider } from '../flows/ars-port.js';
import { ArsProviderError } from '../flows/ars-provider-error.js';
import { ArsUnavailableError } from '../flows/ars-unavailable-error.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { scrubText } from '../log/mask-value.js';
import { ARS_SIGNATURE_HEADER, ARS_SIGNATURE_TOLERANCE_SECONDS, arsSignatureProblem } from './ars-signature.js';
import { readCallResult, type WireStartCall } from './ars-wire.js';

export interface HttpArsProviderOptions {
  /** The provider's API, e.g. `https://ars.example.com/v1` (the paths below are appended to it). */
  readonly baseUrl: string;
  /** Sent as `Authorization: Bearer <token>` on every request. */
  readonly token: string;
  /** The key the provider signs its callbacks with (HMAC-SHA256). */
  readonly callbackSecret: string;
  /** Each request, answer body included, must be done within this time. Default 5,000 ms. */
  readonly timeoutMs?: number;
  /** How old (or far ahead) a callback's timestamp may be. Default 300 s. */
  readonly toleranceSeconds?: number;
  /** A larger recording is refused (and not read past the limit). Default 20 MiB. */
  readonly maxRecordingBytes?: number;
  readonly logger?: Logger;
  /** The clock callbacks are checked against (tests). */
  readonly now?: () => Date;
}

/** A JSON answer larger than this is not the protocol. */
const MAX_JSON_BYTES = 64 * 1024;

/**
 * The {@link ArsProvider} over HTTP, with Node's fetch:
 *
 * - `POST {base}/calls` (JSON {consentId, phone, script, callbackUrl}) → `{callId}`; the provider keys
 *   the call by consentId, so a start retried after a timeout finds the call already made;
 * - `GET {base}/calls/:id` → `{status: 'in-progress'|'done', outcome, completedAt, recordingId}`;
 * - `GET {base}/recordings/:id` → the recording's bytes;
 * - callbacks signed `X-Ars-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 *
 * Every request carries the bearer token and a deadline. What cannot be reached, times out or answers
 * 5xx/408/429 is an {@link ArsUnavailableError} (try again later); any other refusal or an answer that is
 * not the protocol is an {@link ArsProviderError}. Messages are one line and never hold the phone number
 * (the request body is never quoted) nor the token.
 */
export class HttpArsProvider implements ArsProvider {
  private readonly base: string;
  private readonly origin: string;
  private readonly timeoutMs: number;
  private readonly toleranceSeconds: number;
  private readonly maxRecordingBytes: number;
  private readonly log: Logger;
  private readonly now: () => Date;

  /** @throws RangeError for options that cannot work (a bug or a configuration that was not validated). */
  constructor(private readonly options: HttpArsProviderOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new RangeError('HttpArsProvider: baseUrl is not a URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RangeError(`HttpArsProvider: baseUrl must be http: or https:, not ${url.protocol}`);
    if (options.token === '') throw new RangeError('HttpArsProvider: token may not be empty');
    if (options.callbackSecret === '') throw new RangeError('HttpArsProvider: callbackSecret may not be empty');
    this.timeoutMs = options.timeoutMs ?? 5_000;
    if (!(this.timeoutMs > 0 && Number.isFinite(this.timeoutMs))) throw new RangeError(`HttpArsProvider: timeoutMs must be a positive number, not ${this.timeoutMs}`);
    this.toleranceSeconds = options.toleranceSeconds ?? ARS_SIGNATURE_TOLERANCE_SECONDS;
    this.maxRecordingBytes = options.maxRecordingBytes ?? 20 * 1024 * 1024;
    this.base = url.href.replace(/\/+$/, '');
    // Errors name the provider by its origin only: a base URL may carry credentials or a tenant path.
    this.origin = url.origin;
    this.log = options.logger ?? silentLogger;
    this.now = options.now ?? (() => new Date());
  }

  /** {@inheritDoc ArsProvider.startCall} */
  async startCall(req: ArsCallRequest): Promise<{ readonly callId: string }> {
    const body: WireStartCall = { consentId: req.consentId, phone: req.phone, script: req.script, ...(req.callbackUrl !== undefined ? { callbackUrl: req.callbackUrl } : {}) };
    const what = 'POST /calls';
    const res = await this.request(what, '/calls', { method: 'POST', body: JSON.stringify(body) });
    const answer = await this.json(what, res);
    const callId = answer['callId'];
    if (typeof callId !== 'string' || callId === '') throw new ArsProviderError(`${what} at ${this.origin}: the answer has no callId`, res.status);
    // 201: a new call rings; 200: the provider already had one for this consent (a retried start).
    this.log.info('ars.call.started', { consentId: req.consentId, callId, created: res.status === 201 });
    return { callId };
  }

  /** {@inheritDoc ArsProvider.result} */
  async result(callId: string): Promise<ArsCallResult | null> {
    const what = 'GET /calls/:id';
    const res = await this.request(what, `/calls/${encodeURIComponent(callId)}`, { method: 'GET' });
    const answer = await this.json(what, res);
    if (answer['status'] === 'in-progress') return null;
    if (answer['status'] !== 'done') throw new ArsProviderError(`${what} at ${this.origin}: status ${JSON.stringify(answer['status'])} is neither in-progress nor done`, res.status);
    const read = readCallResult(answer);
    if ('problem' in read) throw new ArsProviderError(`${what} at ${this.origin}: ${read.problem}`, res.status);
    if (read.result.callId !== callId) throw new ArsProviderError(`${what} at ${this.origin}: asked about call ${callId}, answered about ${read.result.callId}`, res.status);
    return read.result;
  }

  /** {@inheritDoc ArsProvider.recording} */
  async recording(recordingId: string): Promise<Buffer> {
    const what = 'GET /recordings/:id';
    const res = await this.request(what, `/recordings/${encodeURIComponent(recordingId)}`, { method: 'GET' });
    const bytes = await this.read(what, res, this.maxRecordingBytes);
    // An empty recording proves nothing: it must not become evidence.
    if (bytes.length === 0) throw new ArsProviderError(`${what} at ${this.origin}: recording ${recordingId} is empty`, res.status);
    return bytes;
  }

  /** {@inheritDoc ArsProvider.verifyCallback} */
  verifyCallback(headers: Readonly<Record<string, string | string[] | undefined>>, rawBody: Buffer): ArsCallResult {
    const header = headerValue(headers, ARS_SIGNATURE_HEADER);
    if (Array.isArray(header)) throw new ArsCallbackError(`${ARS_SIGNATURE_HEADER} given ${header.length} times`);
    const problem = arsSignatureProblem(header, rawBody, this.options.callbackSecret, this.now(), this.toleranceSeconds);
    if (problem !== null) throw new ArsCallbackError(problem);
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(rawBody));
    } catch {
      throw new ArsCallbackError('the body is not UTF-8 JSON');
    }
    const read = readCallResult(body);
    if ('problem' in read) throw new ArsCallbackError(read.problem);
    return read.result;
  }

  /** One request with the token and the deadline; unreachable, slow and 5xx answers become ArsUnavailableError. */
  private async request(what: string, path: string, init: { method: 'GET' | 'POST'; body?: string }): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.token}`, accept: 'application/json' };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method: init.method,
        headers,
        ...(init.body !== undefined ? { body: init.body } : {}),
        // A redirect could lead the token and the phone number anywhere: it is an answer, not a hop.
        redirect: 'manual',
        // The same signal bounds reading the body (see read), not only the headers.
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new ArsUnavailableError(`${what} at ${this.origin}: ${this.networkReason(e)}`);
    }
    if (res.status >= 500 || res.status === 408 || res.status === 429) {
      await res.body?.cancel().catch(() => undefined);
      throw new ArsUnavailableError(`${what} at ${this.origin}: answered ${res.status}`);
    }
    if (res.status < 200 || res.status > 299) {
      const said = await this.errorText(res);
      throw new ArsProviderError(`${what} at ${this.origin}: answered ${res.status}${said ? ` (${said})` : ''}`, res.status);
    }
    return res;
  }

  /** The answer as a JSON object, or ArsProviderError. */
  private async json(what: string, res: Response): Promise<Record<string, unknown>> {
    const bytes = await this.read(what, res, MAX_JSON_BYTES);
    try {
      const value: unknown = JSON.parse(bytes.toString('utf8'));
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // Reported below.
    }
    throw new ArsProviderError(`${what} at ${this.origin}: the answer is not a JSON object`, res.status);
  }

  /** The body, at most `limit` bytes (more is refused without reading on), within the request's deadline. */
  private async read(what: string, res: Response, limit: number): Promise<Buffer> {
    const declared = Number(res.headers.get('content-length'));
    if (declared > limit) {
      await res.body?.cancel().catch(() => undefined);
      throw new ArsProviderError(`${what} at ${this.origin}: the answer is ${declared} bytes, more than ${limit}`, res.status);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      if (res.body) {
        for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
          size += chunk.length;
          // Throwing out of the loop cancels the stream: nothing more is read.
          if (size > limit) {
            throw new ArsProviderError(`${what} at ${this.origin}: the answer is more than ${limit} bytes`, res.status);
          }
          chunks.push(Buffer.from(chunk));
        }
      }
    } catch (e) {
      if (e instanceof ArsProviderError) throw e;
      throw new ArsUnavailableError(`${what} at ${this.origin}: reading the answer: ${this.networkReason(e)}`);
    }
    return Buffer.concat(chunks, size);
  }

  /** What a refusing provider said, if it said it as `{"error": "…"}`: one line, scrubbed, short. */
  private async errorText(res: Response): Promise<string> {
    try {
      const bytes = await this.read('error answer', res, 4096);
      const error = (JSON.parse(bytes.toString('utf8')) as { error?: unknown }).error;
      // The provider may quote what we sent; scrubText masks a phone-number-like digit run among others.
      return typeof error === 'string' ? scrubText(error.replace(/\s+/g, ' ')).slice(0, 200) : '';
    } catch {
      return '';
    }
  }

  private networkReason(e: unknown): string {
    const err = e as { name?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } } | null;
    if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return `no answer within ${this.timeoutMs} ms`;
    // fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, a TLS error) is its cause.
    const cause = err?.cause;
    if (typeof cause?.code === 'string') return cause.code;
    const message = typeof cause?.message === 'string' ? cause.message : typeof err?.message === 'string' ? err.message : String(e);
    return scrubText(message.replace(/\s+/g, ' ')).slice(0, 200);
  }
}

/** A header by name whatever its case (Node lower-cases them, a framework or a test may not). */
function headerValue(headers: Readonly<Record<string, string | string[] | undefined>>, name: string): string | string[] | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lower) return v;
  return undefined;
}
