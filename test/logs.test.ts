import { EventEmitter } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { Queue } from 'bullmq';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { maskText } from '../src/codec/mask.js';
import { errorDetails } from '../src/log/error-details.js';
import { currentLogContext, runWithLogContext } from '../src/log/log-context.js';
import { logErrorsOf } from '../src/log/log-errors-of.js';
import { isLogLevel, jsonLogger, silentLogger } from '../src/log/logger.js';
import { maskAccount, maskName, scrubText } from '../src/log/mask-value.js';
import { MASK_RULE_OF, MASKED_KEYS, type MaskRule } from '../src/log/masked-keys.js';
import { logProcessFaults } from '../src/log/process-faults.js';
import { captureLogs, findClearSecrets } from './helpers/log-capture.js';
import { ROOT } from './helpers/specs.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('line shape', () => {
  it('writes one JSON object per line: level as a word, ISO time, component, event, then the details', () => {
    const c = captureLogs('debug', 'gateway');
    c.logger.info('link.connected', { link: 'hecto#1', attempt: 2 });
    c.logger.warn('link.disconnected');
    expect(c.text().split('\n')).toHaveLength(3); // two lines and the final newline
    const [first, second] = c.lines();
    expect(Object.keys(first!)).toEqual(['level', 'time', 'component', 'event', 'link', 'attempt']);
    expect(first).toMatchObject({ level: 'info', component: 'gateway', event: 'link.connected', link: 'hecto#1', attempt: 2 });
    expect(first!['time']).toMatch(ISO);
    expect(second).toMatchObject({ level: 'warn', event: 'link.disconnected' });
  });

  it('keeps the old signature: jsonLogger(component, stream)', () => {
    const c = captureLogs();
    const chunks: string[] = [];
    const log = jsonLogger('send', { write: (s: string) => chunks.push(s) } as unknown as NodeJS.WritableStream);
    log.error('send.failed', { id: 1 });
    expect(JSON.parse(chunks.join(''))).toMatchObject({ level: 'error', component: 'send', event: 'send.failed', id: 1 });
    expect(c.text()).toBe('');
  });

  it('adds a child logger’s bindings to its lines, masked like details', () => {
    const c = captureLogs();
    c.logger.child({ institution: 'hecto', account: '110123456789' }).info('x');
    expect(c.lines()[0]).toMatchObject({ institution: 'hecto', account: '********6789', event: 'x' });
  });
});

describe('levels', () => {
  it('writes debug lines at debug only', () => {
    const debug = captureLogs('debug');
    const info = captureLogs('info');
    for (const c of [debug, info]) {
      c.logger.debug('a');
      c.logger.info('b');
    }
    expect(debug.lines().map((l) => l['event'])).toEqual(['a', 'b']);
    expect(info.lines().map((l) => l['event'])).toEqual(['b']);
    expect(info.logger.isLevelEnabled('debug')).toBe(false);
  });

  it('writes warn and error at warn, error at error, nothing when silent', () => {
    const events = (level: 'warn' | 'error' | 'silent') => {
      const c = captureLogs(level);
      c.logger.debug('d');
      c.logger.info('i');
      c.logger.warn('w');
      c.logger.error('e');
      return c.lines().map((l) => l['event']);
    };
    expect(events('warn')).toEqual(['w', 'e']);
    expect(events('error')).toEqual(['e']);
    expect(events('silent')).toEqual([]);
  });

  it('knows the levels configuration may name', () => {
    expect(['debug', 'info', 'warn', 'error', 'silent'].every(isLogLevel)).toBe(true);
    expect(isLogLevel('trace')).toBe(false);
    expect(isLogLevel('INFO')).toBe(false);
  });

  it('has a silent logger with every method', () => {
    expect(() => {
      silentLogger.debug('x');
      silentLogger.child({ a: 1 }).info('y');
    }).not.toThrow();
  });
});

