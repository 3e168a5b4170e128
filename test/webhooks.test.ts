import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { inspect } from 'node:util';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FirmbankError } from '../src/errors/firmbank-error.js';
import {
  BACKOFF_BASE_MS,
  BACKOFF_CAP_MS,
  DEAD_LETTER_AFTER_MS,
  backoffCeilingMs,
  isDeadLetter,
  nextAttemptDelayMs,
} from '../src/webhooks/backoff.js';
import { deliverWebhook, type DeliveryRequest, type DeliveryResult } from '../src/webhooks/deliver.js';
import { EndpointDnsError } from '../src/webhooks/endpoint-dns-error.js';
import { EndpointUrlError } from '../src/webhooks/endpoint-url-error.js';
import { checkEndpointUrl, resolveDeliveryAddress, type HostLookup } from '../src/webhooks/endpoint-url.js';
import { describeRefusal, refusedRange } from '../src/webhooks/ip-ranges.js';
import { SecretBoxError } from '../src/webhooks/secret-box-error.js';
import { SecretBox, generateEndpointSecret } from '../src/webhooks/secret-box.js';
import { SIGNATURE_HEADER, VERIFY_SNIPPET, signPayload, verifySignature } from '../src/webhooks/signature.js';

const NOW = new Date('2026-03-01T09:00:00.000Z');
const T = Math.floor(NOW.getTime() / 1000);
const OLD = generateEndpointSecret();
const NEW = generateEndpointSecret();

const hangul = fc.string({ unit: fc.integer({ min: 0xac00, max: 0xd7a3 }).map((c) => String.fromCharCode(c)) });
/** Bodies as they come: JSON, Hangul, any Unicode (astral included), raw bytes. */
const body = fc.oneof(
  fc.json(),
  hangul.map((s) => JSON.stringify({ memo: s, name: '홍길동' })),
  fc.string({ unit: 'grapheme' }),
  fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)),
);

