/** The console's session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site sends it). */
export const SESSION_COOKIE = 'fb_admin';

/** The session token a request carries in its cookie, if any. */
export function sessionTokenOf(cookieHeader: string | undefined): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      // Tokens are base64url: anything else is not ours and is not looked up.
      return /^[A-Za-z0-9_-]{16,128}$/.test(value) ? value : null;
    }
  }
  return null;
}

/**
 * The Set-Cookie value for a new session (or, with `token` null, one that ends it). Path /admin: the
 * services' API never sees it. `secure` when the console is served over TLS.
 */
export function sessionCookie(token: string | null, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${token ?? ''}`,
    'Path=/admin',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${token ? Math.max(0, Math.floor(maxAgeSeconds)) : 0}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}
