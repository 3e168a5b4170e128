import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { DeliveryAddress } from './endpoint-url.js';

/** One POST of one event to one endpoint. */
export interface DeliveryRequest {
  /** The endpoint, as returned by `checkEndpointUrl`. */
  readonly url: URL;
  /** Where to connect, from `resolveDeliveryAddress`: the host is not resolved again. */
  readonly address: DeliveryAddress;
  /** The JSON event, sent as it is (and signed as it is, by the caller). */
  readonly body: string;
  /** Signature, idempotency key, event type…; `content-type`, `content-length`, `host` and hop-by-hop headers are ours. */
  readonly headers: Readonly<Record<string, string>>;
  /** The whole delivery (connect, TLS, request, status and body) must fit in this time. */
  readonly timeoutMs: number;
  /** More response body than this is a failed delivery; the connection is dropped as soon as it is exceeded. */
  readonly maxResponseBytes: number;
  /** Certificates to trust for https instead of the system's (tests, a private CA). */
  readonly ca?: string | Buffer;
}

/** How a delivery went. `error` says why for anything not ok, in words for an operator. */
export interface DeliveryResult {
  /** A 2xx answer, read whole within the limits. */
  readonly ok: boolean;
  /** The HTTP status, when one arrived (even if the delivery failed afterwards); null otherwise. */
  readonly status: number | null;
  /** Worth another attempt later (network, timeout, TLS, 408/425/429/5xx, 3xx, oversize); false for other 4xx. */
  readonly retryable: boolean;
  readonly error: string | null;
  /** Time from the start of the delivery to its outcome. */
  readonly ms: number;
}

type Outcome = Omit<DeliveryResult, 'ms'>;

/** Headers the caller may not set: they describe the body we send, or the connection, which are ours. */
const OWN_HEADERS = new Set(['content-type', 'content-length', 'host', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'expect', 'te', 'trailer', 'proxy-connection']);

/** How much of an error answer's body is quoted in `error` (operators see why a receiver said no). */
const EXCERPT_BYTES = 200;

/**
 * Posts `req.body` to the endpoint and says how it went. Never throws (nor rejects) for anything the
 * remote end does: refused or reset connections, TLS failures, silence, a trickle, a flood, garbage
 * instead of HTTP all become a failed {@link DeliveryResult}.
 *
 * - Connects to `req.address` only: the host name is given to the socket through a `lookup` that always
 *   answers that address, so Host, TLS SNI and certificate checks still use the URL's host name while
 *   the name is never resolved again (that would undo the check of `resolveDeliveryAddress`: DNS
 *   rebinding). For the same reason no connection is pooled: a pool is keyed by host name, not address.
 * - Redirects are not followed (a 3xx could point anywhere, the internal network included): a failure,
 *   retryable, as the receiver may be moving.
 * - One deadline for all of it, not an idle timeout: a server that sends a byte a second would otherwise
 *   hold a dispatcher slot forever.
 * - At most `maxResponseBytes` of body are read (a declared `content-length` above it is refused before
 *   reading): a huge answer is a retryable failure, never a hang or an out-of-memory. Response headers are
 *   bounded by Node's parser (16 KiB).
 *
 * @throws RangeError (rejects) for a bad request (a caller bug): not http(s), a non-positive timeout, a
 *   negative limit, an IP-literal URL whose address is not `req.address`.
 */
