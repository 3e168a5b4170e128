/**
 * A small typed fetch wrapper over the admin API's generated types (schema.d.ts): the path, its path
 * parameters, query, body and answer are all checked against the contract. Every request is same-origin
 * with the session cookie; every change carries the session's CSRF token. A problem document becomes an
 * ApiError; a 401 (other than a bad login) sends the operator to the login screen.
 */
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type Problem = Schemas['Problem'];

export const API_BASE = '/admin/api';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The paths that have an operation for the method. */
export type PathsFor<M extends Method> = {
  [P in keyof paths]: paths[P][M] extends undefined ? never : P;
}[keyof paths];

type Op<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;

type PathParams<O> = O extends { parameters: { path: infer X } } ? X : never;
type QueryParams<O> = O extends { parameters: { query?: infer X } } ? NonNullable<X> : never;
type JsonBody<O> = O extends { requestBody: { content: { 'application/json': infer X } } } ? X : never;
type JsonOf<R> = R extends { content: { 'application/json': infer X } } ? X : void;

/** What a successful call answers (200, 201 or 202 JSON; nothing for 204). */
export type Answer<O> = O extends { responses: infer R }
  ? R extends { 200: infer X } ? JsonOf<X>
    : R extends { 201: infer X } ? JsonOf<X>
      : R extends { 202: infer X } ? JsonOf<X>
        : void
  : never;

type IfPresent<K extends string, T, Optional extends boolean> = [T] extends [never]
  ? object
  : Optional extends true ? { [k in K]?: T } : { [k in K]: T };

export type RequestOptions<O> = IfPresent<'path', PathParams<O>, false> &
  IfPresent<'query', QueryParams<O>, true> &
  IfPresent<'body', JsonBody<O>, false> & { signal?: AbortSignal };

type Args<O> = object extends RequestOptions<O> ? [options?: RequestOptions<O>] : [options: RequestOptions<O>];

/** A problem document from the API (or what stood in for one). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly field: string | undefined;

  constructor(problem: { status: number; code: string; detail: string; title?: string; field?: string | undefined }) {
    super(problem.detail || problem.title || problem.code);
    this.name = 'ApiError';
    this.status = problem.status;
    this.code = problem.code;
    this.detail = problem.detail || problem.title || problem.code;
    this.field = problem.field;
  }
}

export function isApiError(e: unknown, code?: string): e is ApiError {
  return e instanceof ApiError && (code === undefined || e.code === code);
}

/** What the rest of the app may want to react to, whoever made the call. */
export type ApiEvent =
  | { kind: 'unauthenticated' }
  | { kind: 'forbidden'; error: ApiError }
  | { kind: 'password-change'; error: ApiError }
  | { kind: 'csrf'; error: ApiError };

type Listener = (event: ApiEvent) => void;
const listeners = new Set<Listener>();

export function onApiEvent(listener: Listener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

function emit(event: ApiEvent): void {
  if (listeners.size === 0) {
    if (event.kind === 'unauthenticated' && !window.location.pathname.startsWith('/admin/login')) window.location.assign('/admin/login');
    return;
  }
  for (const l of listeners) l(event);
}

let csrfToken: string | null = null;

/** The session's CSRF token, sent in X-CSRF-Token on every change. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

function fillPath(template: string, params: Record<string, unknown> | undefined): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const v = params?.[name];
    if (v === undefined || v === null) throw new Error(`missing path parameter ${name}`);
    return encodeURIComponent(String(v));
  });
}

function queryString(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    sp.set(k, String(v));
  }
  const s = sp.toString();
  return s ? `?${s}` : '';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function toApiError(res: Response): Promise<ApiError> {
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      const body: unknown = await res.json();
      if (isRecord(body)) {
        return new ApiError({
          status: typeof body.status === 'number' ? body.status : res.status,
          code: typeof body.code === 'string' ? body.code : `HTTP_${res.status}`,
          title: typeof body.title === 'string' ? body.title : res.statusText,
          detail: typeof body.detail === 'string' ? body.detail : res.statusText,
          field: typeof body.field === 'string' ? body.field : undefined,
        });
      }
    } catch {
      // not JSON after all: fall through
    }
  }
  return new ApiError({ status: res.status, code: `HTTP_${res.status}`, detail: res.statusText || `HTTP ${res.status}` });
}

/** The URL of an API path (for links, e.g. a download), with its path parameters and query filled in. */
export function apiUrl<P extends keyof paths>(path: P, params?: { path?: Record<string, string | number>; query?: Record<string, unknown> }): string {
  return `${API_BASE}${fillPath(path, params?.path)}${queryString(params?.query)}`;
}

async function request<M extends Method, P extends PathsFor<M>>(method: M, path: P, options: RequestOptions<Op<P, M>> | undefined): Promise<Answer<Op<P, M>>> {
  const opts: { path?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown; signal?: AbortSignal } = options ?? {};
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'get' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(`${API_BASE}${fillPath(path, opts.path)}${queryString(opts.query)}`, {
      method: method.toUpperCase(),
      credentials: 'same-origin',
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError({ status: 0, code: 'NETWORK', detail: e instanceof Error ? e.message : String(e) });
  }
  if (!res.ok) {
    const error = await toApiError(res);
    if (error.status === 401 && error.code !== 'FB_ADMIN_BAD_LOGIN') {
      setCsrfToken(null);
      emit({ kind: 'unauthenticated' });
    } else if (error.status === 403 && error.code === 'FB_ADMIN_FORBIDDEN') {
      emit({ kind: 'forbidden', error });
    } else if (error.status === 403 && error.code === 'FB_ADMIN_PASSWORD_CHANGE') {
      emit({ kind: 'password-change', error });
    } else if (error.status === 403 && error.code === 'FB_ADMIN_CSRF') {
      emit({ kind: 'csrf', error });
    }
    throw error;
  }
  if (res.status === 204 || res.headers.get('content-length') === '0') return undefined as Answer<Op<P, M>>;
  const answer: Answer<Op<P, M>> = await res.json();
  return answer;
}

/** The admin API, one method per HTTP verb, typed by the contract. */
export const api = {
  get: <P extends PathsFor<'get'>>(path: P, ...[options]: Args<Op<P, 'get'>>) => request('get', path, options),
  post: <P extends PathsFor<'post'>>(path: P, ...[options]: Args<Op<P, 'post'>>) => request('post', path, options),
  put: <P extends PathsFor<'put'>>(path: P, ...[options]: Args<Op<P, 'put'>>) => request('put', path, options),
  patch: <P extends PathsFor<'patch'>>(path: P, ...[options]: Args<Op<P, 'patch'>>) => request('patch', path, options),
  delete: <P extends PathsFor<'delete'>>(path: P, ...[options]: Args<Op<P, 'delete'>>) => request('delete', path, options),
};

/** The query parameters of a GET path. */
export type QueryOf<P extends PathsFor<'get'>> = QueryParams<Op<P, 'get'>>;
/** The JSON body of a path's operation. */
export type BodyOf<P extends keyof paths, M extends Method> = JsonBody<Op<P, M>>;
/** What a path's operation answers. */
export type AnswerOf<P extends keyof paths, M extends Method> = Answer<Op<P, M>>;
