import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { InMemorySpanExporter, ReadableSpan } from '@opentelemetry/sdk-trace-base';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { FirmbankError } from '../src/errors/firmbank-error.js';
import { currentTraceId } from '../src/tracing/current-trace-id.js';
import { fastifyTracingPlugin } from '../src/tracing/fastify-tracing.js';
import { injectContext, storedContext, withContext, type TraceCarrier } from '../src/tracing/job-context.js';
import { ALLOWED_ATTRIBUTE_KEYS, SPAN_ATTRIBUTES, setFacts } from '../src/tracing/span-attributes.js';
import { startTracing, type TracingHandle, type TracingSettings } from '../src/tracing/start-tracing.js';
import { spanLinks, withSpan } from '../src/tracing/with-span.js';

/** What must never reach an exporter: an account number, a holder's name, an API key, a password. */
const ACCOUNT = '1234567890123';
const NAME = '홍길동';
const API_KEY = 'fbk_live_s3cr3tKeyMaterial';
const PASSWORD = 'pw-s3cr3t-9';
const SECRETS = [ACCOUNT, NAME, API_KEY, PASSWORD];

const TRANSFER_ID = '3f2a1c4e-1234-4a5b-9c8d-0123456789ab';
const CALLER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';

let handle: TracingHandle | undefined;
let app: FastifyInstance | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
  await handle?.shutdown();
  handle = undefined;
});

function startMemory(settings: Partial<TracingSettings> = {}): InMemorySpanExporter {
  handle = startTracing({ exporter: 'memory', ...settings });
  if (handle.memory === undefined) throw new Error('memory exporter expected');
  return handle.memory;
}

function named(spans: ReadableSpan[], name: string): ReadableSpan {
  const found = spans.filter((s) => s.name === name);
  if (found.length !== 1) throw new Error(`expected one span named ${name}, found ${found.length} among ${spans.map((s) => s.name).join(', ')}`);
  return found[0]!;
}

/** The spans as an indented tree of names, children under their parent in start order; roots first. */
function tree(spans: ReadableSpan[]): string {
  const ids = new Set(spans.map((s) => s.spanContext().spanId));
  const byStart = [...spans].sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const s of byStart) {
      const p = s.parentSpanContext?.spanId;
      if ((parent === undefined ? p === undefined || !ids.has(p) : p === parent)) {
        lines.push(`${'  '.repeat(depth)}${s.name}`);
        walk(s.spanContext().spanId, depth + 1);
      }
    }
  };
  walk(undefined, 0);
  return lines.join('\n');
}

/** Everything an exporter is given that is not ids or times, as one string to search. */
function exported(spans: ReadableSpan[]): string {
  return JSON.stringify(
    spans.map((s) => ({ name: s.name, status: s.status, attributes: s.attributes, events: s.events, links: s.links.map((l) => l.attributes) })),
  );
}

function expectOnlyAllowedKeys(spans: ReadableSpan[]): void {
  const keys = spans.flatMap((s) => [
    ...Object.keys(s.attributes),
    ...s.events.flatMap((e) => Object.keys(e.attributes ?? {})),
    ...s.links.flatMap((l) => Object.keys(l.attributes ?? {})),
  ]);
  expect(keys.filter((k) => !ALLOWED_ATTRIBUTE_KEYS.has(k))).toEqual([]);
}

