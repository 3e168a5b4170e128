/**
 * A URL as it may be shown to people (stdout, logs, error messages): the password of its user part and any
 * `password=` query parameter become `***`; the user name, host, port and path stay, as they are what an
 * operator needs to recognise the setting. Text that is not a `scheme://` URL (a SQLite path) is returned
 * as it is.
 *
 * The user part is taken up to the last `@`, so that a password written with an unencoded `@`, `/`, `?`
 * or `#` is still hidden whole: showing too little of a URL is better than showing a secret.
 */
export function maskUrl(url: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0];
  if (!scheme) return url;
  let rest = url.slice(scheme.length);
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    const colon = userinfo.indexOf(':');
    if (colon >= 0) rest = `${userinfo.slice(0, colon)}:***${rest.slice(at)}`;
  }
  return scheme + rest.replace(/([?&](?:password|sslpassword)=)[^&#]*/gi, '$1***');
}
