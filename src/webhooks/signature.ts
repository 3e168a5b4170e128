import { createHmac, timingSafeEqual } from 'node:crypto';

/** The request header that carries the signature of a webhook delivery. */
export const SIGNATURE_HEADER = 'Firmbank-Signature';

/** How long a rotated-out endpoint secret keeps signing beside the new one (both `v1=` are sent). */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;

/** How far a signature's timestamp may be from the verifier's clock, either way, by default. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Longer headers are refused unread: a verifier must not spend work on whatever a caller sends. */
const MAX_HEADER_LENGTH = 4096;

export interface VerifyOptions {
  /** The verifier's clock. */
  readonly now: Date;
  /** Seconds a timestamp may be old (or ahead, for clock skew); default {@link DEFAULT_TOLERANCE_SECONDS}. */
  readonly toleranceSeconds?: number;
}

function digest(secret: string, timestamp: string, body: string | Buffer): Buffer {
  // `<t>.<body>`: the timestamp is signed with the body, so a captured delivery cannot be replayed later
  // under a fresh timestamp. Strings are signed as UTF-8, as they are sent.
  return createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(body).digest();
}

function checkSecrets(secrets: readonly string[], fn: string): void {
  if (secrets.length === 0) throw new RangeError(`${fn}: at least one secret is needed`);
  if (secrets.some((s) => s.length === 0)) throw new RangeError(`${fn}: a secret may not be empty`);
}

/**
 * The `Firmbank-Signature` header value for a delivery of `body` at `now`:
 * `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, with one `v1=` per secret. An endpoint
 * has two secrets while its secret is rotated: receivers that still know only the old one, and those that
 * already know the new one, both find a signature they can check.
 *
 * `body` must be the exact bytes sent (a string is sent and signed as UTF-8). A secret is used whole as
 * the HMAC key, `whsec_` prefix included, as the service is shown it.
 *
 * @throws RangeError when `secrets` is empty or holds an empty secret, or `now` is invalid (bugs).
 */
export function signPayload(secrets: readonly string[], body: string | Buffer, now: Date): string {
  checkSecrets(secrets, 'signPayload');
  if (Number.isNaN(now.getTime())) throw new RangeError('signPayload: now is an invalid Date');
  const t = String(Math.floor(now.getTime() / 1000));
  return [`t=${t}`, ...secrets.map((s) => `v1=${digest(s, t, body).toString('hex')}`)].join(',');
}

/**
 * True when `header` (a `Firmbank-Signature` value) holds a `v1` signature of `body` by one of `secrets`,
 * made within `toleranceSeconds` of `opts.now` (either way). False for anything else: a malformed header
 * (no or several `t=`, a `t` that is not digits, an entry without `=`, a `v1` that is not 64 lowercase hex
 * digits, no `v1` at all), a timestamp too old or too far ahead, a body or timestamp changed after
 * signing, or another secret. Entries of other schemes (`v0=`, a future `v2=`) are ignored, so that a sender can add
 * a scheme without breaking verifiers. Signatures are compared in constant time.
 *
 * `body` must be the raw bytes received, before any JSON parsing: re-serialising changes them.
 *
 * @throws RangeError when `secrets` is empty or holds an empty secret, or the tolerance is not a
 *   non-negative number (configuration bugs, not something a sender can cause).
 */
export function verifySignature(header: string, body: string | Buffer, secrets: readonly string[], opts: VerifyOptions): boolean {
  checkSecrets(secrets, 'verifySignature');
  const tolerance = opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (!(tolerance >= 0)) throw new RangeError(`verifySignature: toleranceSeconds must be a non-negative number, got ${tolerance}`);
  if (header.length > MAX_HEADER_LENGTH) return false;

  let t: string | null = null;
  const signatures: Buffer[] = [];
  for (const item of header.split(',')) {
    const eq = item.indexOf('=');
    if (eq < 0) return false;
    const key = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    if (key === 't') {
      if (t !== null || !/^\d{1,15}$/.test(value)) return false;
      t = value;
    } else if (key === 'v1') {
      if (!/^[0-9a-f]{64}$/.test(value)) return false;
      signatures.push(Buffer.from(value, 'hex'));
    }
  }
  if (t === null || signatures.length === 0) return false;
  // Written so that an invalid `now` (NaN) refuses rather than passes.
  if (!(Math.abs(opts.now.getTime() / 1000 - Number(t)) <= tolerance)) return false;

  let match = false;
  for (const secret of secrets) {
    const expected = digest(secret, t, body);
    // Every pair is compared, without stopping at a match: the time taken says nothing about which matched.
    for (const sig of signatures) if (timingSafeEqual(sig, expected)) match = true;
  }
  return match;
}

/**
 * What a receiving service can copy to verify a delivery (Node, no dependency): pass the header, the raw
 * request body (a Buffer, before JSON parsing) and the endpoint's secret (`whsec_…`). It accepts any of
 * several `v1` signatures, so it keeps working through a secret rotation on our side.
 */
export const VERIFY_SNIPPET = `import { createHmac, timingSafeEqual } from 'node:crypto';

// header: the Firmbank-Signature request header; rawBody: the request body as received (Buffer or string).
export function verifyFirmbankSignature(header, rawBody, secret, toleranceSeconds = 300) {
  const items = String(header ?? '').split(',').map((item) => item.trim().split('='));
  const t = items.find(([key]) => key === 't')?.[1] ?? '';
  if (!/^\\d+$/.test(t) || Math.abs(Date.now() / 1000 - Number(t)) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(\`\${t}.\`).update(rawBody).digest();
  return items.some(([key, sig]) => key === 'v1' && /^[0-9a-f]{64}$/.test(sig ?? '') &&
    timingSafeEqual(Buffer.from(sig, 'hex'), expected));
}
`;
