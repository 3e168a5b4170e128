import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { problemFor, sendProblem } from '../api/problem.js';
import { projectRoot } from '../paths.js';

/** Where `npm run build` puts the console (vite build of admin/). */
export function consoleDir(): string {
  return join(projectRoot(), 'admin', 'dist');
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json']);

/**
 * The console's own rules for the browser: its files only from here (antd writes its styles inline, hence
 * 'unsafe-inline' for styles and nothing else), never framed, no referrer leaving with a transfer's URL.
 */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
} as const;

/**
 * Serves the built console at /admin: a file under /admin/assets/ (hashed names: cached for a year), and
 * for every other path the app's index.html (the app routes in the browser). No session is needed to load
 * the app; every piece of data it shows comes through the admin API, which needs one. Without a build, a
 * page says how to make one.
 */
export function consoleFiles(dir = consoleDir()): FastifyPluginAsync {
  // Compressed once per file and process: the files only change with a build (and a restart).
  const gzipped = new Map<string, Buffer>();
  const send = async (req: FastifyRequest, reply: FastifyReply, file: string, immutable: boolean) => {
    reply.headers(SECURITY_HEADERS).header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache').header('vary', 'accept-encoding');
    reply.type(TYPES[extname(file)] ?? 'application/octet-stream');
    if (!COMPRESSIBLE.has(extname(file)) || !/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) return reply.send(await readFile(file));
    let packed = gzipped.get(file);
    if (!packed) gzipped.set(file, (packed = gzipSync(await readFile(file), { level: 9 })));
    return reply.header('content-encoding', 'gzip').send(packed);
  };
  const index = async (req: FastifyRequest, reply: FastifyReply) => {
    const file = join(dir, 'index.html');
    if (!(await isFile(file))) {
      return reply.code(503).type('text/plain; charset=utf-8').send('The console is not built: run `npm run build` (npm ci does it), then reload.\n');
    }
    return send(req, reply, file, false);
  };

  return async (app) => {
    app.get('/admin', { config: { public: true } }, (_req, reply) => reply.redirect('/admin/', 302));
    app.get('/admin/', { config: { public: true } }, (req, reply) => index(req, reply));
    app.get<{ Params: { '*': string } }>('/admin/*', { config: { public: true } }, async (req, reply) => {
      const path = req.params['*'];
      // An admin API path that matched no route is the API's 404, not the app.
      if (path.startsWith('api/')) return sendProblem(reply, problemFor('FB_NOT_FOUND', `no route ${req.method} ${req.url}`));
      if (path.startsWith('assets/')) {
        const file = normalize(join(dir, path));
        if (!file.startsWith(dir + sep) || !(await isFile(file))) return sendProblem(reply, problemFor('FB_NOT_FOUND', 'no such file'));
        return send(req, reply, file, true);
      }
      return index(req, reply);
    });
  };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
