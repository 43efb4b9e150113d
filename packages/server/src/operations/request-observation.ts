import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { LogLevel } from '../config.js';
import type { Metrics } from './metrics.js';

/** An `X-Request-Id` sent by a proxy is kept when it is short and plain; else one is made. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** A request's id: the proxy's `X-Request-Id` when usable, else a new UUID. */
export function requestIdOf(request: IncomingMessage): string {
  const sent = request.headers['x-request-id'];
  return typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : randomUUID();
}

/**
 * Fastify's logger (pino) writing JSON lines at `level`: one line when a request arrives and one
 * when it is answered, each with the request id (`reqId`); credentials are never logged.
 */
export function loggerOptions(level: LogLevel): FastifyServerOptions['logger'] {
  return {
    level,
    redact: ['req.headers.authorization', 'req.headers.cookie'],
  };
}

/**
 * Every answer carries its request id (`X-Request-Id`), and is counted and timed by method, route
 * pattern (`/api/users/:userId`, `unmatched` for no route) and status.
 */
export function observeRequests(app: FastifyInstance, metrics: Metrics): void {
  // Callback-style hooks: they run on every request and wait for nothing.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    };
    metrics.httpRequests.inc(labels);
    metrics.httpSeconds.observe(labels, reply.elapsedTime / 1000);
    done();
  });
}