describe('signature', () => {
  it('signs with every secret of a rotation; each verifies alone, as does the pair; any other does not', () => {
    fc.assert(
      fc.property(body, fc.integer({ min: -300, max: 300 }), (b, skew) => {
        const header = signPayload([OLD, NEW], b, NOW);
        expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
        const at = { now: new Date(NOW.getTime() + skew * 1000) };
        expect(verifySignature(header, b, [OLD], at)).toBe(true);
        expect(verifySignature(header, b, [NEW], at)).toBe(true);
        expect(verifySignature(header, b, [NEW, OLD], at)).toBe(true);
        expect(verifySignature(header, b, ['whsec_other'], at)).toBe(false);
        // A string body and the same text as UTF-8 bytes are one body: what is signed is what is sent.
        if (typeof b === 'string') expect(verifySignature(header, Buffer.from(b, 'utf8'), [OLD], at)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a body changed in any one byte, or cut short, or lengthened', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 256 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (bytes, at, xor) => {
        const b = Buffer.from(bytes);
        const header = signPayload([NEW], b, NOW);
        const changed = Buffer.from(b);
        changed[at % b.length] = changed[at % b.length]! ^ xor;
        expect(verifySignature(header, changed, [NEW], { now: NOW })).toBe(false);
        expect(verifySignature(header, b.subarray(1), [NEW], { now: NOW })).toBe(false);
        expect(verifySignature(header, Buffer.concat([b, Buffer.from(' ')]), [NEW], { now: NOW })).toBe(false);
      }),
    );
  });

  it('refuses a timestamp more than the tolerance old or ahead, and one changed after signing', () => {
    const header = signPayload([NEW], '{"a":1}', NOW);
    const at = (s: number, toleranceSeconds?: number) => ({ now: new Date(NOW.getTime() + s * 1000), toleranceSeconds });
    expect(verifySignature(header, '{"a":1}', [NEW], at(300))).toBe(true);
    expect(verifySignature(header, '{"a":1}', [NEW], at(301))).toBe(false); // replayed too late
    expect(verifySignature(header, '{"a":1}', [NEW], at(-300))).toBe(true);
    expect(verifySignature(header, '{"a":1}', [NEW], at(-301))).toBe(false); // from the future
    expect(verifySignature(header, '{"a":1}', [NEW], at(60, 30))).toBe(false);
    expect(verifySignature(header, '{"a":1}', [NEW], at(3600, 7200))).toBe(true);
    expect(verifySignature(header, '{"a":1}', [NEW], { now: new Date(Number.NaN) })).toBe(false);
    // A fresh timestamp on an old signature: the timestamp is signed too.
    expect(verifySignature(header.replace(`t=${T}`, `t=${T + 200}`), '{"a":1}', [NEW], at(200))).toBe(false);
  });

  it('refuses malformed headers, and never throws for whatever a sender puts there', () => {
    const sig = signPayload([NEW], 'x', NOW).split(',')[1]!; // v1=…
    const hex = sig.slice(3);
    const malformed = [
      '',
      `t=${T}`,
      sig,
      `t=${T},`,
      `,t=${T},${sig}`,
      `t=${T};${sig}`,
      `t=${T},${sig},garbage`,
      `t=${T},t=${T},${sig}`,
      `t=,${sig}`,
      `t=-${T},${sig}`,
      `t=${T}.5,${sig}`,
      `t=0x${T.toString(16)},${sig}`,
      `t=${T},v1=${hex.toUpperCase()}`,
      `t=${T},v1=${hex.slice(2)}`,
      `t=${T},v1=${hex}00`,
      `t=${T},v1=`,
      `t=${T},v0=${hex}`,
      `t=${T},${sig},${'v9=0,'.repeat(1000)}v9=0`, // long: refused unread
    ];
    for (const h of malformed) expect(verifySignature(h, 'x', [NEW], { now: NOW }), h.slice(0, 60)).toBe(false);
    // What is well-formed: spaces around entries, unknown schemes next to v1, v1 in any position.
    expect(verifySignature(` t=${T} , ${sig} `, 'x', [NEW], { now: NOW })).toBe(true);
    expect(verifySignature(`v0=abc,${sig},t=${T}`, 'x', [NEW], { now: NOW })).toBe(true);
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (h) => {
        expect(verifySignature(h, 'x', [NEW], { now: NOW })).toBe(false);
      }),
    );
  });

  it('refuses to sign or verify without a secret (a configuration bug, said loudly)', () => {
    expect(() => signPayload([], 'x', NOW)).toThrow(RangeError);
    expect(() => signPayload([''], 'x', NOW)).toThrow(RangeError);
    expect(() => verifySignature('t=1,v1=00', 'x', [], { now: NOW })).toThrow(RangeError);
    expect(() => verifySignature('t=1,v1=00', 'x', [NEW], { now: NOW, toleranceSeconds: -1 })).toThrow(RangeError);
  });

  it('the snippet for the README verifies our signatures, as a service would run it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-snippet-'));
    try {
      const file = join(dir, 'verify.mjs');
      writeFileSync(file, VERIFY_SNIPPET);
      const { verifyFirmbankSignature: verify } = (await import(pathToFileURL(file).href)) as {
        verifyFirmbankSignature: (header: string, rawBody: string | Buffer, secret: string) => boolean;
      };
      const raw = Buffer.from(JSON.stringify({ type: 'transfer.succeeded', memo: '급여 이체' }));
      const header = signPayload([OLD, NEW], raw, new Date());
      expect(verify(header, raw, OLD)).toBe(true);
      expect(verify(header, raw, NEW)).toBe(true);
      expect(verify(header, raw.toString('utf8'), NEW)).toBe(true);
      expect(verify(header, Buffer.concat([raw, Buffer.from(' ')]), NEW)).toBe(false);
      expect(verify(header, raw, 'whsec_other')).toBe(false);
      expect(verify(signPayload([NEW], raw, new Date(Date.now() - 301_000)), raw, NEW)).toBe(false);
      expect(verify('', raw, NEW)).toBe(false);
      expect(verify(`t=${Math.floor(Date.now() / 1000)},v1=zz`, raw, NEW)).toBe(false);
      expect(VERIFY_SNIPPET.trim().split('\n').length).toBeLessThanOrEqual(12);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('endpoint URLs', () => {
  const refused: [url: string, reason: RegExp][] = [
    ['http://127.0.0.1/hook', /127\.0\.0\.1 is loopback \(127\.0\.0\.0\/8\)/],
    ['http://[::1]:8080/', /::1 is loopback/],
    ['http://0x7f000001/', /127\.0\.0\.1 is loopback/], // hex, normalised by WHATWG URL
    ['http://2130706433/', /127\.0\.0\.1 is loopback/], // decimal
    ['http://0177.0.0.1/', /127\.0\.0\.1 is loopback/], // octal
    ['http://127.1/', /127\.0\.0\.1 is loopback/], // short form
    ['http://%31%32%37.0.0.1/', /127\.0\.0\.1 is loopback/], // percent-encoded
    ['http://10.1.2.3/', /10\.1\.2\.3 is private \(10\.0\.0\.0\/8\)/],
    ['http://172.20.0.1/', /private \(172\.16\.0\.0\/12\)/],
    ['http://192.168.1.1/', /private \(192\.168\.0\.0\/16\)/],
    ['http://169.254.169.254/latest/meta-data/', /link-local, where clouds serve instance metadata \(169\.254\.0\.0\/16\)/],
    ['http://[::ffff:10.0.0.1]/', /10\.0\.0\.1 \(IPv4-mapped\), private \(10\.0\.0\.0\/8\)/],
    ['http://[::ffff:7f00:1]/', /127\.0\.0\.1 \(IPv4-mapped\), loopback/],
    ['http://[64:ff9b::169.254.169.254]/', /169\.254\.169\.254 \(NAT64\), link-local/],
    ['http://100.64.0.1/', /CGNAT shared address space \(100\.64\.0\.0\/10\)/],
    ['http://0.0.0.0/', /unspecified/],
    ['http://[::]/', /:: is unspecified/],
    ['http://224.0.0.251/', /multicast/],
    ['http://[ff02::1]/', /multicast/],
    ['http://255.255.255.255/', /reserved/],
    ['http://192.0.2.10/', /documentation/],
    ['http://[2001:db8::1]/', /documentation/],
    ['http://[fd12:3456::1]/', /unique-local \(fc00::\/7\)/],
    ['http://[fe80::1]/', /link-local \(fe80::\/10\)/],
    ['http://[::10.0.0.1]/', /IPv4-compatible/],
    ['http://localhost:3000/', /localhost always means this machine/],
    ['http://api.localhost/', /always means this machine/],
    ['ftp://x/', /scheme ftp: is not accepted/],
    ['file:///etc/passwd', /scheme file: is not accepted/],
    ['javascript:alert(1)', /scheme javascript: is not accepted/],
    ['http://user:pw@x/', /user name or password/],
    ['https://token@example.com/', /user name or password/],
    ['https://example.com/hook#part', /fragment/],
    ['https://example.com/hook#', /fragment/],
    ['example.com/hook', /not an absolute URL/],
    ['https://exa mple.com/', /not an absolute URL/],
    [' https://example.com/', /control characters or leading\/trailing spaces/],
    ['https://example.com/\nhook', /control characters/],
    [`https://example.com/${'a'.repeat(2048)}`, /at most 2048/],
    [`https://example.com/${'한'.repeat(300)}`, /once normalised; at most 2048/], // 300 characters, 2700 once percent-encoded
  ];
  it.each(refused)('refuses %s', (url, reason) => {
    let err: unknown;
    try {
      checkEndpointUrl(url, { allowPrivate: false });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EndpointUrlError);
    expect(err).toBeInstanceOf(FirmbankError);
    expect((err as EndpointUrlError).code).toBe('FB_WEBHOOK_URL');
    expect((err as EndpointUrlError).message).toMatch(reason);
    expect((err as EndpointUrlError).message).toMatch(/^webhook endpoint /);
  });

  const accepted: [url: string, href: string][] = [
    ['https://example.com/hook', 'https://example.com/hook'],
    ['https://hooks.example.com:8443/v1/in?team=7', 'https://hooks.example.com:8443/v1/in?team=7'],
    ['http://8.8.8.8/in', 'http://8.8.8.8/in'],
    ['https://[2606:4700:4700::1111]/in', 'https://[2606:4700:4700::1111]/in'],
    ['https://[::ffff:8.8.8.8]/in', 'https://[::ffff:808:808]/in'], // mapped, but a public address
    ['HTTPS://Example.COM/Hook', 'https://example.com/Hook'],
    ['https://은행.example/웹훅', 'https://xn--zs5b84x.example/%EC%9B%B9%ED%9B%85'],
    ['https://internal-name/hook', 'https://internal-name/hook'], // names are judged by what they resolve to
  ];
  it.each(accepted)('accepts %s', (url, href) => {
    expect(checkEndpointUrl(url, { allowPrivate: false }).href).toBe(href);
  });

  it('never shows the user part, path or query of a refused URL', () => {
    const e = (() => {
      try {
        checkEndpointUrl('http://alice:s3cret@10.0.0.1/hook/tok_123?key=k_456', { allowPrivate: false });
      } catch (err) {
        return err as EndpointUrlError;
      }
      throw new Error('accepted');
    })();
    expect(e.endpoint).toBe('http://10.0.0.1');
    expect(e.message).not.toMatch(/alice|s3cret|tok_123|k_456/);
  });

  it('lets private and loopback addresses through with allowPrivate, and nothing else', () => {
    expect(checkEndpointUrl('http://127.0.0.1:8080/in', { allowPrivate: true }).port).toBe('8080');
    expect(checkEndpointUrl('http://[::1]/in', { allowPrivate: true }).hostname).toBe('[::1]');
    expect(checkEndpointUrl('http://localhost/in', { allowPrivate: true }).hostname).toBe('localhost');
    for (const url of ['ftp://127.0.0.1/', 'http://u:p@127.0.0.1/', 'http://127.0.0.1/#x']) {
      expect(() => checkEndpointUrl(url, { allowPrivate: true })).toThrow(EndpointUrlError);
    }
  });

  it('refuses every spelling of every private IPv4 address that WHATWG URL accepts', () => {
    const octets = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
    const spellings = (n: number) => {
      const [a, b, c, d] = octets(n) as [number, number, number, number];
      return [
        `${a}.${b}.${c}.${d}`,
        String(n),
        `0x${n.toString(16)}`,
        `0${a.toString(8)}.0${b.toString(8)}.0${c.toString(8)}.0${d.toString(8)}`,
        `0x${a.toString(16)}.${b}.${(c << 8) | d}`,
        `${a}.${(b << 16) | (c << 8) | d}`,
        `[::ffff:${a}.${b}.${c}.${d}]`,
      ];
    };
    const inRange = (base: number, bits: number) => fc.nat({ max: 2 ** (32 - bits) - 1 }).map((low) => (base + low) >>> 0);
    const privateV4 = fc.oneof(
      inRange(10 << 24, 8),
      inRange(127 << 24, 8),
      inRange(((172 << 24) | (16 << 16)) >>> 0, 12),
      inRange(((192 << 24) | (168 << 16)) >>> 0, 16),
      inRange(((169 << 24) | (254 << 16)) >>> 0, 16),
      inRange(((100 << 24) | (64 << 16)) >>> 0, 10),
    );
    fc.assert(
      fc.property(privateV4, (n) => {
        for (const host of spellings(n)) {
          expect(() => checkEndpointUrl(`http://${host}/`, { allowPrivate: false }), host).toThrow(EndpointUrlError);
        }
      }),
    );
    // And any address: every spelling is judged as the dotted form is.
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 32 - 1 }), (n) => {
        const verdicts = spellings(n).map((host) => {
          try {
            checkEndpointUrl(`http://${host}/`, { allowPrivate: false });
            return 'accepted';
          } catch {
            return 'refused';
          }
        });
        expect(new Set(verdicts).size).toBe(1);
        expect(verdicts[0]).toBe(refusedRange(octets(n).join('.')) ? 'refused' : 'accepted');
      }),
    );
  });

  it('classifies addresses as they come back from a resolver', () => {
    expect(describeRefusal('1.1.1.1')).toBeNull();
    expect(describeRefusal('2001:4860:4860::8888')).toBeNull();
    expect(describeRefusal('fe80::1%eth0')).toMatch(/link-local/);
    expect(describeRefusal('::ffff:127.0.0.1')).toMatch(/127\.0\.0\.1 \(IPv4-mapped\), loopback/);
    expect(describeRefusal('4000::1')).toMatch(/not global unicast/);
    expect(describeRefusal('172.32.0.1')).toBeNull(); // just past 172.16.0.0/12
    expect(describeRefusal('100.128.0.1')).toBeNull(); // just past 100.64.0.0/10
    expect(() => refusedRange('example.com')).toThrow(RangeError);
  });

  it('judges an IPv6 address the same in every textual form', () => {
    // Random addresses, most of them under a prefix that matters, the rest anywhere.
    const prefixes = [[], [0, 0, 0, 0, 0, 0xffff], [0x64, 0xff9b, 0, 0, 0, 0], [0x64, 0xff9b, 1], [0xfc00], [0xfdff], [0xfe80], [0xfebf], [0xfec0], [0xff02], [0x2001, 0xdb8], [0x2001, 0x1ff], [0x2002], [0x3fff, 0x0fff], [0x3fff, 0x1000], [0x2606, 0x4700], [0x4000], [0, 0, 0, 0, 0, 0, 0]];
    const v6 = fc.tuple(fc.constantFrom(...prefixes), fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 })).map(([head, rest]) => [...head, ...rest.slice(head.length)]);
    fc.assert(
      fc.property(v6, (groups) => {
        const full = groups.map((g) => g.toString(16).padStart(4, '0')).join(':');
        const short = new URL(`http://[${full}]/`).hostname.slice(1, -1); // WHATWG's compressed form
        const g6 = groups[6]!;
        const g7 = groups[7]!;
        const v4tail = `${groups.slice(0, 6).map((g) => g.toString(16)).join(':')}:${g6 >> 8}.${g6 & 255}.${g7 >> 8}.${g7 & 255}`;
        const verdicts = [full, short, v4tail, `${full}%eth0`].map((a) => JSON.stringify(refusedRange(a)));
        expect(new Set(verdicts).size, `${full}: ${verdicts.join(' | ')}`).toBe(1);
        const urlVerdict = (() => {
          try {
            checkEndpointUrl(`http://[${full}]/`, { allowPrivate: false });
            return 'null';
          } catch {
            return 'refused';
          }
        })();
        expect(urlVerdict === 'null').toBe(verdicts[0] === 'null');
      }),
      { numRuns: 500 },
    );
  });

  describe('resolveDeliveryAddress', () => {
    const fake = (answers: Record<string, string[]>): HostLookup & { calls: string[] } => {
      const calls: string[] = [];
      const lookup = async (host: string) => {
        calls.push(host);
        const found = answers[host];
        if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
        return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
      };
      return Object.assign(lookup, { calls });
    };
    const lookup = fake({
      'public.example': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
      'mixed.example': ['93.184.215.14', '10.0.0.5'],
      'mapped.example': ['2606:2800:21f:cb07:6820:80da:af6b:8b2c', '::ffff:127.0.0.1'],
      'metadata.example': ['169.254.169.254'],
      'empty.example': [],
      'weird.example': ['not-an-address'],
    });
    const url = (host: string) => checkEndpointUrl(`https://${host}/hook`, { allowPrivate: false });

    it('returns the first address when all are public', async () => {
      await expect(resolveDeliveryAddress(url('public.example'), { allowPrivate: false, lookup })).resolves.toEqual({ address: '93.184.215.14', family: 4 });
    });

    it.each([
      ['mixed.example', /mixed\.example resolves to 10\.0\.0\.5, which is private \(10\.0\.0\.0\/8\)/],
      ['mapped.example', /resolves to ::ffff:127\.0\.0\.1, which is 127\.0\.0\.1 \(IPv4-mapped\), loopback/],
      ['metadata.example', /resolves to 169\.254\.169\.254, which is link-local/],
      ['weird.example', /not an IP address/],
    ])('refuses %s: any refused address refuses the host', async (host, reason) => {
      const p = resolveDeliveryAddress(url(host), { allowPrivate: false, lookup });
      await expect(p).rejects.toThrow(EndpointUrlError);
      await expect(p).rejects.toThrow(reason);
    });

    it('lets private answers through with allowPrivate', async () => {
      await expect(resolveDeliveryAddress(url('mixed.example'), { allowPrivate: true, lookup })).resolves.toEqual({ address: '93.184.215.14', family: 4 });
      await expect(resolveDeliveryAddress(url('metadata.example'), { allowPrivate: true, lookup })).resolves.toEqual({ address: '169.254.169.254', family: 4 });
    });

    it('takes an IP literal as it is, without asking the resolver', async () => {
      const before = lookup.calls.length;
      await expect(resolveDeliveryAddress(new URL('https://[2606:4700::1111]/'), { allowPrivate: false, lookup })).resolves.toEqual({ address: '2606:4700::1111', family: 6 });
      await expect(resolveDeliveryAddress(new URL('http://127.0.0.1:9/'), { allowPrivate: false, lookup })).rejects.toThrow(/loopback/);
      await expect(resolveDeliveryAddress(new URL('http://127.0.0.1:9/'), { allowPrivate: true, lookup })).resolves.toEqual({ address: '127.0.0.1', family: 4 });
      expect(lookup.calls.length).toBe(before);
    });

    it('reports a name that does not resolve, or not in time, as a DNS failure (retryable), not a refusal', async () => {
      const nx = resolveDeliveryAddress(url('nx.example'), { allowPrivate: false, lookup });
      await expect(nx).rejects.toThrow(EndpointDnsError);
      await expect(nx).rejects.toMatchObject({ code: 'FB_WEBHOOK_DNS', host: 'nx.example', message: expect.stringMatching(/ENOTFOUND/) });
      await expect(resolveDeliveryAddress(url('empty.example'), { allowPrivate: false, lookup })).rejects.toThrow(/resolves to no address/);
      const started = Date.now();
      const hang: HostLookup = () => new Promise(() => {});
      await expect(resolveDeliveryAddress(url('slow.example'), { allowPrivate: false, lookup: hang, timeoutMs: 100 })).rejects.toThrow(/no answer from the resolver within 100 ms/);
      expect(Date.now() - started).toBeLessThan(2_000);
    });
  });
});

