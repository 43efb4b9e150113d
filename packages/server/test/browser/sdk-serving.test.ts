import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { ensureSdkBuilt } from './support/sdk-build.js';

const require = createRequire(import.meta.url);

describe('the server serves the browser SDK', () => {
  let server: TestServer;
  let bundle: string;
  let version: string;
  beforeAll(async () => {
    ensureSdkBuilt();
    bundle = readFileSync(require.resolve('@acquaint/sdk/dist/acquaint.js'), 'utf8');
    version = (require('@acquaint/sdk/package.json') as { version: string }).version;
    server = await startTestServer({ listen: false });
  });
  afterAll(() => server?.close());

  it('at /sdk.js, the current version, cached for 5 minutes and revalidated by ETag', async () => {
    const response = await server.app.inject({ url: '/sdk.js' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(response.headers['cache-control']).toBe('public, max-age=300');
    expect(response.body).toBe(bundle);

    const etag = String(response.headers.etag);
    const revalidated = await server.app.inject({ url: '/sdk.js', headers: { 'if-none-match': etag } });
    expect(revalidated.statusCode).toBe(304);
    expect(revalidated.body).toBe('');
  });

  it('at /sdk/<version>/acquaint.js, cached for a year as immutable', async () => {
    const response = await server.app.inject({ url: `/sdk/${version}/acquaint.js` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.body).toBe(bundle);
  });

  it('answers another version with a 404 that names the one it has', async () => {
    const response = await server.app.inject({ url: '/sdk/0.0.1/acquaint.js' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: {
        code: 'NOT_FOUND',
        message: `this server serves SDK version ${version}, not 0.0.1; /sdk.js is always the current one`,
      },
    });
  });
});
