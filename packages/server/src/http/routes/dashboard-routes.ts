import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, sep } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { RequestError } from '../../errors/error-codes.js';

const require = createRequire(import.meta.url);

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Paths that belong to the server, never to the single-page app: a miss there is a JSON 404. */
const SERVER_PREFIXES = ['/api', '/v1', '/openapi.json', '/sdk', '/health', '/ready', '/metrics'];

/**
 * The dashboard's page may load only its own scripts and talk only to this server; styles may be
 * inline (the component library injects them). Values from websites are rendered as text anyway.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

function dashboardDir(): string | null {
  try {
    return join(dirname(require.resolve('@acquaint/dashboard/package.json')), 'dist');
  } catch {
    return null;
  }
}

/**
 * The dashboard (packages/dashboard, built by `npm install`) at `/`: hashed files under `/assets/`
 * cached for a year, `index.html` revalidated every time, and every other page path (a client
 * route such as `/users/42`) answered with `index.html` so the app routes it.
 */
export async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  const root = dashboardDir();
  let index: Buffer | undefined;

  const sendIndex = async (reply: FastifyReply) => {
    if (!root) throw new RequestError('NOT_FOUND', 'the dashboard is not installed on this server');
    try {
      index ??= await readFile(join(root, 'index.html'));
    } catch {
      throw new RequestError('NOT_FOUND', 'the dashboard is not built on this server: run `npm run build`');
    }
    return reply
      .header('content-type', CONTENT_TYPES['.html'])
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'same-origin')
      .send(index);
  };

  app.get('/', { schema: { hide: true } }, (_request, reply) => sendIndex(reply));

  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const path = decodeURIComponent(request.url.split('?')[0]);
    if (SERVER_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) {
      throw new RequestError('NOT_FOUND', `no route ${request.method} ${request.url}`);
    }
    const extension = extname(path);
    if (!extension) return sendIndex(reply);
    const file = root ? normalize(join(root, path)) : '';
    if (!root || !file.startsWith(root + sep) || !CONTENT_TYPES[extension]) {
      throw new RequestError('NOT_FOUND', `no file ${path}`);
    }
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      throw new RequestError('NOT_FOUND', `no file ${path}`);
    }
    const hashed = path.startsWith('/assets/');
    return reply
      .header('content-type', CONTENT_TYPES[extension])
      .header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .send(body);
  });
}
