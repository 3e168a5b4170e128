import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { EndpointDnsError } from './endpoint-dns-error.js';
import { EndpointUrlError } from './endpoint-url-error.js';
import { describeRefusal } from './ip-ranges.js';

/** Longest endpoint URL accepted, in characters (as given and once normalised). */
export const MAX_ENDPOINT_URL_LENGTH = 2048;

export interface EndpointUrlOptions {
  /** Let private, loopback and other non-public addresses through: tests and local development only. */
  readonly allowPrivate: boolean;
}

/** Where a delivery connects: one address of the endpoint's host, checked and pinned. */
export interface DeliveryAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Resolves a host name to all its addresses, as `dns.promises.lookup(host, { all: true })` does. */
export type HostLookup = (host: string) => Promise<readonly { address: string; family: number }[]>;

export interface ResolveOptions extends EndpointUrlOptions {
  /** Defaults to the system resolver (`dns.promises.lookup`, which reads /etc/hosts as connections do). */
  readonly lookup?: HostLookup;
  /** How long resolving may take before it counts as failed (getaddrinfo has no deadline of its own). */
  readonly timeoutMs?: number;
}

const systemLookup: HostLookup = (host) => dnsLookup(host, { all: true });

/** What of a URL may be shown in an error: scheme, host and port, never the user part, path or query. */
function shown(url: URL): string {
  return url.host ? `${url.protocol}//${url.host}` : url.protocol;
}

/** The host of a URL as an address or name, without the brackets of an IPv6 literal. */
function bareHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Checks a webhook endpoint URL before it is registered, and returns it parsed (normalised by WHATWG URL
 * rules: store `href` of the result, not the text given). Refused, with the reason:
 * - anything but `http:` and `https:`, a URL without a host, a user name or password in the URL (it would
 *   sit in clear in the endpoint table and travel as Basic auth), a fragment (never sent: a sign of a
 *   mistake), more than {@link MAX_ENDPOINT_URL_LENGTH} characters, control characters or surrounding
 *   spaces (which a URL parser silently drops, so what was checked would not be what was typed);
 * - unless `allowPrivate`: a literal IP address in a non-public range (private, loopback, link-local, CGNAT,
 *   unspecified, multicast, reserved, documentation, unique-local; see `ip-ranges.ts`), and `localhost`
 *   names. WHATWG URL has already turned `0x7f000001`, `2130706433`, `0177.0.0.1` and `127.1` into
 *   `127.0.0.1` by then, so those odd spellings are caught as what they mean.
 *
 * Host names are not resolved here: that is {@link resolveDeliveryAddress}'s job, at each delivery, since
 * what a name points to can change after registration.
 *
 * @throws EndpointUrlError naming the endpoint (scheme, host and port only) and the reason.
 */
export function checkEndpointUrl(url: string, opts: EndpointUrlOptions): URL {
  if (url.length > MAX_ENDPOINT_URL_LENGTH) {
    throw new EndpointUrlError('(not shown)', `the URL is ${url.length} characters long; at most ${MAX_ENDPOINT_URL_LENGTH} are accepted`);
  }
  if (/[\u0000-\u001f\u007f]/.test(url) || url !== url.trim()) {
    throw new EndpointUrlError('(not shown)', 'the URL contains control characters or leading/trailing spaces');
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new EndpointUrlError('(not a URL)', 'the text is not an absolute URL');
  }
  const refuse = (reason: string): never => {
    throw new EndpointUrlError(shown(parsed), reason);
  };
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') refuse(`scheme ${parsed.protocol} is not accepted; use https: (or http:)`);
  if (parsed.username || parsed.password) refuse('the URL carries a user name or password; authenticate the webhook by its signature instead');
  if (!parsed.hostname) refuse('the URL has no host');
  if (parsed.href.includes('#')) refuse('the URL has a fragment (#…), which is never sent to the endpoint');
  if (parsed.href.length > MAX_ENDPOINT_URL_LENGTH) refuse(`the URL is ${parsed.href.length} characters long once normalised; at most ${MAX_ENDPOINT_URL_LENGTH} are accepted`);
  if (!opts.allowPrivate) {
    const host = bareHost(parsed);
    const refusal = isIP(host) ? describeRefusal(host) : null;
    if (refusal) refuse(`${refusal}; non-public addresses are refused (a webhook must not reach the internal network)`);
    if (/(^|\.)localhost\.?$/i.test(host)) refuse(`${host} always means this machine (RFC 6761); loopback is refused`);
  }
  return parsed;
}

/**
 * The address a delivery to `url` must connect to. Resolves the host (an IP literal is taken as it is) and
 * refuses when ANY of its addresses is in a refused range, not only the one returned: a name that mixes a
 * public and a private address is an attack or a mistake either way. The caller connects to the returned
 * address without resolving again (`deliverWebhook` pins it), so a name cannot answer a public address to
 * this check and a private one to the connection (DNS rebinding). Call it again for each delivery.
 *
 * The first address in resolver order is returned: getaddrinfo sorts by RFC 6724, which already prefers
 * the family this machine can reach.
 *
 * @throws EndpointUrlError when an address is refused (not worth retrying until the endpoint is fixed).
 * @throws EndpointDnsError when the host does not resolve, or not in time (worth retrying).
 */
export async function resolveDeliveryAddress(url: URL, opts: ResolveOptions): Promise<DeliveryAddress> {
  const host = bareHost(url);
  const literal = isIP(host);
  const found = literal ? [{ address: host, family: literal }] : await lookupInTime(host, opts.lookup ?? systemLookup, opts.timeoutMs ?? 10_000);
  if (found.length === 0) throw new EndpointDnsError(host, 'the name resolves to no address');
  for (const { address } of found) {
    if (!isIP(address)) throw new EndpointUrlError(shown(url), `${host} resolves to ${JSON.stringify(address)}, which is not an IP address`);
    const refusal = opts.allowPrivate ? null : describeRefusal(address, literal ? undefined : host);
    if (refusal) throw new EndpointUrlError(shown(url), `${refusal}; non-public addresses are refused (a webhook must not reach the internal network)`);
  }
  const first = found[0]!.address;
  return { address: first, family: isIP(first) === 6 ? 6 : 4 };
}

async function lookupInTime(host: string, lookup: HostLookup, timeoutMs: number): Promise<readonly { address: string; family: number }[]> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new EndpointDnsError(host, `no answer from the resolver within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([lookup(host), late]);
  } catch (e) {
    if (e instanceof EndpointDnsError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new EndpointDnsError(host, code === 'ENOTFOUND' ? 'no such host (ENOTFOUND)' : `the name does not resolve (${code ?? String(e)})`);
  } finally {
    clearTimeout(timer);
  }
}