/** A local receiver; every server and socket is closed after each test. */
const servers: { close(): void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

function listen(server: Server | ReturnType<typeof createNetServer>): Promise<number> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  servers.push({
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

interface Received {
  headers: IncomingMessage['headers'];
  body: Buffer;
  url: string;
}

/** An HTTP receiver on 127.0.0.1 that reads each request whole, records it, then lets `answer` respond. */
async function receiver(answer: (res: ServerResponse, got: Received) => void): Promise<{ port: number; got: Received[] }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { headers: req.headers, body: Buffer.concat(chunks), url: req.url ?? '' };
      got.push(r);
      answer(res, r);
    });
  });
  return { port: await listen(server), got };
}

const LOCAL = { address: '127.0.0.1', family: 4 } as const;
const EVENT = JSON.stringify({ id: 'evt_1', type: 'transfer.succeeded', data: { account: '****6789', memo: '급여' } });

function post(port: number, over: Partial<DeliveryRequest> = {}, path = '/in'): Promise<DeliveryResult> {
  const url = checkEndpointUrl(`http://127.0.0.1:${port}${path}`, { allowPrivate: true });
  return deliverWebhook({ url, address: LOCAL, body: EVENT, headers: {}, timeoutMs: 3_000, maxResponseBytes: 64 * 1024, ...over });
}

