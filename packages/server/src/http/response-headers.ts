import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';

/** Where browsers on other sites may call: everything but the server API. */
export function isCrossOriginPath(url: string): boolean {
  return !url.startsWith('/api/');
}

/**
 * Headers of every answer. CORS by path: browsers may call the public routes (tracking, the SDK,
 * decide) from any site, while the server API (`/api/*`) holds secret keys and answers no
 * cross-origin request (no origin reflected, no preflight allowed). `X-Content-Type-Options:
 * nosniff` everywhere, errors included. Register before hooks that may refuse a request, so
 * that their answers carry these headers too.
 */
export async function registerResponseHeaders(app: FastifyInstance): Promise<void> {
  const crossOrigin = {
    origin: true,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    // The SDK reads Retry-After to wait out a 429.
    exposedHeaders: ['Retry-After'],
    maxAge: 86400,
  };
  // Both answers are built once, not per request (the delegator runs on every request).
  const sameOriginOnly = { origin: false };
  await app.register(cors, {
    delegator: (request, callback) =>
      callback(null, isCrossOriginPath(request.url ?? '') ? crossOrigin : sameOriginOnly),
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
  });
}
