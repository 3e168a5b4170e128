import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header an ARS provider signs its callbacks with. */
export const ARS_SIGNATURE_HEADER = 'X-Ars-Signature';

/** How far a callback's timestamp may be from our clock, either way: 5 minutes. */
export const ARS_SIGNATURE_TOLERANCE_SECONDS = 300;

/** Longer headers are refused unread: a verifier must not spend work on whatever a caller sends. */
const MAX_HEADER_LENGTH = 1024;

function digest(secret: string, t: string, body: Buffer | string): Buffer {
  // `<t>.<body>`: the timestamp is signed with the body, so a captured callback cannot be replayed later
  // under a fresh timestamp.
  return createHmac('sha256', secret).update(`${t}.`, 'utf8').update(body).digest();
}

/**
 * The {@link ARS_SIGNATURE_HEADER} value for `body` sent at `now`:
 * `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. `body` must be the exact bytes sent.
 */
export function signArsBody(secret: string, body: Buffer | string, now: Date): string {
  if (secret.length === 0) throw new RangeError('signArsBody: the secret may not be empty');
  const t = String(Math.floor(now.getTime() / 1000));
  return `t=${t},v1=${digest(secret, t, body).toString('hex')}`;
}

/**
 * Why `header` is not a valid signature of `body` by `secret` at `now` (within `toleranceSeconds`, either
 * way), or null when it is. The reason is for a log line and names no secret material. The signature is
 * compared in constant time; `body` must be the raw bytes received, before any JSON parsing.
 */
export function arsSignatureProblem(header: string | undefined, body: Buffer, secret: string, now: Date, toleranceSeconds = ARS_SIGNATURE_TOLERANCE_SECONDS): string | null {
  if (header === undefined || header === '') return `no ${ARS_SIGNATURE_HEADER} header`;
  if (header.length > MAX_HEADER_LENGTH) return `${ARS_SIGNATURE_HEADER} header too long`;
  let t: string | undefined;
  const signatures: Buffer[] = [];
  for (const item of header.split(',')) {
    const eq = item.indexOf('=');
    if (eq < 0) return `malformed ${ARS_SIGNATURE_HEADER} header`;
    const key = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    if (key === 't') {
      if (t !== undefined || !/^\d{1,15}$/.test(value)) return `malformed ${ARS_SIGNATURE_HEADER} timestamp`;
      t = value;
    } else if (key === 'v1') {
      if (!/^[0-9a-f]{64}$/.test(value)) return `malformed ${ARS_SIGNATURE_HEADER} v1 signature`;
      signatures.push(Buffer.from(value, 'hex'));
    }
    // Other schemes (`v0=`, a future `v2=`) are ignored, so that a provider can add one without breaking us.
  }
  if (t === undefined) return `no timestamp in ${ARS_SIGNATURE_HEADER}`;
  if (signatures.length === 0) return `no v1 signature in ${ARS_SIGNATURE_HEADER}`;
  // Written so that an invalid `now` (NaN) refuses rather than passes.
  const skew = Math.abs(now.getTime() / 1000 - Number(t));
  if (!(skew <= toleranceSeconds)) return `timestamp ${t} is ${Math.round(skew)} s away from our clock (tolerance ${toleranceSeconds} s): stale or replayed`;
  const expected = digest(secret, t, body);
  let match = false;
  // Every signature is compared, without stopping at a match: the time taken says nothing about which matched.
  for (const sig of signatures) if (timingSafeEqual(sig, expected)) match = true;
  return match ? null : 'signature does not match the body (another secret, or the body changed)';
}