describe('delivery to a real local receiver', () => {
  it('posts the signed JSON to the pinned address, with the URL host as Host; the receiver verifies it', async () => {
    const { port, got } = await receiver((res, r) => {
      const ok = verifySignature(String(r.headers['firmbank-signature']), r.body, [NEW], { now: new Date() });
      res.writeHead(ok ? 204 : 401).end();
    });
    // `.invalid` never resolves (RFC 2606): the only way to reach the receiver is the pinned address.
    const url = checkEndpointUrl(`http://hooks.invalid:${port}/in?team=7`, { allowPrivate: false });
    const result = await deliverWebhook({
      url,
      address: LOCAL,
      body: EVENT,
      headers: { [SIGNATURE_HEADER]: signPayload([OLD, NEW], EVENT, new Date()), 'Idempotency-Key': 'evt_1', 'Content-Type': 'text/plain', Host: 'evil.example' },
      timeoutMs: 3_000,
      maxResponseBytes: 1024,
    });
    expect(result).toMatchObject({ ok: true, status: 204, retryable: false, error: null });
    expect(result.ms).toBeGreaterThanOrEqual(0);
    expect(got).toHaveLength(1);
    const [r] = got as [Received];
    expect(r.url).toBe('/in?team=7');
    expect(r.headers.host).toBe(`hooks.invalid:${port}`);
    expect(r.headers['content-type']).toBe('application/json'); // ours, whatever the caller passed
    expect(r.headers['idempotency-key']).toBe('evt_1');
    expect(r.body.toString('utf8')).toBe(EVENT);
    expect(Number(r.headers['content-length'])).toBe(Buffer.byteLength(EVENT));
  });

  it.each([
    [200, true, false],
    [202, true, false],
    [500, false, true],
    [502, false, true],
    [503, false, true],
    [408, false, true],
    [425, false, true],
    [429, false, true],
    [400, false, false],
    [401, false, false],
    [404, false, false],
    [410, false, false],
    [422, false, false],
  ])('HTTP %i: ok %s, retryable %s', async (status, ok, retryable) => {
    const { port } = await receiver((res) => res.writeHead(status, { 'content-type': 'application/json' }).end('{"error":"nope"}\u0000\r\n'));
    const result = await post(port);
    expect(result).toMatchObject({ ok, status, retryable });
    if (ok) expect(result.error).toBeNull();
    else expect(result.error).toMatch(new RegExp(`^HTTP ${status}`));
    if (!ok && !retryable) expect(result.error).toBe(`HTTP ${status}: the endpoint refused the event; not retried: "{\\"error\\":\\"nope\\"}"`);
  });

  it('does not follow a redirect: a failure, retryable, and the target never hears of it', async () => {
    const target = await receiver((res) => res.writeHead(200).end());
    const { port } = await receiver((res) => res.writeHead(301, { location: `http://127.0.0.1:${target.port}/elsewhere` }).end());
    const result = await post(port);
    expect(result).toMatchObject({ ok: false, status: 301, retryable: true });
    expect(result.error).toMatch(/redirect to ".*\/elsewhere" not followed/);
    await new Promise((r) => setTimeout(r, 100));
    expect(target.got).toHaveLength(0);
  });

  it('gives up on a receiver that never answers, at the deadline, retryable', async () => {
    const { port, got } = await receiver(() => {}); // reads the request, never answers
    const result = await post(port, { timeoutMs: 400 });
    expect(got).toHaveLength(1);
    expect(result).toMatchObject({ ok: false, status: null, retryable: true, error: 'no complete answer within 400 ms' });
    expect(result.ms).toBeGreaterThanOrEqual(350); // the event loop's clock may lag performance.now() a little
    expect(result.ms).toBeLessThan(2_500);
  });

  it('gives up on a receiver that trickles its answer: one deadline for all of it, not an idle timeout', async () => {
    const { port } = await receiver((res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const tick = setInterval(() => res.write('.'), 50);
      res.on('close', () => clearInterval(tick));
    });
    const result = await post(port, { timeoutMs: 500 });
    expect(result).toMatchObject({ ok: false, status: 200, retryable: true });
    expect(result.error).toMatch(/no complete answer within 500 ms \(HTTP 200 arrived, its body did not\)/);
    expect(result.ms).toBeLessThan(2_000);
  });

  it('stops reading a 10 MB answer at maxResponseBytes and drops the connection', async () => {
    const TEN_MB = 10 * 1024 * 1024;
    let written = 0;
    let closed = false;
    const { port } = await receiver((res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }); // chunked: no length said
      // 64 KiB every 2 ms at most: fast, yet slow enough that loopback socket buffers (megabytes) cannot
      // swallow all 10 MB before the client hangs up, so what was written says whether it read on.
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const more = () => {
        if (closed) return;
        if (written >= TEN_MB) return void res.end();
        written += chunk.length;
        if (res.write(chunk)) setTimeout(more, 2);
        else res.once('drain', more);
      };
      res.on('close', () => (closed = true));
      more();
    });
    const result = await post(port, { maxResponseBytes: 100_000 });
    expect(result).toMatchObject({ ok: false, status: 200, retryable: true });
    expect(result.error).toMatch(/body exceeds 100000 bytes; stopped reading/);
    await new Promise((r) => setTimeout(r, 200));
    expect(closed).toBe(true);
    expect(written).toBeLessThan(TEN_MB); // the sender was cut off, not read to the end
  });

  it('refuses an answer that declares more than maxResponseBytes before reading any of it', async () => {
    const { port } = await receiver((res) => {
      res.writeHead(200, { 'content-length': String(10 * 1024 * 1024) });
      res.write(Buffer.alloc(1024)); // and then nothing: waiting for the rest would be a hang
    });
    const result = await post(port, { maxResponseBytes: 4096, timeoutMs: 5_000 });
    expect(result).toMatchObject({ ok: false, status: 200, retryable: true });
    expect(result.error).toMatch(/declares 10485760 bytes of body; at most 4096 are read/);
    expect(result.ms).toBeLessThan(1_000);
  });

  it('accepts an answer of exactly maxResponseBytes', async () => {
    const { port } = await receiver((res) => res.writeHead(200).end(Buffer.alloc(4096, 0x62)));
    expect(await post(port, { maxResponseBytes: 4096 })).toMatchObject({ ok: true, status: 200 });
  });

  it('reports a refused connection as retryable, without a status', async () => {
    const server = createNetServer();
    const port = await listen(server);
    await new Promise((r) => server.close(r)); // the port was ours a moment ago: nobody listens now
    const result = await post(port);
    expect(result).toMatchObject({ ok: false, status: null, retryable: true });
    expect(result.error).toMatch(/connection refused .*ECONNREFUSED/);
  });

  it.each([
    ['garbage instead of HTTP', (s: Socket) => s.end('SMTP ready\r\n\r\n'), /not valid HTTP \(HPE_/],
    ['a reset connection', (s: Socket) => s.resetAndDestroy(), /ECONNRESET\)$/],
    ['a close before answering', (s: Socket) => s.end(), /closed the connection without an answer \(ECONNRESET\)/],
    ['oversized headers', (s: Socket) => s.end(`HTTP/1.1 200 OK\r\nx: ${'a'.repeat(70_000)}\r\n\r\n`), /headers exceed 16 KiB/],
    ['an answer cut off midway', (s: Socket) => s.end('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nshort'), /broke off during the answer \(HTTP 200\)/],
  ])('reports %s as retryable', async (_name, act, reason) => {
    const server = createNetServer((s) => {
      s.once('data', () => act(s));
      s.on('error', () => {});
    });
    const port = await listen(server);
    const result = await post(port);
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(result.error).toMatch(reason);
  });

  it('refuses a request it cannot make (a caller bug), rather than report it as a delivery', async () => {
    await expect(post(1, { timeoutMs: 0 })).rejects.toThrow(RangeError);
    await expect(post(1, { maxResponseBytes: -1 })).rejects.toThrow(RangeError);
    await expect(deliverWebhook({ url: new URL('ftp://127.0.0.1/'), address: LOCAL, body: '', headers: {}, timeoutMs: 1000, maxResponseBytes: 0 })).rejects.toThrow(RangeError);
    await expect(deliverWebhook({ url: new URL('http://127.0.0.2/'), address: LOCAL, body: '', headers: {}, timeoutMs: 1000, maxResponseBytes: 0 })).rejects.toThrow(/not the pinned 127\.0\.0\.1/);
  });
});