describe('redaction by key', () => {
  const clear: Record<MaskRule, string> = {
    account: '110123456789',
    name: '홍길동',
    secret: 'hunter2-Secret!',
    url: 'redis://app:s3cr3t-pw@10.0.0.5:6379/0',
    text: 'duplicate key (account)=(110123456789)',
  };
  const masked: Record<MaskRule, string> = {
    account: '********6789',
    name: '홍**',
    secret: '[redacted]',
    url: 'redis://app:***@10.0.0.5:6379/0',
    text: 'duplicate key (account)=(********6789)',
  };

  for (const [key, rule] of MASK_RULE_OF) {
    it(`masks "${key}" (${rule}) at the top level, one and two objects down, and in arrays`, () => {
      const c = captureLogs();
      const v = clear[rule];
      c.logger.info('x', { [key]: v, fields: { [key]: v }, transfer: { recipient: { [key]: v } }, list: [{ [key]: v }] });
      const line = c.lines()[0]!;
      const want = masked[rule];
      expect(line[key]).toBe(want);
      expect(line['fields']).toEqual({ [key]: want });
      expect(line['transfer']).toEqual({ recipient: { [key]: want } });
      expect(line['list']).toEqual([{ [key]: want }]);
      expect(findClearSecrets(c.text(), rule === 'text' ? [] : [v], ['홍길동'])).toEqual([]);
    });
  }

  it('masks by suffix: any *Account, *Password, *Secret, *Token, *ApiKey, *IdNo, *HolderName', () => {
    const c = captureLogs();
    c.logger.info('x', { salaryAccount: '110123456789', refundPassword: 'pw-1', signingSecret: 's', claimToken: 't', partnerApiKey: 'k', ownerIdNo: '900101', payeeHolderName: '홍길동' });
    expect(c.lines()[0]).toMatchObject({
      salaryAccount: '********6789',
      refundPassword: '[redacted]',
      signingSecret: '[redacted]',
      claimToken: '[redacted]',
      partnerApiKey: '[redacted]',
      ownerIdNo: '[redacted]',
      payeeHolderName: '홍**',
    });
  });

  it('leaves words that merely end like a masked key, and other names, in clear', () => {
    const c = captureLogs();
    c.logger.info('x', { Discount: '1000000000', messageName: '0200/100', tableName: 'transfer', fileName: 'EB210102', username: 'app' });
    expect(c.lines()[0]).toMatchObject({ Discount: '1000000000', messageName: '0200/100', tableName: 'transfer', fileName: 'EB210102', username: 'app' });
  });

  it('looks three objects down, and into class instances, without changing what it was given', () => {
    class Transfer {
      constructor(readonly id: string, readonly recipientName: string) {}
    }
    const details = { a: { b: { c: { account: '110123456789' } } }, transfer: new Transfer('t-1', '홍길동'), when: new Date(0) };
    const c = captureLogs();
    c.logger.info('x', details);
    expect(c.lines()[0]).toMatchObject({ a: { b: { c: { account: '********6789' } } }, transfer: { id: 't-1', recipientName: '홍**' }, when: '1970-01-01T00:00:00.000Z' });
    expect(details.a.b.c.account).toBe('110123456789');
    expect(details.transfer).toBeInstanceOf(Transfer);
    expect(details.transfer.recipientName).toBe('홍길동');
  });

  it('stops at cycles', () => {
    const c = captureLogs();
    const loop: Record<string, unknown> = { account: '110123456789' };
    loop['self'] = loop;
    const list: unknown[] = [];
    list.push(list);
    c.logger.info('x', { loop, list });
    expect(c.lines()[0]).toMatchObject({ event: 'x', loop: { account: '********6789' } });
  });

  it('leaves error codes, response codes and telegram names in clear', () => {
    const c = captureLogs();
    c.logger.warn('sim.bad-telegram', { code: 'FB_DECODE', message: '0200/100', responseCode: '0000', institution: 'hecto' });
    expect(c.lines()[0]).toMatchObject({ code: 'FB_DECODE', message: '0200/100', responseCode: '0000', institution: 'hecto' });
  });

  it('masks a value that is already masked to the same text, and keeps null and blank', () => {
    const c = captureLogs();
    c.logger.info('x', { account: '********6789', holderName: '홍**', password: '', depositAccount: null, idNo: undefined });
    expect(c.lines()[0]).toMatchObject({ account: '********6789', holderName: '홍**', password: '', depositAccount: null });
  });

  it('hides what is not text under a masked key whole', () => {
    const c = captureLogs();
    c.logger.info('x', { account: 110123456789, key: Buffer.from('110123456789'), name: { first: '길동' }, apiKey: true });
    expect(c.lines()[0]).toMatchObject({ account: '********6789', key: '[redacted]', name: '[redacted]', apiKey: '[redacted]' });
    expect(c.text()).not.toContain('길동');
  });

  it('masks accounts and names as the codec does', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (s) => {
        expect(maskAccount(s)).toBe(maskText('account', s));
        expect(maskName(s)).toBe(maskText('name', s));
      }),
    );
  });

  it('covers every field marked mask: in the specs, with the same rule', () => {
    const files = [
      ...readdirSync(join(ROOT, 'specs')).map((f) => join(ROOT, 'specs', f)),
      ...readdirSync(join(ROOT, 'specs/files')).map((f) => join(ROOT, 'specs/files', f)),
      ...readdirSync(join(ROOT, 'test/fixtures/third')).map((f) => join(ROOT, 'test/fixtures/third', f)),
    ].filter((f) => f.endsWith('.yaml'));
    const marked = new Map<string, string>();
    for (const f of files) {
      for (const m of readFileSync(f, 'utf8').matchAll(/name:\s*([\w-]+)[^}\n]*\bmask:\s*(account|name|secret)\b/g)) marked.set(m[1]!, m[2]!);
    }
    expect(marked.size).toBeGreaterThan(20);
    const missing = [...marked].filter(([field, kind]) => MASK_RULE_OF.get(field) !== kind).map(([field, kind]) => `${field} (${kind})`);
    expect(missing).toEqual([]);
  });

  it('names the one-won code keys, and not `code`', () => {
    expect(MASKED_KEYS.secret).toEqual(expect.arrayContaining(['oneWonCode', 'verificationCode']));
    expect(MASK_RULE_OF.has('code')).toBe(false);
  });
});