describe('withSpan', () => {
  it('nests: a span made inside another is its child, in the same trace', async () => {
    const memory = startMemory();
    const result = await withSpan('transfer.send', { transferId: TRANSFER_ID }, async () => {
      await new Promise((r) => setTimeout(r, 1)); // the active span survives an await
      return withSpan('link.request', { seqNo: '000123', message: '0200/100' }, async () => 'answered');
    });
    expect(result).toBe('answered');

    const spans = memory.getFinishedSpans();
    const outer = named(spans, 'transfer.send');
    const inner = named(spans, 'link.request');
    expect(inner.spanContext().traceId).toBe(outer.spanContext().traceId);
    expect(inner.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
    expect(outer.parentSpanContext).toBeUndefined();
    expect(inner.attributes).toEqual({ [SPAN_ATTRIBUTES.seqNo]: '000123', [SPAN_ATTRIBUTES.message]: '0200/100' });
    expect(outer.status.code).toBe(SpanStatusCode.UNSET);
    expect(outer.instrumentationScope.name).toBe('firmbank');
    expect(outer.resource.attributes['service.name']).toBe('firmbank');
  });

  it('records an exception, marks the span failed and rethrows the same error — without its message', async () => {
    const memory = startMemory();
    const error = new FirmbankError('FB_TEST_REFUSED', `account ${ACCOUNT} of ${NAME} refused`);
    await expect(withSpan('transfer.send', {}, () => Promise.reject(error))).rejects.toBe(error);
    const syncThrow = () => {
      throw new TypeError(`bad ${ACCOUNT}`);
    };
    await expect(withSpan('sync.throw', {}, syncThrow)).rejects.toThrow(TypeError);

    const span = named(memory.getFinishedSpans(), 'transfer.send');
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(span.events).toHaveLength(1);
    const event = span.events[0]!;
    expect(event.name).toBe('exception');
    expect(event.attributes?.['exception.type']).toBe('FB_TEST_REFUSED'); // the stable code, not the message
    expect(event.attributes?.['exception.message']).toBeUndefined();
    const stack = String(event.attributes?.['exception.stacktrace']);
    expect(stack).toMatch(/^\s+at /);
    expect(stack.split('\n').every((line) => /^\s+at /.test(line))).toBe(true);
    expect(named(memory.getFinishedSpans(), 'sync.throw').events[0]?.attributes?.['exception.type']).toBe('TypeError');
    expect(exported(memory.getFinishedSpans())).not.toMatch(new RegExp(`${ACCOUNT}|${NAME}|refused|bad`));
  });

  it('adds facts learnt on the way, and ignores properties that are no fact', async () => {
    const memory = startMemory();
    const facts = { transferId: TRANSFER_ID, account: ACCOUNT }; // a variable: TypeScript lets the extra property through
    await withSpan('transfer.answer', facts, (span) => setFacts(span, { responseCode: '0000', outcome: 'succeeded', stateFrom: 'sending', stateTo: 'succeeded' }));
    expect(named(memory.getFinishedSpans(), 'transfer.answer').attributes).toEqual({
      'firmbank.transfer.id': TRANSFER_ID,
      'firmbank.response.code': '0000',
      'firmbank.outcome': 'succeeded',
      'firmbank.transfer.state_from': 'sending',
      'firmbank.transfer.state_to': 'succeeded',
    });
  });
});

describe('trace context in job data', () => {
  it('inject → JSON → withContext continues the same trace after the span that queued the job has ended', async () => {
    const memory = startMemory();
    const queue: string[] = [];
    let apiTraceId: string | undefined;
    await withSpan('transfer.accept', { transferId: TRANSFER_ID }, async () => {
      apiTraceId = currentTraceId();
      queue.push(JSON.stringify({ kind: 'send', transferId: TRANSFER_ID, trace: injectContext() }));
    });
    expect(currentTraceId()).toBeUndefined(); // outside any span

    await new Promise((r) => setImmediate(r)); // the worker: another turn of the loop, no context of its own
    const job = JSON.parse(queue[0]!) as { transferId: string; trace: TraceCarrier };
    expect(Object.keys(job.trace)).toEqual(['traceparent']);
    let jobTraceId: string | undefined;
    await withContext(job.trace, () =>
      withSpan('job.send', { jobKind: 'send', attempt: 1 }, async () => {
        jobTraceId = currentTraceId();
      }),
    );

    const spans = memory.getFinishedSpans();
    const accept = named(spans, 'transfer.accept');
    const send = named(spans, 'job.send');
    expect(apiTraceId).toBe(accept.spanContext().traceId);
    expect(jobTraceId).toBe(apiTraceId);
    expect(send.spanContext().traceId).toBe(apiTraceId);
    expect(send.parentSpanContext?.spanId).toBe(accept.spanContext().spanId);
  });

  it('a later inquiry starts a trace of its own, linked to the transfer; a job without a carrier runs outside any trace', async () => {
    const memory = startMemory();
    let carrier: TraceCarrier = {};
    await withSpan('transfer.send', {}, async () => {
      carrier = JSON.parse(JSON.stringify(injectContext())) as TraceCarrier;
      // queued while the transfer's span is active, as flows queue the inquiry of an unknown result
      await withSpan('transfer.inquire', { inquiry: 1 }, async () => {}, { links: spanLinks(storedContext(carrier)), newTrace: true });
    });
    await withContext(undefined, () => withSpan('old.job', {}, async () => {}));
    await withContext(null as unknown as TraceCarrier, () => withSpan('odd.job', {}, async () => {}));

    const spans = memory.getFinishedSpans();
    const send = named(spans, 'transfer.send');
    const inquire = named(spans, 'transfer.inquire');
    expect(inquire.spanContext().traceId).not.toBe(send.spanContext().traceId);
    expect(inquire.parentSpanContext).toBeUndefined();
    expect(inquire.links.map((l) => [l.context.traceId, l.context.spanId])).toEqual([[send.spanContext().traceId, send.spanContext().spanId]]);
    expect(named(spans, 'old.job').parentSpanContext).toBeUndefined();
    expect(named(spans, 'odd.job').parentSpanContext).toBeUndefined();
    expect(storedContext({})).toBeUndefined();
    expect(storedContext({ traceparent: 'garbage' })).toBeUndefined();
    expect(spanLinks(undefined, storedContext({}))).toEqual([]);
  });

  it('keeps or drops a trace whole: with a ratio of 0 new traces are dropped, but a sampled parent is followed', async () => {
    const memory = startMemory({ sampleRatio: 0 });
    await withSpan('dropped', {}, async () => {});
    await withContext({ traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` }, () => withSpan('kept', {}, async () => {}));
    expect(memory.getFinishedSpans().map((s) => s.name)).toEqual(['kept']);
  });
});

describe('redaction', () => {
  it('exports only allow-listed attributes — of spans, events and links — and counts what it removed', async () => {
    const memory = startMemory();
    const linked = { traceId: CALLER_TRACE, spanId: CALLER_SPAN, traceFlags: 1 };
    await withSpan(
      `verify ${ACCOUNT}`,
      { institution: 'kftc-test' },
      (span) => {
        span.setAttribute('account', ACCOUNT);
        span.setAttribute('firmbank.name', NAME);
        span.setAttribute('firmbank.password', PASSWORD);
        span.setAttribute('url.query', `account=${ACCOUNT}`);
        span.setAttribute('url.full', `http://x/v1?name=${NAME}`);
        span.setAttribute('http.request.header.authorization', [`Bearer ${API_KEY}`]);
        span.setAttribute('http.request.body', JSON.stringify({ depositAccount: ACCOUNT }));
        span.setAttribute('url.path', `/v1/accounts/${ACCOUNT}/holder?name=${NAME}`);
        span.addEvent('answer', { [SPAN_ATTRIBUTES.responseCode]: '0000', recipientName: NAME });
        span.recordException(`holder ${NAME} does not match`);
      },
      { links: [{ context: linked, attributes: { account: ACCOUNT, [SPAN_ATTRIBUTES.transferId]: TRANSFER_ID } }] },
    );

    const spans = memory.getFinishedSpans();
    expectOnlyAllowedKeys(spans);
    for (const secret of SECRETS) expect(exported(spans)).not.toContain(secret);
    const span = spans[0]!;
    expect(span.name).toBe('verify *************');
    expect(span.attributes).toEqual({ 'firmbank.institution': 'kftc-test', 'url.path': '/v1/accounts/*************/holder' });
    expect(span.droppedAttributesCount).toBe(7);
    expect(span.events.map((e) => [e.name, e.attributes])).toEqual([
      ['answer', { 'firmbank.response.code': '0000' }],
      ['exception', {}],
    ]);
    expect(span.links[0]?.attributes).toEqual({ 'firmbank.transfer.id': TRANSFER_ID });
    expect(span.links[0]?.droppedAttributesCount).toBe(1);
  });
});

describe('Fastify', () => {
  /** An API shaped like ours: the plugin first, a hook and routes after it, a flow's span in a handler. */
  function buildApp(queue: string[]): FastifyInstance {
    const api = Fastify();
    void api.register(fastifyTracingPlugin()); // not awaited, as buildApi is synchronous
    api.addHook('onRequest', async (req) => {
      if (req.headers.authorization !== `Bearer ${API_KEY}`) throw Object.assign(new Error('no key'), { statusCode: 401 });
    });
    void api.register(async (routes) => {
      routes.post<{ Body: { depositAccount: string; recipientName: string; password: string } }>('/v1/transfers', async function acceptTransfer(req) {
        return withSpan('transfer.accept', { transferId: TRANSFER_ID, institution: 'kftc-test' }, async () => {
          queue.push(JSON.stringify({ kind: 'send', transferId: TRANSFER_ID, trace: injectContext() }));
          return { id: TRANSFER_ID, to: req.body.depositAccount.length };
        });
      });
      routes.get<{ Params: { id: string } }>('/v1/transfers/:id', async function getTransfer(req) {
        if (req.params.id !== TRANSFER_ID) throw new Error(`no transfer ${req.params.id} for ${NAME}`);
        return { id: TRANSFER_ID };
      });
      routes.get('/health', async () => ({ status: 'ok' }));
      routes.get('/healthz', async () => ({ status: 'ok' }));
      routes.get('/metrics', async () => 'up 1');
    });
    return api;
  }

  it('the span tree of one transfer: API request → handler → accept → (job data) → send → link request, ledger move; a later inquiry linked', async () => {
    const memory = startMemory();
    const queue: string[] = [];
    app = buildApp(queue);
    const res = await app.inject({
      method: 'POST',
      url: `/v1/transfers?account=${ACCOUNT}&name=${encodeURIComponent(NAME)}`,
      headers: { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`, authorization: `Bearer ${API_KEY}`, 'x-password': PASSWORD },
      payload: { depositAccount: ACCOUNT, recipientName: NAME, password: PASSWORD },
    });
    expect(res.statusCode).toBe(200);

    // The worker, later: the job's data is all it has.
    const job = JSON.parse(queue[0]!) as { transferId: string; trace: TraceCarrier };
    await withContext(job.trace, () =>
      withSpan('job.send', { queue: 'transfers-kftc-test-004', jobKind: 'send', attempt: 1, transferId: job.transferId }, async () => {
        await withSpan('link.request', { message: '0200/100', seqNo: '000123', sendDate: '20260301' }, async (span) => {
          setFacts(span, { responseCode: '0000', outcome: 'succeeded' });
        }, { kind: SpanKind.CLIENT });
        await withSpan('ledger.move', { stateFrom: 'sending', stateTo: 'succeeded' }, async () => {});
      }, { kind: SpanKind.CONSUMER }),
    );
    await withSpan('transfer.inquire', { transferId: job.transferId, inquiry: 1 }, async () => {}, { links: spanLinks(storedContext(job.trace)), newTrace: true });

    const spans = memory.getFinishedSpans();
    expect(tree(spans)).toBe(
      [
        'POST /v1/transfers',
        '  handler - acceptTransfer',
        '    transfer.accept',
        '      job.send',
        '        link.request',
        '        ledger.move',
        'transfer.inquire',
      ].join('\n'),
    );
    const server = named(spans, 'POST /v1/transfers');
    expect(server.kind).toBe(SpanKind.SERVER);
    expect(server.spanContext().traceId).toBe(CALLER_TRACE); // continues the caller's trace
    expect(server.parentSpanContext?.spanId).toBe(CALLER_SPAN);
    expect(server.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/v1/transfers', 'url.path': '/v1/transfers', 'http.response.status_code': 200 });
    const accept = named(spans, 'transfer.accept');
    for (const s of spans.filter((s) => s.name !== 'transfer.inquire')) expect(s.spanContext().traceId).toBe(CALLER_TRACE);
    expect(named(spans, 'transfer.inquire').links[0]?.context.spanId).toBe(accept.spanContext().spanId);
    expect(named(spans, 'link.request').attributes).toEqual({
      'firmbank.telegram.message': '0200/100',
      'firmbank.telegram.seq_no': '000123',
      'firmbank.telegram.send_date': '20260301',
      'firmbank.response.code': '0000',
      'firmbank.outcome': 'succeeded',
    });

    expectOnlyAllowedKeys(spans);
    for (const secret of SECRETS) expect(exported(spans)).not.toContain(secret);
  });

  it('records a failing handler without its message, cuts digit runs from the path, and traces no probe or scrape', async () => {
    const memory = startMemory();
    app = buildApp([]);
    const auth = { authorization: `Bearer ${API_KEY}` };
    expect((await app.inject({ url: `/v1/transfers/${ACCOUNT}?name=${encodeURIComponent(NAME)}`, headers: auth })).statusCode).toBe(500);
    expect((await app.inject({ url: `/v1/transfers/${TRANSFER_ID}`, headers: auth })).statusCode).toBe(200);
    for (const url of ['/health', '/healthz', '/metrics', '/metrics?x=1']) expect((await app.inject({ url, headers: auth })).statusCode).toBe(200);
    expect((await app.inject({ url: '/v1/transfers', headers: auth })).statusCode).toBe(404);
    expect((await app.inject({ url: `/v1/transfers/${TRANSFER_ID}` })).statusCode).toBe(401); // the span encloses the auth hook

    const spans = memory.getFinishedSpans();
    const requests = spans.filter((s) => s.kind === SpanKind.SERVER);
    expect(requests.map((s) => [s.name, s.attributes['url.path'], s.attributes['http.response.status_code']])).toEqual([
      ['GET /v1/transfers/:id', '/v1/transfers/*************', 500],
      ['GET /v1/transfers/:id', `/v1/transfers/${TRANSFER_ID}`, 200],
      ['GET', '/v1/transfers', 404],
      ['GET /v1/transfers/:id', `/v1/transfers/${TRANSFER_ID}`, 401],
    ]);
    expect(requests[0]?.status).toEqual({ code: SpanStatusCode.ERROR }); // @fastify/otel's message (the error's) removed
    expect(requests.every((s) => s.parentSpanContext === undefined)).toBe(true); // no traceparent: new traces
    expectOnlyAllowedKeys(spans);
    for (const secret of SECRETS) expect(exported(spans)).not.toContain(secret);
  });
});

describe('startTracing', () => {
  it("'none' installs nothing: no exporter, non-recording spans, nothing to carry, a plugin that does nothing", async () => {
    handle = startTracing(); // the default
    expect(handle.memory).toBeUndefined();
    await withSpan('anything', { transferId: TRANSFER_ID }, async (span) => {
      expect(span.isRecording()).toBe(false);
      expect(injectContext()).toEqual({});
      expect(currentTraceId()).toBeUndefined();
    });
    expect(trace.getTracer('x').startSpan('y').isRecording()).toBe(false);
    app = Fastify();
    await app.register(fastifyTracingPlugin());
    expect(app.hasRequestDecorator('opentelemetry')).toBe(false);
    await handle.shutdown();

    // 'none' holds nothing: tracing can still be started afterwards, and 'none' again alongside it.
    const memory = startMemory();
    expect(startTracing({ exporter: 'none' }).memory).toBeUndefined();
    await withSpan('recorded', {}, async () => {});
    expect(memory.getFinishedSpans().map((s) => s.name)).toEqual(['recorded']);
  });

  it('refuses a second start while one runs, starts again after shutdown, and checks its settings', async () => {
    const first = startMemory();
    expect(() => startTracing({ exporter: 'memory' })).toThrow(/already started/);
    await withSpan('first', {}, async () => {});
    expect(first.getFinishedSpans()).toHaveLength(1);
    const firstHandle = handle!;
    await firstHandle.shutdown();
    await firstHandle.shutdown(); // twice is fine

    const second = startMemory();
    await firstHandle.shutdown(); // an old handle does not stop the new tracing
    await withSpan('second', {}, async () => {});
    expect(second.getFinishedSpans().map((s) => s.name)).toEqual(['second']);
    expect(first.getFinishedSpans()).toEqual([]);
    await handle!.shutdown();
    handle = undefined;

    expect(() => startTracing({ exporter: 'memory', sampleRatio: 1.5 })).toThrow(RangeError);
    expect(() => startTracing({ exporter: 'memory', sampleRatio: Number.NaN })).toThrow(RangeError);
    expect(() => startTracing({ exporter: 'otlp', endpoint: 'ftp://collector/v1/traces' })).toThrow(RangeError);
    expect(() => startTracing({ exporter: 'otlp', endpoint: 'not a url' })).toThrow(RangeError);
  });

  describe('otlp', () => {
    let collector: Server | undefined;
    afterEach(async () => {
      await new Promise((r) => collector?.close(r) ?? r(undefined));
      collector = undefined;
    });

    it('batches spans to the collector and flushes them on shutdown, redacted', async () => {
      const received: { path: string | undefined; type: string | undefined; body: string }[] = [];
      collector = createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString('utf8')));
        req.on('end', () => {
          received.push({ path: req.url, type: req.headers['content-type'], body });
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        });
      });
      await new Promise<void>((r) => collector!.listen(0, '127.0.0.1', r));
      const { port } = collector.address() as AddressInfo;

      handle = startTracing({ exporter: 'otlp', endpoint: `http://127.0.0.1:${port}/v1/traces`, serviceName: 'firmbank-test' });
      await withSpan('flushed.on.shutdown', { transferId: TRANSFER_ID }, (span) => span.setAttribute('account', ACCOUNT));
      expect(received).toEqual([]); // batched: nothing sent yet
      await handle.shutdown();
      handle = undefined;

      expect(received).toHaveLength(1);
      expect(received[0]?.path).toBe('/v1/traces');
      expect(received[0]?.type).toMatch(/json/);
      const body = received[0]!.body;
      expect(body).toContain('flushed.on.shutdown');
      expect(body).toContain(TRANSFER_ID);
      expect(body).toContain('firmbank-test');
      expect(body).not.toContain(ACCOUNT);
    });
  });
});
