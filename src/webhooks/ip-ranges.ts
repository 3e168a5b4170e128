import { isIP } from 'node:net';

/** Why an address may not receive webhooks: the kind of range and the range itself, e.g. `private`, `10.0.0.0/8`. */
export interface RefusedRange {
  readonly kind: string;
  readonly cidr: string;
  /** For an IPv6 address standing for an IPv4 one, e.g. `10.0.0.1 (IPv4-mapped)`: what was judged. */
  readonly asIpv4?: string;
}

interface Range {
  readonly cidr: string;
  readonly bytes: Uint8Array;
  readonly bits: number;
  /** A refusal reason, or (with `embedsIpv4`) the name of a prefix whose last 32 bits are an IPv4 address that decides. */
  readonly kind: string;
  readonly embedsIpv4?: boolean;
}

/**
 * IPv4 ranges a webhook may not reach (IANA special-purpose registry, RFC 6890 and successors). What is not
 * listed is public. 169.254.0.0/16 is named on its own because that is where clouds serve instance
 * metadata (credentials included): the classic target of a server-side request forgery.
 */
const V4: readonly (readonly [string, string])[] = [
  ['0.0.0.0/8', 'unspecified, "this network"'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'CGNAT shared address space'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local, where clouds serve instance metadata'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved for IETF protocol assignments'],
  ['192.0.2.0/24', 'documentation, TEST-NET-1'],
  ['192.88.99.0/24', 'reserved, 6to4 relay anycast'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'reserved for benchmarking'],
  ['198.51.100.0/24', 'documentation, TEST-NET-2'],
  ['203.0.113.0/24', 'documentation, TEST-NET-3'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved for future use, broadcast'],
];

/**
 * IPv6 ranges, checked in order (the first match decides, so the embedded-IPv4 forms come before the
 * IPv4-compatible ::/96 that contains them). Anything outside 2000::/3, the only space IANA hands out as
 * global unicast, is refused as well; the named ranges below it only make the reason clearer.
 */
const V6: readonly (readonly [string, string])[] = [
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['::ffff:0:0/96', 'IPv4-mapped'], // a dual-stack socket connects to the IPv4 address
  ['64:ff9b::/96', 'NAT64'], // the translator connects to the IPv4 address (RFC 6052 well-known prefix)
  ['::/96', 'reserved, IPv4-compatible (deprecated)'],
  ['64:ff9b:1::/48', 'reserved for local-use NAT64'],
  ['100::/64', 'reserved, discard-only'],
  ['2001::/23', 'reserved for IETF protocol assignments, Teredo'],
  ['2001:db8::/32', 'documentation'],
  ['2002::/16', 'reserved, 6to4 (deprecated)'],
  ['3fff::/20', 'documentation'],
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'reserved, site-local (deprecated)'],
  ['ff00::/8', 'multicast'],
];

const GLOBAL_UNICAST_V6 = compile('2000::/3', 'global unicast');

function parseV4(s: string): Uint8Array | null {
  const parts = s.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return Uint8Array.from(parts, Number);
}

/** 16 bytes of an IPv6 address in any textual form `net.isIPv6` accepts (`::`, an IPv4 tail, a `%zone`). */
function parseV6(text: string): Uint8Array | null {
  let s = text.replace(/%.*$/, '');
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.', lastColon)) {
    const v4 = parseV4(s.slice(lastColon + 1));
    if (!v4) return null;
    const hex = (hi: number, lo: number) => ((hi << 8) | lo).toString(16);
    s = `${s.slice(0, lastColon + 1)}${hex(v4[0]!, v4[1]!)}:${hex(v4[2]!, v4[3]!)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string | undefined) => (h ? h.split(':') : []);
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const zeros = 8 - head.length - tail.length;
  if (halves.length === 1 ? zeros !== 0 : zeros < 1) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? zeros : 0).fill('0'), ...tail];
  const out = new Uint8Array(16);
  for (const [i, g] of all.entries()) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
    const n = parseInt(g, 16);
    out[2 * i] = n >> 8;
    out[2 * i + 1] = n & 0xff;
  }
  return out;
}

function compile(cidr: string, kind: string): Range {
  const [addr = '', bits = ''] = cidr.split('/');
  const bytes = addr.includes(':') ? parseV6(addr) : parseV4(addr);
  if (!bytes) throw new Error(`ip-ranges: bad range ${cidr}`);
  return { cidr, bytes, bits: Number(bits), kind };
}

function contains(range: Range, ip: Uint8Array): boolean {
  if (range.bytes.length !== ip.length) return false;
  let bits = range.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((ip[i]! & mask) !== (range.bytes[i]! & mask)) return false;
  }
  return true;
}

const V4_RANGES = V4.map(([cidr, kind]) => compile(cidr, kind));
const EMBEDDING = new Set(['::ffff:0:0/96', '64:ff9b::/96']);
const V6_RANGES = V6.map(([cidr, kind]) => ({ ...compile(cidr, kind), embedsIpv4: EMBEDDING.has(cidr) }));

function refusedV4(ip: Uint8Array): RefusedRange | null {
  const hit = V4_RANGES.find((r) => contains(r, ip));
  return hit ? { kind: hit.kind, cidr: hit.cidr } : null;
}

/**
 * The refused range `address` (an IPv4 or IPv6 address in text, as `net.isIP` accepts it) falls in, or
 * null when it is a public address a webhook may be delivered to. An IPv6 address that stands for an
 * IPv4 one (`::ffff:10.0.0.1`, NAT64 `64:ff9b::a00:1`) is judged by that IPv4 address, as that is where
 * the connection goes.
 *
 * @throws RangeError when `address` is not an IP address at all (callers check with `net.isIP` first).
 */
export function refusedRange(address: string): RefusedRange | null {
  const family = isIP(address);
  if (family === 4) return refusedV4(parseV4(address)!);
  const ip = family === 6 ? parseV6(address) : null;
  if (!ip) throw new RangeError(`refusedRange: not an IP address: ${JSON.stringify(address)}`);
  const hit = V6_RANGES.find((r) => contains(r, ip));
  if (hit?.embedsIpv4) {
    const inner = refusedV4(ip.subarray(12));
    return inner ? { ...inner, asIpv4: `${ip.subarray(12).join('.')} (${hit.kind})` } : null;
  }
  if (hit) return { kind: hit.kind, cidr: hit.cidr };
  if (!contains(GLOBAL_UNICAST_V6, ip)) return { kind: 'reserved, not global unicast', cidr: `outside ${GLOBAL_UNICAST_V6.cidr}` };
  return null;
}

/**
 * {@link refusedRange} in words, for error messages: `10.1.2.3 is private (10.0.0.0/8)`, or with `host`
 * (the name `address` was resolved from) `db.example resolves to 10.1.2.3, which is private (10.0.0.0/8)`;
 * null when the address is public.
 */
export function describeRefusal(address: string, host?: string): string | null {
  const r = refusedRange(address);
  if (!r) return null;
  const what = `${r.asIpv4 ? `${r.asIpv4}, ` : ''}${r.kind} (${r.cidr})`;
  return host ? `${host} resolves to ${address}, which is ${what}` : `${address} is ${what}`;
}
