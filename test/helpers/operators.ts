import type { DataSource } from 'typeorm';
import { OperatorAuth } from '../../src/admin/operator-auth.js';
import type { Role } from '../../src/domain/operator.js';
import { OperatorStore } from '../../src/ledger/operator-store.js';

/** An operator's answer: status, parsed JSON (or null), and the raw response. */
export interface OperatorAnswer {
  readonly status: number;
  readonly body: Record<string, unknown> & { code?: string; items?: unknown[] };
  readonly headers: Headers;
}

/** A logged-in operator as a browser is: the session cookie and the CSRF token it was given. */
export interface OperatorClient {
  readonly name: string;
  readonly cookie: string;
  readonly csrf: string;
  request(method: string, path: string, body?: unknown, options?: { csrf?: string | null; cookie?: string | null }): Promise<OperatorAnswer>;
  get(path: string): Promise<OperatorAnswer>;
}

export const TEST_PASSWORD = 'correct horse battery staple';

/** Makes an operator in the database (as `firmbank operator create` does); returns the one-time password. */
export async function createOperator(ds: DataSource, name: string, role: Role, canUnmask = false): Promise<string> {
  const { oneTimePassword } = await new OperatorAuth(new OperatorStore(ds), { now: () => new Date() }).create(name, role, canUnmask);
  return oneTimePassword;
}

/** Sends one admin API request with the given cookie and CSRF token (null: none). */
export async function adminRequest(base: string, method: string, path: string, body: unknown, cookie: string | null, csrf: string | null): Promise<OperatorAnswer> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (cookie) headers['cookie'] = cookie;
  if (csrf) headers['x-csrf-token'] = csrf;
  const res = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    parsed = { text };
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** Logs in through the API; with `changeTo`, changes the one-time password first, as the console makes one do. */
export async function login(base: string, name: string, password: string, changeTo?: string): Promise<OperatorClient> {
  const res = await adminRequest(base, 'POST', '/admin/api/session', { name, password }, null, null);
  if (res.status !== 200) throw new Error(`login of ${name} answered ${res.status}: ${JSON.stringify(res.body)}`);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  let csrf = String(res.body['csrfToken']);
  if (changeTo) {
    const changed = await adminRequest(base, 'POST', '/admin/api/session/password', { current: password, next: changeTo }, cookie, csrf);
    if (changed.status !== 200) throw new Error(`password change of ${name} answered ${changed.status}: ${JSON.stringify(changed.body)}`);
    csrf = String(changed.body['csrfToken']);
  }
  const client: OperatorClient = {
    name,
    cookie,
    csrf,
    request: (method, path, body, options = {}) =>
      adminRequest(base, method, path, body, options.cookie === undefined ? cookie : options.cookie, options.csrf === undefined ? csrf : options.csrf),
    get: (path) => client.request('GET', path),
  };
  return client;
}

/** An operator made and logged in, its one-time password already changed to {@link TEST_PASSWORD}. */
export async function operator(ds: DataSource, base: string, name: string, role: Role, canUnmask = false): Promise<OperatorClient> {
  return login(base, name, await createOperator(ds, name, role, canUnmask), TEST_PASSWORD);
}
