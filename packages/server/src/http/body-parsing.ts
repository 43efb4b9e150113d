import { createGunzip, createInflate } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RequestError } from '../errors/error-codes.js';
import { parseJsonBody } from '../ingestion/json-body.js';

/**
 * JSON bodies as `application/json` or `text/plain` (browsers' beacons skip the CORS preflight
 * that way), gzip- or deflate-encoded or not. The body limit counts inflated bytes, so a small
 * gzip bomb is refused like a large body.
 */
export function registerBodyParsing(app: FastifyInstance): void {
  // Ids, names and searches in the URL cannot hold NUL either (PostgreSQL refuses it in text).
  // Both hooks are callback-style: they run on every request (decide's hot path) and wait for
  // nothing, so they need no promise.
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.url.includes('%00')) {
      done(
        new RequestError('INVALID_BODY', 'the URL contains %00 (a NUL character); no id or name holds one'),
      );
      return;
    }
    done();
  });
  app.addHook('preParsing', (request, _reply, payload, done) => {
    const encoding = String(request.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding === 'identity') {
      done(null, payload);
      return;
    }
    if (encoding !== 'gzip' && encoding !== 'deflate') {
      done(
        new RequestError(
          'UNSUPPORTED_MEDIA_TYPE',
          `content-encoding "${encoding}" is not supported; use gzip or none`,
        ),
      );
      return;
    }
    const inflate = encoding === 'gzip' ? createGunzip() : createInflate();
    // Fastify checks Content-Length against `receivedEncodedLength`: the bytes sent, not inflated.
    const inflated = Object.assign(payload.pipe(inflate), { receivedEncodedLength: 0 });
    payload.on('data', (chunk: Buffer) => {
      inflated.receivedEncodedLength += chunk.length;
    });
    payload.on('error', (error) => inflated.destroy(error));
    // A body refused before it is read (an unsupported Content-Type) is never consumed: its bad
    // gzip must not become an uncaught 'error' event. Readers that consume it hear of it too.
    inflated.on('error', () => {});
    done(null, inflated);
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'buffer' }, parseJson);
}

/**
 * Reads every body of the routes of `app` (a plugin's scope) as JSON, whatever its Content-Type
 * says or when it has none: Segment libraries label their JSON in many ways (RudderStack's Node
 * SDK sends gzip JSON as `application/x-www-form-urlencoded`). DESIGN §4: tracking bodies are JSON.
 */
export function readEveryBodyAsJson(app: FastifyInstance): void {
  app.addContentTypeParser('*', { parseAs: 'buffer' }, parseJson);
}

function parseJson(
  request: FastifyRequest,
  body: string | Buffer,
  done: (error: Error | null, body?: unknown) => void,
): void {
  // Kept as received where a route asks (tracking): the ingestion log stores the bytes rather
  // than serialising them again.
  if (request.routeOptions.config.keepRawBody) request.rawBody = body as Buffer;
  try {
    done(null, parseJsonBody((body as Buffer).toString('utf8')));
  } catch (error) {
    done(error as Error, undefined);
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The request body's bytes (after gzip is undone), for JSON and text bodies of routes that keep it. */
    rawBody?: Buffer;
  }
  interface FastifyContextConfig {
    /** The route reads `request.rawBody`. */
    keepRawBody?: boolean;
  }
}