/** A self-signed certificate for hooks.test, made with openssl when the machine has it. */
function makeCertificate(): { key: string; cert: string } | null {
  const dir = mkdtempSync(join(tmpdir(), 'fb-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=hooks.test', '-addext', 'subjectAltName=DNS:hooks.test', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } catch {
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const tls = makeCertificate();

describe.skipIf(!tls)('delivery over TLS (needs openssl to make a certificate)', () => {
  let port = 0;
  let close: { close(): void } | undefined;
  const sni: (string | false | null)[] = [];
  beforeAll(async () => {
    const server = createHttpsServer({ key: tls!.key, cert: tls!.cert }, (req, res) => {
      sni.push((req.socket as TLSSocket).servername);
      req.resume().on('end', () => res.writeHead(200).end('ok'));
    });
    server.on('tlsClientError', () => {});
    port = await listen(server);
    close = servers.pop()!; // kept for the whole describe, not closed after each test
  });
  afterAll(() => close?.close());
  const send = (host: string, ca?: string) =>
    deliverWebhook({ url: new URL(`https://${host}:${port}/in`), address: LOCAL, body: EVENT, headers: {}, timeoutMs: 3_000, maxResponseBytes: 1024, ...(ca ? { ca } : {}) });

  it('connects to the pinned address and checks the certificate against the URL host, sent as SNI', async () => {
    expect(await send('hooks.test', tls!.cert)).toMatchObject({ ok: true, status: 200 });
    expect(sni).toEqual(['hooks.test']);
  });

  it('reports an untrusted certificate as a retryable TLS failure', async () => {
    const result = await send('hooks.test');
    expect(result).toMatchObject({ ok: false, status: null, retryable: true });
    expect(result.error).toMatch(/^TLS: .*SELF_SIGNED/);
  });

  it('reports a certificate for another name as a retryable TLS failure', async () => {
    const result = await send('other.test', tls!.cert);
    expect(result).toMatchObject({ ok: false, status: null, retryable: true });
    expect(result.error).toMatch(/^TLS: .*ERR_TLS_CERT_ALTNAME_INVALID/);
  });
});

describe('backoff', () => {
  const attempt = fc.integer({ min: 1, max: 10_000 });
  const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

  it('waits between half the ceiling and the ceiling, in whole ms, never over an hour', () => {
    fc.assert(
      fc.property(attempt, unit, (a, r) => {
        const ms = nextAttemptDelayMs(a, () => r);
        const ceiling = backoffCeilingMs(a);
        expect(Number.isInteger(ms)).toBe(true);
        expect(ms).toBeGreaterThanOrEqual(ceiling / 2);
        expect(ms).toBeLessThanOrEqual(ceiling);
        expect(ms).toBeLessThanOrEqual(BACKOFF_CAP_MS);
      }),
    );
    expect([1, 2, 3, 4, 9, 10, 100, 10_000].map((a) => backoffCeilingMs(a) / 1000)).toEqual([10, 20, 40, 80, 2560, 3600, 3600, 3600]);
  });

  it('has ceilings that double, then stay at the cap; for the same dice, a later attempt never waits less', () => {
    fc.assert(
      fc.property(attempt, unit, (a, r) => {
        expect(backoffCeilingMs(a + 1)).toBe(Math.min(2 * backoffCeilingMs(a), BACKOFF_CAP_MS));
        expect(nextAttemptDelayMs(a + 1, () => r)).toBeGreaterThanOrEqual(nextAttemptDelayMs(a, () => r));
      }),
    );
  });

  it('is never negative nor unbounded whatever the random source returns', () => {
    const anyNumber = fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Infinity, -Infinity, -1, 1, 2, -0));
    fc.assert(
      fc.property(attempt, anyNumber, (a, r) => {
        const ms = nextAttemptDelayMs(a, () => r);
        expect(ms).toBeGreaterThanOrEqual(backoffCeilingMs(a) / 2);
        expect(ms).toBeLessThanOrEqual(backoffCeilingMs(a));
      }),
    );
    for (const bad of [0, -1, 1.5, Number.NaN, Infinity]) expect(() => nextAttemptDelayMs(bad)).toThrow(RangeError);
  });

  it('reaches 24 hours within 56 waits whatever the dice, and not before 32', () => {
    fc.assert(
      fc.property(fc.array(unit, { minLength: 80, maxLength: 80 }), (dice) => {
        let total = 0;
        let attempts = 1; // the first delivery
        for (const r of dice) {
          if (total >= DEAD_LETTER_AFTER_MS) break;
          total += nextAttemptDelayMs(attempts, () => r);
          attempts += 1;
        }
        expect(total).toBeGreaterThanOrEqual(DEAD_LETTER_AFTER_MS);
        expect(attempts - 1).toBeLessThanOrEqual(56);
        expect(attempts - 1).toBeGreaterThanOrEqual(32);
      }),
    );
    expect(BACKOFF_BASE_MS).toBe(10_000);
  });

  it('dead-letters an event exactly when it is maxAgeMs old, monotonically in time', () => {
    const date = fc.date({ min: new Date('2020-01-01'), max: new Date('2040-01-01'), noInvalidDate: true });
    fc.assert(
      fc.property(date, fc.integer({ min: -DEAD_LETTER_AFTER_MS, max: 3 * DEAD_LETTER_AFTER_MS }), fc.nat({ max: 10 * DEAD_LETTER_AFTER_MS }), (first, age, later) => {
        const now = new Date(first.getTime() + age);
        const dead = isDeadLetter(first, now);
        expect(dead).toBe(age >= DEAD_LETTER_AFTER_MS);
        if (dead) expect(isDeadLetter(first, new Date(now.getTime() + later))).toBe(true);
      }),
    );
    const first = new Date('2026-03-01T00:00:00Z');
    expect(isDeadLetter(first, new Date('2026-03-01T23:59:59.999Z'))).toBe(false);
    expect(isDeadLetter(first, new Date('2026-03-02T00:00:00Z'))).toBe(true);
    expect(isDeadLetter(first, new Date('2026-03-01T01:00:00Z'), 3_600_000)).toBe(true);
    expect(() => isDeadLetter(first, new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe('SecretBox', () => {
  const KEY = Buffer.alloc(32, 7).toString('base64');
  const OTHER_KEY = Buffer.alloc(32, 8).toString('base64');
  const box = new SecretBox(KEY);

  it('opens what it sealed, for any string, and never seals the same secret alike twice', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme' }), hangul, fc.constant(generateEndpointSecret())), (plain) => {
        const a = box.seal(plain);
        const b = box.seal(plain);
        expect(a).toMatch(/^v1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]*$/);
        expect(a).not.toBe(b);
        expect(box.open(a)).toBe(plain);
        expect(box.open(b)).toBe(plain);
        expect(new SecretBox(KEY.replace(/\+/g, '-').replace(/\//g, '_').replace(/=$/, '')).open(a)).toBe(plain); // base64url key: the same key
        if (plain.length >= 4) expect(a).not.toContain(Buffer.from(plain).toString('base64url'));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a sealed value changed in any one character', () => {
    const secret = generateEndpointSecret();
    const sealed = box.seal(secret);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_:v';
    fc.assert(
      fc.property(fc.nat({ max: sealed.length - 1 }), fc.constantFrom(...alphabet), (at, c) => {
        fc.pre(sealed[at] !== c);
        const changed = sealed.slice(0, at) + c + sealed.slice(at + 1);
        expect(() => box.open(changed)).toThrow(SecretBoxError);
      }),
      { numRuns: 500 },
    );
    for (const bad of ['', 'v1', `v2${sealed.slice(2)}`, `${sealed}:x`, sealed.slice(0, -1), sealed.replace(/:[^:]*$/, ':'), secret]) {
      expect(() => box.open(bad), bad).toThrow(SecretBoxError);
    }
  });

  it('refuses to open under another key, saying so without showing anything secret', () => {
    const sealed = box.seal('whsec_abc');
    let err: unknown;
    try {
      new SecretBox(OTHER_KEY).open(sealed);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SecretBoxError);
    expect(err).toMatchObject({ code: 'FB_SECRET_BOX', message: expect.stringMatching(/does not open: .*FIRMBANK_SECRET_KEY/) });
    expect((err as Error).message).not.toMatch(/whsec_abc|AAAA|BwcH/);
  });

  it('takes only a 32-byte base64 key, and never shows it', () => {
    const bad = [
      '',
      'short',
      Buffer.alloc(31, 1).toString('base64'),
      Buffer.alloc(33, 1).toString('base64'),
      `${KEY.slice(0, -2)}!=`,
      `${KEY.slice(0, -2)}B=`, // 43 characters whose last one has spare bits set: not canonical
      Buffer.alloc(32, 7).toString('hex'),
    ];
    for (const key of bad) {
      expect(() => new SecretBox(key, 'FIRMBANK_SECRET_KEY'), key).toThrow(SecretBoxError);
      try {
        new SecretBox(key);
      } catch (e) {
        expect((e as Error).message).toMatch(/^FIRMBANK_SECRET_KEY must be 32 random bytes in base64/);
        if (key.length > 4) expect((e as Error).message).not.toContain(key);
      }
    }
    expect(inspect(box)).not.toContain(KEY);
    expect(inspect(box, { showHidden: true })).not.toContain('BwcHBwcH');
    expect(JSON.stringify(box)).toBe('{}');
  });

  it('generates endpoint secrets of 32 random bytes', () => {
    const made = Array.from({ length: 100 }, generateEndpointSecret);
    for (const s of made) {
      expect(s).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(s.slice(6), 'base64url')).toHaveLength(32);
    }
    expect(new Set(made).size).toBe(100);
  });
});