describe('free text', () => {
  it('masks account-like numbers in error, reason and detail, and leaves the rest', () => {
    const c = captureLogs();
    c.logger.error('ledger.failed', {
      error: 'insert failed: Key (account)=(110123456789) already exists',
      reason: 'bank said: 계좌 110-123-456789 없음',
      fields: { detail: 'account 3333012345678 frozen' },
    });
    const line = c.lines()[0]!;
    expect(line['error']).toBe('insert failed: Key (account)=(********6789) already exists');
    expect(line['reason']).toBe('bank said: 계좌 ***-***-**6789 없음');
    expect(line['fields']).toEqual({ detail: 'account *********5678 frozen' });
    expect(findClearSecrets(c.text(), ['110123456789', '456789', '3333012345678'])).toEqual([]);
  });

  it('keeps a number under a free-text key a number, and walks an object there like any other', () => {
    const c = captureLogs();
    c.logger.warn('x', { reason: 404, detail: 110123456789, error: { recipientName: '홍길동', status: 500 } });
    expect(c.lines()[0]).toMatchObject({ reason: 404, detail: '********6789', error: { recipientName: '홍**', status: 500 } });
  });

  it('leaves short numbers, addresses, ids and times as they are', () => {
    for (const text of [
      'connect ECONNREFUSED 127.0.0.1:6379',
      'seq 000123 for 2025-01-02, amount 150000 won',
      'transfer 0b0f2c4e-1234-4abc-8def-123456789012 failed',
      'job a1234567890123b lost',
      'a 17-digit number 12345678901234567 is not an account',
    ]) {
      expect(scrubText(text)).toBe(text);
    }
  });

  it('hides API keys, webhook secrets, bearer tokens and URL passwords', () => {
    expect(scrubText('bad key fbk_AbCdEfGhIjKlMnOpQrStUvWxYz012345 for whsec_abc-DEF_123')).toBe('bad key fbk_[redacted] for whsec_[redacted]');
    expect(scrubText('header Authorization: Bearer abc.def-123 sent')).toBe('header Authorization: Bearer [redacted] sent');
    expect(scrubText('cannot reach postgres://fb:pa:ss@db:5432/x')).toBe('cannot reach postgres://fb:***@db:5432/x');
  });
});

