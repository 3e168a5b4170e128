import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Random } from './prng.js';

/** How the receiver treated one request. */
export type ReceiverAnswer = 'ok' | 'error-500' | 'throttled-429' | 'dropped' | 'slow';

/** One request as the receiver got it: the verdict checks these against the outbox and the endpoint's secret. */
export interface Receipt {
  readonly method: string;
  readonly path: string;
  /** Header names in lower case, as Node gives them. */
  readonly headers: Readonly<Record<string, string>>;
  /** The raw body, as many bytes as arrived (all of them when `complete`). */
  readonly body: Buffer;
  /** The receiver read the whole body: a request cut off by a dropped connection may not have arrived whole. */
  readonly complete: boolean;
  readonly answer: ReceiverAnswer;
  /** The status the receiver wrote, null when it wrote none (dropped, or too late for a closed connection). */
  readonly status: number | null;
  /** When the request was answered or given up (ms since the epoch): the verifier's clock for its signature. */
  readonly at: number;
}

/**
 * While failing, how often each answer comes: mostly fine, then 500s, 429s, dropped connections and
 * answers slower than the gateway's timeout. A quarter of the requests fail: enough that every run retries
 * many deliveries, few enough that a delivery rarely fails five times running (the gateway's
 * backoff doubles from 10 s: its next attempt would come minutes after the chaos is over).
 */
const FAILING_WEIGHTS: Readonly<Record<ReceiverAnswer, number>> = { ok: 75, 'error-500': 8, 'throttled-429': 5, dropped: 8, slow: 4 };

/**
 * A service's webhook endpoint for the chaos run: a real HTTP server on 127.0.0.1 that records every
 * request it gets (headers and raw body) in the order it answered them. While {@link failing}, it fails
 * at random, each request drawn from the run's seed: a 500, a 429, a dropped connection (before or after
 * reading the body), an answer held back past the gateway's webhook timeout. Once the run's faults are
 * cleared it answers every request 200, as a receiver that came back would.
 */
export class WebhookReceiver {
  readonly receipts: Receipt[] = [];
  failing = false;
  private readonly server: Server;

  /** @param timeoutMs the gateways' `webhooks.timeoutMs`: a slow answer comes later than that. */
  constructor(
    private readonly random: Random,
    private readonly timeoutMs: number,
  ) {
    this.server = createServer((req, res) => this.take(req, res));
  }

  /** Listens on a free port on 127.0.0.1; resolves with the URL to register. */
  listen(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(this.server.address() as { port: number }).port}/firmbank-events`));
    });
  }

  /** Stops at once: connections still open (a slow answer) are dropped. */
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private take(req: IncomingMessage, res: ServerResponse): void {
    // Drawn on arrival, in arrival order: the seed fixes the sequence of answers, timing which request gets which.
    const answer: ReceiverAnswer = this.failing ? this.random.weighted(FAILING_WEIGHTS) : 'ok';
    const cutEarly = answer === 'dropped' && this.random.chance(0.5);
    const slowMs = this.timeoutMs + this.random.int(500, 1_500);
    const chunks: Buffer[] = [];
    let complete = false;
    let kept = false;
    const keep = (status: number | null) => {
      if (kept) return;
      kept = true;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      this.receipts.push({ method: req.method ?? '', path: req.url ?? '', headers, body: Buffer.concat(chunks), complete, answer, status, at: Date.now() });
    };
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => {}); // the gateway gave up on it: recorded as cut off below
    req.socket.on('error', () => {});
    if (cutEarly) {
      // The connection goes before the body was read: the gateway's request errors out.
      keep(null);
      req.socket.destroy();
      return;
    }
    // The gateway closed the connection before the whole body came (its deadline, or it was killed).
    req.on('close', () => {
      if (!complete) keep(null);
    });
    req.on('end', () => {
      complete = true;
      switch (answer) {
        case 'ok':
          return this.answer(res, 200, keep);
        case 'error-500':
          return this.answer(res, 500, keep);
        case 'throttled-429':
          return this.answer(res, 429, keep);
        case 'dropped':
          keep(null);
          req.socket.destroy();
          return;
        case 'slow':
          // Answered 200 past the gateway's deadline, if the connection is still open (it should not be):
          // the service did get the event, the gateway counts the attempt as failed and sends it again.
          setTimeout(() => (req.socket.destroyed ? keep(null) : this.answer(res, 200, keep)), slowMs);
          return;
      }
    });
  }

  private answer(res: ServerResponse, status: number, keep: (status: number | null) => void): void {
    // Recorded before the answer is written: the order of receipts is the order of answers.
    keep(status);
    res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
    res.end(status === 200 ? '{"ok":true}' : '{"ok":false}');
  }
}

/** A request the receiver read whole and answered 2xx: the service has the event. */
export function isSuccess(r: Receipt): boolean {
  return r.complete && r.status !== null && r.status >= 200 && r.status <= 299;
}

/** What a receiver's requests add up to, for the report. */
export interface ReceiptTally {
  readonly requests: number;
  /** Cut off before the body was read whole. */
  readonly cutOff: number;
  /** Answered 2xx. */
  readonly answered: number;
  /** Not answered 2xx, by how the receiver failed them (`gone`: the gateway left before the answer). */
  readonly failed: Record<string, number>;
  /** Requests read whole for an event already read whole before: the service saw it again. */
  readonly duplicates: number;
  /** Of those, the ones for an event already answered 2xx: what a service must deduplicate on Firmbank-Event-Id. */
  readonly afterSuccess: number;
}

export function tallyReceipts(receipts: readonly Receipt[]): ReceiptTally {
  const failed: Record<string, number> = {};
  const whole = new Set<string>();
  const succeeded = new Set<string>();
  let duplicates = 0;
  let afterSuccess = 0;
  for (const r of receipts) {
    const id = r.headers['firmbank-event-id'] ?? '';
    if (r.complete && whole.has(id)) duplicates++;
    if (r.complete && succeeded.has(id)) afterSuccess++;
    if (r.complete) whole.add(id);
    if (isSuccess(r)) succeeded.add(id);
    else {
      // A request the receiver meant to answer 200 that never got it: the gateway went away mid-request.
      const why = r.answer === 'ok' ? 'gone' : r.answer;
      failed[why] = (failed[why] ?? 0) + 1;
    }
  }
  return { requests: receipts.length, cutOff: receipts.filter((r) => !r.complete).length, answered: receipts.filter(isSuccess).length, failed, duplicates, afterSuccess };
}
