import { createGunzip, createInflate } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { RequestError } from '../errors/error-codes.js';

/**
 * JSON bodies as `application/json` or `text/plain` (browsers' beacons skip the CORS preflight
 * that way), gzip- or deflate-encoded or not. The body limit counts inflated bytes, so a small
 * gzip bomb is refused like a large body.
 */
export function registerBodyParsing(app: FastifyInstance): void {
  app.addHook('preParsing', async (request, _reply, payload) => {
    const encoding = String(request.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding === 'identity') return payload;
    if (encoding !== 'gzip' && encoding !== 'deflate') {
      throw new RequestError(
        'UNSUPPORTED_MEDIA_TYPE',
        `content-encoding "${encoding}" is not supported; use gzip or none`,
      );
    }
    const inflate = encoding === 'gzip' ? createGunzip() : createInflate();
    const inflated = payload.pipe(inflate);
    payload.on('error', (error) => inflated.destroy(error));
    return inflated;
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ['application/json', 'text/plain'],
    { parseAs: 'string' },
    (_request, body, done) => {
      const text = String(body);
      if (text.trim() === '')
        return done(new RequestError('INVALID_BODY', 'the body is empty; send a JSON object'), undefined);
      try {
        done(null, JSON.parse(text));
      } catch (error) {
        done(
          new RequestError('INVALID_JSON', `the body is not valid JSON: ${(error as Error).message}`),
          undefined,
        );
      }
    },
  );
}
