import { validateHeaderName, validateHeaderValue } from 'node:http';
import { charsetFor } from '../../src/encoding/korean-charset.js';
import { MAX_AMOUNT, openApiHarness, transferIdOf } from './api-harness.js';
import { Prng } from './prng.js';
import { Crash, type Fixture, type Outcome, type Runner } from './target.js';

/** One request as kept in a fixture. `$OWN` and `$OTHER` in header values stand for the harness's keys. */
interface ApiRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  /** UTF-8 text, or raw bytes in hex (bodies that are not UTF-8). */
  readonly body?: string;
  readonly bodyHex?: string;
  /** Distinct per request, so that the limiter of failed authentications does not hide the routes. */
  readonly remoteAddress: string;
}

/** A request that gets no answer within this is a hang. */
const ANSWER_TIMEOUT_MS = 10_000;

const BANKS = ['088', '004', '020', '003', '011', '081', '000', '999', '08', '0880', 'abc', '', ' 88', '８８８'];
const MEMOS = ['급여', '급여１１월', '가나다라마바사', '가나다라마바사a', 'salary 11/2026', '', ' ', '똠', '😀', '₩1000', 'a\nb', '\u0000', 'tab\there', '급여 ', '  ', 'x'.repeat(14), 'x'.repeat(15), '\u00a0', '\ufffd', '\ud800'];
const NAMES = ['홍길동', '김철수', '이영희', '홍길동홍길동', '홍길동홍길동a', '', 'HONG GILDONG', '(주)회사', '㈜가', '똠똠', '\r\n', 'x'.repeat(12), 'x'.repeat(13)];
const WEIRD = [null, true, false, 0, -1, 1.5, 1e21, 15000, [], {}, ['088'], { a: 1 }, '', ' ', 'a'.repeat(200), '0', '-100', '１００', '1e5', '15000.0', ' 15000', '15000 ', '0x10', '088\n', '\u0000', '홍길동홍길동홍길동', '😀', '\ud800', '똠', '\t', "' OR 1=1 --", '../../etc/passwd', '\u202e', '%00', '9'.repeat(14), '0000000000000'];
const EXTRA_KEYS = ['__proto__', 'constructor', 'prototype', 'amount ', 'Amount', 'fee', 'state', 'id', 'service', 'maxAmount', 'x'];
const CONTENT_TYPES = ['application/json; charset=utf-8', 'application/json; charset=euc-kr', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/problem+json', 'APPLICATION/JSON', 'application/json;;', 'application/jsonx', 'application/json; charset=utf-16'];
const PREFER = ['wait=1', 'wait=0', 'wait=99999999999999999999', 'wait=-1', 'wait=abc', 'respond-async, wait=5', 'wait=1.5', 'wait=', 'return=minimal'];
const BAD_AUTH = ['', 'Bearer', 'Bearer ', 'bearer $OWN', 'Basic Zm9vOmJhcg==', 'Bearer $OWN extra', 'Bearer  $OWN', 'Bearer $OWNx', 'Bearer fbk_', 'Bearer fbk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'Bearer ' + 'a'.repeat(5000), 'Bearer $OTHER'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];
const PATHS = ['/', '//', '/v1', '/v1/', '/v1/transfers/', '/V1/TRANSFERS', '/v1/transfers?', '/v1/transfers#x', '/%', '/%zz', '/%00', '/v1/transfers/%2e%2e', '/..', '/v1/../health', '/health?' + 'a'.repeat(3000), '/' + 'a'.repeat(3000), '/v1/transfers/' + '9'.repeat(101), '/v1/transfers/%E0%A4%A', '/openapi.json/x', '/health/', '/v1/account-verifications/1', '/v1/balances/x', '/v1/transfers/x/telegrams/y', '/\u00e9', '/v1/transfers/%C0%AF'];
const QUERIES = ['', '?institution=hecto', '?institution=x', '?institution=hecto&institution=hecto', '?institution[]=a', '?institution=%ZZ', '?x=1', '?institution=', '?institution=__proto__', '?__proto__[x]=1', '?institution=' + 'h'.repeat(3000)];

/** Text as EUC-KR bytes (what cannot be encoded becomes '?'): JSON from a client that ignored UTF-8. */
function eucKr(text: string): Buffer {
  const charset = charsetFor('euc-kr');
  const out = Buffer.alloc(text.length * 2);
  let n = 0;
  for (const ch of text) {
    const w = charset.encodeInto(ch, out, n, 2);
    if (w > 0) n += w;
    else out[n++] = 0x3f;
  }
  return out.subarray(0, n);
}

/**
 * The HTTP API's input handling: `buildApi` over an in-process backend (see api-harness.ts), with
 * `app.inject` requests to every route — valid ones and mutations of their JSON bodies, headers, methods
 * and URLs. Every answer must be a 2xx with JSON, or a 4xx `application/problem+json` with a `code` (and a
 * `field` for FB_VALIDATION): never a 5xx, never a redirect, never a hang; and what the backend accepted
 * must be within the documented contract.
 */
export async function openApiTarget(seed: number): Promise<Runner> {
  const rng = new Prng();
  const harness = await openApiHarness();

  const digits = (n: number) => Array.from({ length: n }, () => String(rng.below(10))).join('');
  const requestId = () => `req-${rng.below(300)}`;

  function mutateBody(body: Record<string, unknown>): void {
    const keys = Object.keys(body);
    switch (rng.below(4)) {
      case 0:
        if (keys.length > 0) delete body[rng.pick(keys)];
        return;
      case 1:
        if (keys.length > 0) body[rng.pick(keys)] = rng.pick(WEIRD);
        return;
      case 2:
        body[rng.pick(EXTRA_KEYS)] = rng.pick(WEIRD);
        return;
      default:
        if (keys.length > 0) body[rng.pick(keys)] = rng.pick([...MEMOS, ...NAMES, ...BANKS]);
    }
  }

  function transferBody(): Record<string, unknown> {
    const b: Record<string, unknown> = {
      requestId: rng.chance(0.95) ? requestId() : rng.pick(['', ' x', 'a'.repeat(128), 'a'.repeat(129), '요청-1', 'req\t1']),
      bankCode: rng.chance(0.8) ? rng.pick(BANKS.slice(0, 6)) : rng.pick(BANKS),
      account: rng.chance(0.9) ? digits(rng.between(6, 15)) : rng.pick(['12345', '1234567890123456', '110-123-456789', '', '１２３４５６７']),
      amount: rng.chance(0.8)
        ? String(rng.between(1, 6_000_000))
        : rng.pick(['0', '0000000000000', '9999999999999', String(MAX_AMOUNT), MAX_AMOUNT.plus(1).toFixed(), '00015000', '-1', '1.5', '15,000', '99999999999999']),
    };
    // Mostly fitting memos and names, so that enough transfers are accepted to meet their request ids again.
    if (rng.chance(0.6)) b['memo'] = rng.chance(0.7) ? rng.pick(MEMOS.slice(0, 5)) : rng.pick(MEMOS);
    if (rng.chance(0.5)) b['recipientName'] = rng.chance(0.7) ? rng.pick(NAMES.slice(0, 4)) : rng.pick(NAMES);
    if (rng.chance(0.1)) b['institution'] = rng.pick(['hecto', 'x', '', 'HECTO']);
    return b;
  }

  function verificationBody(): Record<string, unknown> {
    const b: Record<string, unknown> = { bankCode: rng.pick(BANKS.slice(0, 6)), account: digits(rng.between(6, 15)) };
    if (rng.chance(0.5)) b['name'] = rng.pick(NAMES);
    if (rng.chance(0.3)) b['idNo'] = rng.pick(['900101', '1234567890', '12345', '1234567890123', 'abcdef', '']);
    if (rng.chance(0.1)) b['institution'] = rng.pick(['hecto', 'x']);
    return b;
  }

  /** JSON text of the body, sometimes broken on the way: cut short, junk inserted, nested absurdly deep. */
  function bodyText(body: Record<string, unknown>): string {
    const json = JSON.stringify(body);
    switch (rng.below(12)) {
      case 0:
        return json.slice(0, rng.below(json.length));
      case 1: {
        const at = rng.below(json.length + 1);
        return json.slice(0, at) + rng.pick(['"', '{', '}', ',', ':', '\\', '\u0000', 'null', ']']) + json.slice(at);
      }
      case 2:
        return rng.pick(['', 'null', '[]', '"str"', '1', 'true', '{}', '[' .repeat(5000), '{"a":'.repeat(3000), '{"__proto__":{"amount":"1"}}', '{"constructor":{"prototype":{"x":1}}}', '\ufeff' + json, json + json, '{"amount":"1","amount":"2"}', `{"requestId":"${'x'.repeat(70_000)}"}`]);
      default:
        return json;
    }
  }

  function headers(kind: 'json' | 'none'): Record<string, string> {
    const h: Record<string, string> = {};
    const auth = rng.below(100);
    if (auth < 80) h['authorization'] = 'Bearer $OWN';
    else if (auth < 85) h['authorization'] = 'Bearer $OTHER';
    else if (auth < 98) h['authorization'] = rng.pick(BAD_AUTH);
    if (kind === 'json') {
      if (rng.chance(0.85)) h['content-type'] = 'application/json';
      else if (rng.chance(0.8)) h['content-type'] = rng.pick(CONTENT_TYPES);
    }
    if (rng.chance(0.2)) h['prefer'] = rng.pick(PREFER);
    if (rng.chance(0.1)) h['x-request-id'] = rng.pick(['abc', '', 'x'.repeat(129), 'x'.repeat(128), '가나다', 'a b', '<script>']);
    if (rng.chance(0.03)) h['accept'] = rng.pick(['text/html', 'application/xml', '*/*', '']);
    for (const [k, v] of Object.entries(h)) {
      // What a real client could not send (Node's HTTP client refuses it) is not sent here either.
      try {
        validateHeaderName(k);
        validateHeaderValue(k, v);
      } catch {
        delete h[k];
      }
    }
    return h;
  }

  function generate(index: number): ApiRequest {
    rng.reset(seed, index);
    const remoteAddress = `10.${(index >>> 16) & 255}.${(index >>> 8) & 255}.${index & 255}`;
    const ownId = () => transferIdOf(rng.chance(0.9) ? 'fuzz' : 'other', requestId());
    const r = rng.below(100);
    if (r < 45 || r >= 95) {
      const post = r < 45;
      const body = post ? transferBody() : verificationBody();
      for (let t = rng.chance(0.35) ? 0 : rng.count(3); t > 0; t--) mutateBody(body);
      const text = bodyText(body);
      // Sometimes the same JSON in EUC-KR bytes, as a careless client would send it.
      const raw = rng.chance(0.03) ? { bodyHex: eucKr(text).toString('hex') } : { body: text };
      return { method: 'POST', url: post ? '/v1/transfers' : '/v1/account-verifications', headers: headers('json'), ...raw, remoteAddress };
    }
    if (r < 65) {
      const id = rng.chance(0.85) ? ownId() : rng.pick(['x', '', '%00', '..%2F', 'a'.repeat(200), 'ZZZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZZZZZZZ', ownId().toUpperCase(), `${ownId()}?x=1`, `${ownId()}%20`]);
      return { method: 'GET', url: `/v1/transfers/${id}${rng.chance(0.3) ? '/telegrams' : ''}`, headers: headers('none'), remoteAddress };
    }
    if (r < 80) return { method: 'GET', url: `${rng.pick(['/v1/balances', '/v1/totals'])}${rng.pick(QUERIES)}`, headers: headers('none'), remoteAddress };
    if (r < 85) return { method: rng.pick(['GET', 'HEAD']), url: rng.pick(['/health', '/ready', '/openapi.json']), headers: headers('none'), remoteAddress };
    const method = rng.pick(METHODS);
    const withBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
    return { method, url: rng.pick(PATHS), headers: headers(withBody ? 'json' : 'none'), ...(withBody ? { body: bodyText(transferBody()) } : {}), remoteAddress };
  }

  async function check(req: ApiRequest): Promise<Outcome> {
    const h = harness;
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, v.replace(/\$OWN/g, h.keys.own).replace(/\$OTHER/g, h.keys.other)]));
    const payload = req.bodyHex !== undefined ? Buffer.from(req.bodyHex, 'hex') : req.body;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'hang'>((resolve) => (timer = setTimeout(() => resolve('hang'), ANSWER_TIMEOUT_MS)));
    const answer = h.app.inject({ method: req.method as 'GET', url: req.url, headers, remoteAddress: req.remoteAddress, ...(payload !== undefined ? { payload } : {}) });
    const res = await Promise.race([answer, timeout]).finally(() => clearTimeout(timer));
    const what = `${req.method} ${req.url.slice(0, 80)}`;
    if (res === 'hang') return new Crash('hang', `${what}: no answer within ${ANSWER_TIMEOUT_MS} ms`);
    const violations = h.takeViolations();
    if (violations.length > 0) return new Crash('mismatch', `${what}: ${violations[0]}`);
    const status = res.statusCode;
    const type = String(res.headers['content-type'] ?? '');
    const body = res.body;
    if (status >= 500 || status < 200 || (status >= 300 && status < 400)) return new Crash('status', `${what} answered ${status}: ${body.slice(0, 300)}`);
    let doc: unknown = null;
    if (req.method !== 'HEAD' && body.length > 0) {
      try {
        doc = JSON.parse(body);
      } catch {
        return new Crash('status', `${what} answered ${status} with a body that is not JSON: ${body.slice(0, 100)}`);
      }
    }
    if (status < 300) return 'ok';
    if (!type.startsWith('application/problem+json')) return new Crash('status', `${what} answered ${status} as ${type || 'no content type'}, not application/problem+json`);
    if (req.method === 'HEAD') return `HTTP ${status}`;
    const p = doc as { code?: unknown; status?: unknown; field?: unknown } | null;
    if (typeof p?.code !== 'string' || p.status !== status) return new Crash('status', `${what} answered ${status} with a problem lacking its code or status: ${body.slice(0, 200)}`);
    if (p.code === 'FB_VALIDATION' && typeof p.field !== 'string') return new Crash('status', `${what}: a validation problem without its field: ${body.slice(0, 200)}`);
    return p.code;
  }

  const toFixture = (req: ApiRequest): Fixture => ({ ext: 'json', data: Buffer.from(JSON.stringify(req, null, 1) + '\n') });
  return {
    step: (index) => check(generate(index)),
    fixture: (index) => toFixture(generate(index)),
    replay: (fixture) => check(JSON.parse(fixture.data.toString('utf8')) as ApiRequest),
    close: () => harness.close(),
  };
}
