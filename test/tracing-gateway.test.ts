import { Decimal } from 'decimal.js';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../src/gateway/gateway.js';
import { startTracing, type TracingHandle } from '../src/tracing/start-tracing.js';
import { freshSqlite, startGateway, testConfig } from './helpers/gateway.js';
import { eventually } from './helpers/link.js';
import { findClearSecrets } from './helpers/log-capture.js';

const BODY = { bankCode: '088', account: '110123456789', amount: '15000', memo: '급여', recipientName: '홍길동' };
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

/**
 * One trace per transfer, through the real gateway (API, queue, link, ledger) with an in-memory exporter:
 * the span tree, the inquiry linked to it, and nothing in any span that should not leave the process.
 */
describe('tracing a transfer through the gateway', () => {
  let tracing: TracingHandle;
  let gw: Gateway;
  let key: string;
  let base: string;

  beforeAll(async () => {
    tracing = startTracing({ exporter: 'memory', serviceName: 'firmbank-test' });
    gw = await startGateway(testConfig(freshSqlite(), { requestTimeoutMs: 500, inquiryDelayMs: 50 }));
    key = await gw.apiKeys.create('payroll', new Decimal('5000000'), ['transfers']);
    base = `http://127.0.0.1:${gw.apiPort}`;
  }, 60_000);

  afterAll(async () => {
    await gw?.stop();
    await tracing?.shutdown();
  });

  const spans = () => tracing.memory!.getFinishedSpans();
  const parentOf = (s: ReadableSpan) => spans().find((p) => p.spanContext().spanId === s.parentSpanContext?.spanId);
  const post = (requestId: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/v1/transfers`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', prefer: 'wait=5', ...headers }, body: JSON.stringify({ requestId, ...BODY }) }).then(
      async (r) => (await r.json()) as { id: string; state: string },
    );

  /** The spans of one trace, and the accept span of the transfer in it, checked to sit under the API call's span. */
  const traceOf = (traceId: string, transferId: string) => {
    const inTrace = spans().filter((s) => s.spanContext().traceId === traceId);
    const named = (n: string) => inTrace.filter((s) => s.name === n);
    const server = named('POST /v1/transfers')[0]!;
    expect(server).toBeDefined();
    const accept = named('transfer.accept')[0]!;
    expect(accept.attributes['firmbank.transfer.id']).toBe(transferId);
    // accept sits under the request's span (through the handler's span).
    let up: ReadableSpan | undefined = accept;
    while (up && up !== server) up = parentOf(up);
    expect(up).toBe(server);
    return { named, server, accept };
  };

  it('one trace from the API call to the bank and the ledger, continuing the caller\'s trace', async () => {
    const t = await post('traced-1', { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` });
    expect(t.state).toBe('succeeded');
    await eventually(() => spans().some((s) => s.name === 'ledger.move' && s.spanContext().traceId === TRACE_ID && s.attributes['firmbank.transfer.state_to'] === 'succeeded'), 5_000);
    const { named, server, accept } = traceOf(TRACE_ID, t.id);
    expect(server.attributes['http.response.status_code']).toBe(201);

    // Sent at once by the process that accepted it: the send continues under the accept, without a job.
    expect(named('job.send')).toEqual([]);
    const send = named('transfer.send').find((s) => parentOf(s) === accept)!;
    expect(send.attributes['firmbank.transfer.id']).toBe(t.id);
    const link = named('link.request').find((s) => parentOf(s) === send)!;
    expect(link.attributes).toMatchObject({ 'firmbank.telegram.message': 'transfer.request', 'firmbank.outcome': 'answered', 'firmbank.response.code': '0000' });
    expect(link.attributes['firmbank.telegram.seq_no']).toMatch(/^\d{6}$/);
    const moved = named('ledger.move').filter((s) => s.attributes['firmbank.transfer.id'] === t.id).map((s) => s.attributes['firmbank.transfer.state_to']);
    expect(moved).toContain('succeeded');
  });

  it('a send handed to the queue (the bank was not reachable) continues the caller\'s trace in its job', async () => {
    const traceId = '5cf92f3577b34da6a3ce929d0e0e4737';
    const sim = gw.institutions.get('hecto')!.simulator!;
    sim.faults.refuseConnections = true;
    sim.dropConnections();
    const posted = post('traced-queued', { traceparent: `00-${traceId}-00f067aa0ba902b8-01` });
    // Longer than a request waits for its link (requestTimeoutMs): the send ends `not-sent` and is queued.
    await eventually(() => spans().some((s) => s.name === 'link.request' && s.spanContext().traceId === traceId && s.attributes['firmbank.outcome'] === 'not-sent'), 5_000);
    sim.faults.refuseConnections = false;
    const t = await posted;
    await eventually(async () => (await gw.ledger.get(t.id))?.state === 'succeeded', 10_000);
    await eventually(() => spans().some((s) => s.name === 'job.send' && s.spanContext().traceId === traceId), 5_000);
    const { named, accept } = traceOf(traceId, t.id);
    const job = named('job.send')[0]!;
    expect(parentOf(job)).toBe(accept); // the job continues the trace carried in its data
    const send = named('transfer.send').find((s) => parentOf(s) === job)!;
    expect(send.attributes['firmbank.transfer.id']).toBe(t.id);
    // (The send that got the answer may be this job's retry, or a sweep's job: a trace of its own.)
  });

  it('a later result inquiry is a trace of its own, linked to the transfer\'s', async () => {
    gw.institutions.get('hecto')!.simulator!.faults.arm('no-answer', { message: 'transfer.request' });
    const t = await post('traced-unknown');
    await eventually(async () => (await gw.ledger.get(t.id))?.state === 'succeeded', 10_000);
    await eventually(() => spans().some((s) => s.name === 'job.inquire' && s.attributes['firmbank.transfer.id'] === t.id), 5_000);
    const sendTrace = spans().find((s) => s.name === 'transfer.accept' && s.attributes['firmbank.transfer.id'] === t.id)!.spanContext().traceId;
    const inquiry = spans().find((s) => s.name === 'job.inquire' && s.attributes['firmbank.transfer.id'] === t.id)!;
    expect(inquiry.spanContext().traceId).not.toBe(sendTrace);
    expect(inquiry.links.map((l) => l.context.traceId)).toContain(sendTrace);
    const asked = spans().find((s) => s.name === 'transfer.inquire' && s.spanContext().traceId === inquiry.spanContext().traceId)!;
    expect(asked.attributes['firmbank.inquiry.number']).toBe(1);
  });

  it('no span, attribute or event carries an account number, a name, a memo or a key', async () => {
    await fetch(`${base}/v1/transfers?account=110123456789`, { headers: { authorization: `Bearer ${key}` } });
    await post('traced-bad', {}).catch(() => {});
    await fetch(`${base}/v1/transfers`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ requestId: 'bad', ...BODY, account: '110-12345-6789012' }) });
    const exported = JSON.stringify(spans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status, links: s.links })));
    expect(exported.length).toBeGreaterThan(1_000);
    expect(findClearSecrets(exported, [BODY.account, key, '110-12345-6789012', BODY.memo], [BODY.recipientName])).toEqual([]);
  });
});
