import type { FastifyInstance } from 'fastify';

/** Where browsers on other sites may call: everything but the server API. */
export function isCrossOriginPath(url: string): boolean {
  return !url.startsWith('/api/');
}

// Header values are built once: the hooks below run on every request (decide's hot path) and
// only copy references. Names are lowercase, as Fastify stores them.
const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE';
// The SDK reads Retry-After to wait out a 429.
const EXPOSED_HEADERS = 'Retry-After';
const PREFLIGHT_MAX_AGE = '86400';
const VARY = 'Origin';
const PREFLIGHT_VARY = 'Origin, Access-Control-Request-Headers';

/**
 * Headers of every answer. CORS by path: browsers may call the public routes (tracking, the SDK,
 * decide) from any site, while the server API (`/api/*`) holds secret keys and answers no
 * cross-origin request (no origin reflected; a preflight is 404, as no route answers it).
 * `X-Content-Type-Options: nosniff` everywhere, errors included. Register before hooks that may
 * refuse a request, so that their answers carry these headers too.
 *
 * Public routes reflect the request's Origin (`Vary: Origin` on every answer) and expose
 * Retry-After; a preflight is answered here, before any key is checked: 204 with the methods, the
 * requested headers and a max age of a day, or 400 when it lacks Origin or
 * Access-Control-Request-Method. The same answers `@fastify/cors` gave with a per-request
 * delegator, without its per-request options objects (issue #9: they were most of what decide's
 * server promoted to the old heap).
 */
export function registerResponseHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('vary', VARY);
    if (!isCrossOriginPath(request.url)) {
      done();
      return;
    }
    const headers = request.headers;
    const origin = headers.origin;
    if (origin) reply.header('access-control-allow-origin', origin);
    reply.header('access-control-expose-headers', EXPOSED_HEADERS);
    if (request.method !== 'OPTIONS') {
      done();
      return;
    }
    if (!origin || !headers['access-control-request-method']) {
      void reply.code(400).type('text/plain').send('Invalid Preflight Request');
      return;
    }
    reply.header('vary', PREFLIGHT_VARY);
    reply.header('access-control-allow-methods', ALLOWED_METHODS);
    const requestedHeaders = headers['access-control-request-headers'];
    if (requestedHeaders !== undefined) {
      reply.header('access-control-allow-headers', requestedHeaders);
    }
    reply.header('access-control-max-age', PREFLIGHT_MAX_AGE);
    // Safari waits for a body on a 204 without Content-Length: 0.
    void reply.code(204).header('content-length', '0').send();
  });
  // Lets Fastify route preflights at all; public ones are answered above, so only the server
  // API's reach this handler, and no route there answers them.
  app.options('*', { schema: { hide: true } }, (_request, reply) => {
    reply.callNotFound();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff');
    done(null, payload);
  });
}