export async function deliverWebhook(req: DeliveryRequest): Promise<DeliveryResult> {
  const https = req.url.protocol === 'https:';
  if (!https && req.url.protocol !== 'http:') throw new RangeError(`deliverWebhook: ${req.url.protocol} is not http: or https:`);
  if (!(req.timeoutMs > 0) || !Number.isFinite(req.timeoutMs)) throw new RangeError(`deliverWebhook: timeoutMs must be a positive number, got ${req.timeoutMs}`);
  if (!Number.isSafeInteger(req.maxResponseBytes) || req.maxResponseBytes < 0) throw new RangeError(`deliverWebhook: maxResponseBytes must be a non-negative integer, got ${req.maxResponseBytes}`);

  const { address, family } = req.address;
  const hostname = req.url.hostname.replace(/^\[(.*)\]$/, '$1');
  // An IP literal is connected to as it is (no lookup happens), so it must be the pinned address.
  if (isIP(hostname) && hostname !== address) throw new RangeError(`deliverWebhook: the URL's address ${hostname} is not the pinned ${address}`);
  const pinned: LookupFunction = (_host, options, callback) => {
    // net asks for all addresses when it races families (autoSelectFamily, on by default in Node 20).
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
  const headers: Record<string, string> = { 'user-agent': 'firmbank-webhooks/1' };
  for (const [name, value] of Object.entries(req.headers)) if (!OWN_HEADERS.has(name.toLowerCase())) headers[name] = value;
  headers['content-type'] = 'application/json';
  headers['content-length'] = String(Buffer.byteLength(req.body));
  const options: RequestOptions = {
    method: 'POST',
    hostname,
    port: req.url.port || (https ? 443 : 80),
    path: `${req.url.pathname}${req.url.search}`,
    headers,
    lookup: pinned,
    agent: false,
    maxHeaderSize: 16 * 1024,
    ...(https && req.ca !== undefined ? { ca: req.ca } : {}),
  };

  const started = performance.now();
  return new Promise<DeliveryResult>((resolve) => {
    let settled = false;
    let status: number | null = null;
    let response: IncomingMessage | undefined;
    let timer: NodeJS.Timeout | undefined;
    // Created below, synchronously; `finish` runs only from events and the timer, after that.
    let request: ClientRequest;

    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...outcome, ms: Math.round(performance.now() - started) });
      // Drop the connection whatever state it is in: nothing more is read from it.
      response?.destroy();
      request.destroy();
    };
    const failed = (error: string): Outcome => ({ ok: false, status, retryable: true, error });

    request = (https ? httpsRequest : httpRequest)(options, (res) => {
      response = res;
      status = res.statusCode ?? null;
      const declared = Number(res.headers['content-length']);
      if (declared > req.maxResponseBytes) return finish(failed(`the answer declares ${declared} bytes of body; at most ${req.maxResponseBytes} are read`));
      let received = 0;
      const excerpt: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > req.maxResponseBytes) return finish(failed(`the answer's body exceeds ${req.maxResponseBytes} bytes; stopped reading`));
        if (received - chunk.length < EXCERPT_BYTES) excerpt.push(chunk);
      });
      res.on('end', () => finish(judge(res, Buffer.concat(excerpt))));
      res.on('error', () => {}); // reported by 'close' below, with the state it leaves
      res.on('close', () => finish(res.complete ? judge(res, Buffer.concat(excerpt)) : failed(`the connection broke off during the answer (HTTP ${status})`)));
    });
    request.on('error', (e: NodeJS.ErrnoException) => finish(failed(describeFailure(e))));
    request.on('close', () => {
      if (!response) finish(failed('the connection closed without an answer'));
    });
    timer = setTimeout(() => finish(failed(`no complete answer within ${req.timeoutMs} ms${status === null ? '' : ` (HTTP ${status} arrived, its body did not)`}`)), req.timeoutMs);
    request.end(req.body);
  });
}

/** The outcome of a complete answer, by its status. */
function judge(res: IncomingMessage, body: Buffer): Outcome {
  const status = res.statusCode ?? 0;
  if (status >= 200 && status <= 299) return { ok: true, status, retryable: false, error: null };
  const said = quote(body);
  if (status >= 300 && status <= 399) {
    const to = typeof res.headers.location === 'string' ? ` to ${quote(Buffer.from(res.headers.location))}` : '';
    return { ok: false, status, retryable: true, error: `HTTP ${status}: redirect${to} not followed; register the URL it points to` };
  }
  if (status === 408 || status === 425 || status === 429 || (status >= 500 && status <= 599)) {
    return { ok: false, status, retryable: true, error: `HTTP ${status}${said ? `: ${said}` : ''}` };
  }
  if (status >= 400 && status <= 499) {
    return { ok: false, status, retryable: false, error: `HTTP ${status}: the endpoint refused the event; not retried${said ? `: ${said}` : ''}` };
  }
  return { ok: false, status, retryable: true, error: `HTTP ${status}: not a status a delivery can end with` };
}

/** A short, single-line, printable rendering of what a receiver sent (it may send anything). */
function quote(bytes: Buffer): string {
  // Control characters would break log lines and consoles; a receiver's error page is not trusted text.
  const text = bytes.subarray(0, EXCERPT_BYTES).toString('utf8').replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  return text ? JSON.stringify(bytes.length > EXCERPT_BYTES ? `${text}…` : text) : '';
}

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH)/;

/** Why a request failed before a complete answer, from Node's error. */
function describeFailure(e: NodeJS.ErrnoException): string {
  const code = e.code ?? 'no code';
  if (TLS_CODE.test(code)) return `TLS: ${e.message} (${code})`;
  if (code === 'HPE_HEADER_OVERFLOW') return `the answer's headers exceed 16 KiB (${code})`;
  if (code.startsWith('HPE_')) return `the answer is not valid HTTP (${code})`;
  if (code === 'ECONNREFUSED') return `connection refused (${e.message})`;
  if (code === 'ECONNRESET') {
    return e.message === 'socket hang up' ? 'the endpoint closed the connection without an answer (ECONNRESET)' : 'the connection was reset by the endpoint (ECONNRESET)';
  }
  return `${e.message} (${code})`;
}