describe('errors', () => {
  it('gives one line with the code, and no stack', () => {
    const e = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379\n    at TCPConnectWrap'), { code: 'ECONNREFUSED', errno: -111 });
    expect(errorDetails(e)).toEqual({ error: 'connect ECONNREFUSED 127.0.0.1:6379 at TCPConnectWrap', code: 'ECONNREFUSED', errno: -111 });
    expect(errorDetails(new TypeError('x is undefined'))).toEqual({ error: 'TypeError: x is undefined' });
    expect(errorDetails(new Error('outer', { cause: new Error('inner') }))).toEqual({ error: 'outer (cause: inner)' });
    expect(errorDetails('plain\ntext')).toEqual({ error: 'plain text' });
    expect(errorDetails({ message: 'like an error' })).toEqual({ error: 'like an error' });
    expect(errorDetails(undefined)).toEqual({ error: 'undefined' });
    expect(errorDetails('x'.repeat(5_000)).error).toHaveLength(1_001);
  });

  it('takes the messages and code of an empty AggregateError from its errors', () => {
    const inner = [Object.assign(new Error('connect ECONNREFUSED ::1:6379'), { code: 'ECONNREFUSED' }), Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' })];
    expect(errorDetails(new AggregateError(inner, ''))).toEqual({ error: 'AggregateError: connect ECONNREFUSED ::1:6379; connect ECONNREFUSED 127.0.0.1:6379', code: 'ECONNREFUSED' });
  });

  it('logs an err as one line without its stack above debug, and with it, escaped, at debug', () => {
    const make = () => Object.assign(new Error('boom for 110123456789\nsecond line'), { code: 'FB_X' });
    const info = captureLogs('info');
    info.logger.error('x.failed', { err: make() });
    expect(info.text().match(/\n/g)).toHaveLength(1);
    expect(info.lines()[0]!['err']).toEqual({ type: 'Error', message: 'boom for ********6789 second line', code: 'FB_X' });
    expect(info.lines()[0]).not.toHaveProperty('msg');

    const debug = captureLogs('debug');
    debug.logger.error('x.failed', { err: make() });
    expect(debug.text().match(/\n/g)).toHaveLength(1);
    const err = debug.lines()[0]!['err'] as Record<string, unknown>;
    expect(err['stack']).toMatch(/^Error: boom for \*{8}6789\nsecond line\n {4}at /);
  });

  it('writes an Error given as `error` as its one-line text', () => {
    const c = captureLogs();
    c.logger.error('x.failed', { error: new RangeError('too\nbig: 110123456789') });
    expect(c.lines()[0]!['error']).toBe('RangeError: too big: ********6789');
  });
});

describe('log context', () => {
  it('adds the request id to every line inside, across awaits and timers, and not outside', async () => {
    const c = captureLogs();
    c.logger.info('before');
    await runWithLogContext({ requestId: 'req-1' }, async () => {
      c.logger.info('start');
      await new Promise((r) => setTimeout(r, 5));
      c.logger.info('after-timer');
      await runWithLogContext({ transferId: 't-9' }, async () => {
        await Promise.resolve();
        c.logger.info('nested');
      });
      c.logger.info('end');
    });
    c.logger.info('outside');
    const ids = c.lines().map((l) => [l['event'], l['requestId'], l['transferId']]);
    expect(ids).toEqual([
      ['before', undefined, undefined],
      ['start', 'req-1', undefined],
      ['after-timer', 'req-1', undefined],
      ['nested', 'req-1', 't-9'],
      ['end', 'req-1', undefined],
      ['outside', undefined, undefined],
    ]);
    expect(currentLogContext()).toBeUndefined();
  });

  it('keeps concurrent requests apart', async () => {
    const c = captureLogs();
    const request = (id: string, ms: number) =>
      runWithLogContext({ requestId: id }, async () => {
        await new Promise((r) => setTimeout(r, ms));
        c.logger.info('done', { id });
      });
    await Promise.all([request('a', 10), request('b', 1), request('c', 5)]);
    for (const l of c.lines()) expect(l['requestId']).toBe(l['id']);
  });

  it('puts the context before the event, and lets a detail of the same name win', () => {
    const c = captureLogs();
    runWithLogContext({ requestId: 'r-1' }, () => {
      c.logger.info('a');
      c.logger.info('api.request', { requestId: 'r-2' });
    });
    expect(Object.keys(c.lines()[0]!)).toEqual(['level', 'time', 'component', 'requestId', 'event']);
    expect(c.lines()[1]!['requestId']).toBe('r-2');
  });
});

describe('trace ids', () => {
  const manager = new AsyncLocalStorageContextManager();
  beforeEach(() => void context.setGlobalContextManager(manager.enable()));
  afterEach(() => {
    context.disable();
    manager.disable();
  });

  it('adds the trace and span id of the active span, and none without one', async () => {
    const tracer = new BasicTracerProvider().getTracer('logs-test');
    const c = captureLogs();
    c.logger.info('no-span');
    let ids: { traceId: string; spanId: string } | undefined;
    await tracer.startActiveSpan('request', async (span) => {
      ids = span.spanContext();
      await new Promise((r) => setTimeout(r, 1));
      c.logger.info('in-span');
      span.end();
    });
    const [outside, inside] = c.lines();
    expect(outside).not.toHaveProperty('traceId');
    expect(inside).toMatchObject({ traceId: ids!.traceId, spanId: ids!.spanId });
    expect(inside!['traceId']).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('logErrorsOf', () => {
  it('logs the first error, then one line per interval with the count of those not logged', () => {
    const c = captureLogs();
    const emitter = new EventEmitter();
    let now = 0;
    const detach = logErrorsOf(emitter, c.logger, 'redis.error', { queue: 'transfers-hecto-004' }, { intervalMs: 10_000, now: () => now });
    const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
    for (let i = 0; i < 5; i++, now += 1_000) emitter.emit('error', refused());
    expect(c.lines()).toHaveLength(1);
    now = 10_000;
    emitter.emit('error', refused());
    emitter.emit('error', refused());
    emitter.emit('error', Object.assign(new Error('NOAUTH Authentication required.'), { code: 'NOAUTH' }));
    expect(c.lines()).toEqual([
      expect.objectContaining({ level: 'error', event: 'redis.error', queue: 'transfers-hecto-004', code: 'ECONNREFUSED', error: 'connect ECONNREFUSED 127.0.0.1:6379' }),
      expect.objectContaining({ code: 'ECONNREFUSED', suppressed: 4 }),
      expect.objectContaining({ code: 'NOAUTH', suppressed: 1 }),
    ]);
    expect(c.lines()[0]).not.toHaveProperty('suppressed');
    detach();
    expect(emitter.listenerCount('error')).toBe(0);
  });

  it('logs at warn when asked', () => {
    const c = captureLogs();
    const emitter = new EventEmitter();
    logErrorsOf(emitter, c.logger, 'x.error', {}, { level: 'warn' });
    emitter.emit('error', new Error('e'));
    expect(c.lines()[0]).toMatchObject({ level: 'warn', event: 'x.error', error: 'e' });
  });
});

describe('stderr stays clean when Redis is not there', () => {
  let written: string[];
  beforeEach(() => {
    written = [];
    const keep = (chunk: unknown) => void written.push(String(chunk));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => (keep(chunk), true));
    for (const m of ['error', 'warn', 'log'] as const) vi.spyOn(console, m).mockImplementation((...args: unknown[]) => keep(args.map(String).join(' ')));
  });
  afterEach(() => vi.restoreAllMocks());

  it('(control) without a listener, BullMQ and ioredis print stacks: what the spies are there to see', async () => {
    const queue = new Queue('logs-test', { connection: { host: '127.0.0.1', port: 1, retryStrategy: (n) => (n < 2 ? 10 : null) } });
    const client = new Redis({ host: '127.0.0.1', port: 1, retryStrategy: (n) => (n < 2 ? 10 : null), maxRetriesPerRequest: 0 });
    await new Promise<void>((resolve) => client.once('end', () => resolve()));
    await vi.waitFor(() => expect(written.join('')).toContain('at TCPConnectWrap'), { timeout: 5_000, interval: 20 });
    await queue.close();
    expect(written.join('')).toContain('[ioredis] Unhandled error event');
  });

  it('an ioredis client retrying a closed port: one structured line, nothing else', async () => {
    const c = captureLogs();
    const client = new Redis({ host: '127.0.0.1', port: 1, retryStrategy: (n) => (n < 4 ? 10 : null), maxRetriesPerRequest: 0 });
    let errors = 0;
    logErrorsOf(client, c.logger, 'redis.error', { client: 'test' });
    client.on('error', () => errors++);
    await new Promise<void>((resolve) => client.once('end', () => resolve()));
    expect(errors).toBeGreaterThanOrEqual(3);
    expect(c.lines()).toEqual([expect.objectContaining({ level: 'error', event: 'redis.error', client: 'test', code: 'ECONNREFUSED' })]);
    expect(written).toEqual([]);
  });

  it('a BullMQ Queue on a closed port: structured lines only', async () => {
    const c = captureLogs();
    const queue = new Queue('logs-test', { connection: { host: '127.0.0.1', port: 1, retryStrategy: () => 10 } });
    logErrorsOf(queue, c.logger, 'queue.error', { queue: 'logs-test' }, { intervalMs: 0 });
    await vi.waitFor(() => expect(c.lines().length).toBeGreaterThanOrEqual(3), { timeout: 5_000, interval: 20 });
    await queue.close();
    for (const l of c.lines()) expect(l).toMatchObject({ event: 'queue.error', code: 'ECONNREFUSED' });
    expect(written).toEqual([]);
  });
});

describe('process faults', () => {
  it('logs an uncaught exception and an unhandled rejection as one line each, then exits 1', () => {
    const c = captureLogs('info');
    const exits: number[] = [];
    const before = process.listeners('uncaughtException').length;
    const undo = logProcessFaults(c.logger, { exit: (code) => void exits.push(code) });
    try {
      const uncaught = process.listeners('uncaughtException').at(-1)!;
      const unhandled = process.listeners('unhandledRejection').at(-1)!;
      uncaught(new Error('bug with 110123456789\nin it'), 'uncaughtException');
      unhandled(Object.assign(new Error('rejected'), { code: 'FB_X' }), Promise.resolve());
    } finally {
      undo();
    }
    expect(process.listeners('uncaughtException')).toHaveLength(before);
    expect(exits).toEqual([1, 1]);
    expect(c.text().match(/\n/g)).toHaveLength(2);
    const [a, b] = c.lines();
    expect(a).toMatchObject({ level: 'error', event: 'process.uncaught-exception', error: 'bug with ********6789 in it' });
    expect(a!['stack']).toMatch(/^Error: bug with \*{8}6789\nin it\n {4}at /);
    expect(b).toMatchObject({ event: 'process.unhandled-rejection', error: 'rejected', code: 'FB_X' });
  });

  it('turns process warnings into log lines, and gives Node its printer back', () => {
    const c = captureLogs();
    const printers = process.listeners('warning');
    const undo = logProcessFaults(c.logger, { exit: () => {} });
    try {
      expect(process.listeners('warning')).toHaveLength(1);
      process.listeners('warning')[0]!(Object.assign(new Error('Possible EventEmitter memory leak'), { name: 'MaxListenersExceededWarning' }));
    } finally {
      undo();
    }
    expect(process.listeners('warning')).toEqual(printers);
    expect(c.lines()[0]).toMatchObject({ level: 'warn', event: 'process.warning', error: 'MaxListenersExceededWarning: Possible EventEmitter memory leak' });
  });
});

describe('findClearSecrets', () => {
  it('finds the secrets given, long digit runs and names, and nothing in a clean text', () => {
    const text = '{"account":"********6789","id":"0b0f2c4e-1234-4abc-8def-123456789012"}\n{"note":"key fbk_abc 홍길동 110123456789"}\n';
    expect(findClearSecrets(text, ['fbk_abc', 'not-there'], ['홍길동', '김철수'])).toEqual(['fbk_abc', '110123456789', '홍길동']);
    expect(findClearSecrets('{"account":"********6789","at":"2025-01-02T03:04:05.000Z"}', ['110123456789'], ['홍길동'])).toEqual([]);
  });

  it('finds a secret that JSON escaped', () => {
    expect(findClearSecrets(JSON.stringify({ password: 'pa"ss\\word' }), ['pa"ss\\word'])).toEqual(['pa"ss\\word']);
  });
});
