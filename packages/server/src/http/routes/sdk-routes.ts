import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RequestError } from '../../errors/error-codes.js';

const require = createRequire(import.meta.url);

interface SdkBundle {
  version: string;
  code: Buffer;
  etag: string;
}

/** The built bundle of @acquaint/sdk; refuses with a clear message when `npm run build` has not run. */
function loadSdkBundle(): SdkBundle {
  let code: Buffer;
  try {
    code = readFileSync(require.resolve('@acquaint/sdk/dist/acquaint.js'));
  } catch {
    throw new RequestError('NOT_FOUND', 'the browser SDK is not built on this server: run `npm run build`');
  }
  const { version } = require('@acquaint/sdk/package.json') as { version: string };
  const etag = `"${createHash('sha256').update(code).digest('base64url').slice(0, 22)}"`;
  return { version, code, etag };
}

/**
 * The browser SDK. `/sdk.js`, which the snippet loads, is always the current version with a
 * short cache (5 minutes, then revalidated by ETag) so that sites pick up a release within
 * minutes; `/sdk/<version>/acquaint.js` pins one version and may be cached for a year.
 */
export default async function sdkRoutes(app: FastifyInstance): Promise<void> {
  let bundle: SdkBundle | undefined;

  function sendBundle(request: FastifyRequest, reply: FastifyReply, cacheControl: string) {
    bundle ??= loadSdkBundle();
    void reply
      .header('content-type', 'application/javascript; charset=utf-8')
      .header('cache-control', cacheControl)
      .header('etag', bundle.etag);
    if (request.headers['if-none-match'] === bundle.etag) return reply.code(304).send();
    return reply.send(bundle.code);
  }

  app.get('/sdk.js', { schema: { hide: true } }, async (request, reply) =>
    sendBundle(request, reply, 'public, max-age=300'),
  );

  app.get<{ Params: { version: string } }>(
    '/sdk/:version/acquaint.js',
    { schema: { hide: true } },
    async (request, reply) => {
      bundle ??= loadSdkBundle();
      if (request.params.version !== bundle.version) {
        throw new RequestError(
          'NOT_FOUND',
          `this server serves SDK version ${bundle.version}, not ${request.params.version}; /sdk.js is always the current one`,
        );
      }
      return sendBundle(request, reply, 'public, max-age=31536000, immutable');
    },
  );
}
