import { createGunzip, createInflate } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { RequestError } from '../errors/error-codes.js';

/**
 * JSON bodies as `application/json` or `text/plain` (browsers' beacons skip the CORS preflight
 * that way), gzip- or deflate-encoded or not. The body limit counts inflated bytes, so a small
 * gzip bomb is refused like a large body.
 */
export function registerBodyParsing(app: FastifyInstance): void {
  // Ids, names and searches in the URL cannot hold NUL either (PostgreSQL refuses it in text).
  app.addHook('onRequest', async (request) => {
    if (request.url.includes('%00')) {
      throw new RequestError(
        'INVALID_BODY',
        'the URL contains %00 (a NUL character); no id or name holds one',
      );
    }
  });
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
    // Fastify checks Content-Length against `receivedEncodedLength`: the bytes sent, not inflated.
    const inflated = Object.assign(payload.pipe(inflate), { receivedEncodedLength: 0 });
    payload.on('data', (chunk: Buffer) => {
      inflated.receivedEncodedLength += chunk.length;
    });
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
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        return done(
          new RequestError('INVALID_JSON', `the body is not valid JSON: ${(error as Error).message}`),
          undefined,
        );
      }
      if (!UNSTORABLE_ESCAPE.test(text)) return done(null, parsed);
      try {
        parsed = replaceUnstorableText(parsed);
      } catch {
        return done(new RequestError('TOO_DEEPLY_NESTED', 'the body is nested too deeply'), undefined);
      }
      done(null, parsed);
    },
  );
}

/** `\u0000` and unpaired surrogates: valid JSON, but PostgreSQL cannot store them in text or jsonb. */
const UNSTORABLE_ESCAPE = /\\u(0000|d[89a-f])/i;
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is one of the characters replaced.
const UNSTORABLE_CHARACTER = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * The parsed body with NUL characters and unpaired surrogates replaced by U+FFFD in every string
 * and key, as invalid UTF-8 bytes already are, so that every backend stores the same text.
 */
function replaceUnstorableText(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(UNSTORABLE_CHARACTER, '\ufffd');
  if (Array.isArray(value)) return value.map(replaceUnstorableText);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key.replace(UNSTORABLE_CHARACTER, '\ufffd'),
      replaceUnstorableText(inner),
    ]),
  );
}
