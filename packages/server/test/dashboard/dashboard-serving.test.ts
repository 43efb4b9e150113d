import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** The built dashboard at `/`: caching, the single-page fallback, and the server's own paths kept apart. */
describe('dashboard serving', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ listen: false });
  });
  afterAll(() => server?.close());
  const get = (url: string) => server.app.inject({ method: 'GET', url });

  it('serves index.html at / and at client routes, revalidated every time, with a strict CSP', async () => {
    for (const url of ['/', '/users/42', '/data-settings', '/setup?token=abc']) {
      const page = await get(url);
      expect(page.statusCode, url).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['cache-control']).toBe('no-cache');
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      expect(page.body).toContain('<div id="root">');
    }
  });

  it('serves hashed assets as immutable for a year', async () => {
    const index = (await get('/')).body;
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(index)?.[1] as string;
    expect(script).toBeDefined();
    const asset = await get(script);
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await get('/assets/missing-abc.js')).statusCode).toBe(404);
    expect((await get('/assets/..%2f..%2fpackage.json')).statusCode).toBe(404);
  });

  it('never answers the page for server paths: a miss there is a JSON 404', async () => {
    for (const url of [
      '/api/nothing',
      '/v1/nothing',
      '/openapi.json/x',
      '/sdk/nothing',
      '/health/x',
      '/metrics/x',
    ]) {
      const answer = await get(url);
      expect(answer.statusCode, url).toBe(404);
      expect(answer.json().error.code, url).toBe('NOT_FOUND');
    }
    expect((await get('/health')).json().ok).toBe(true);
    expect((await get('/openapi.json')).json().openapi).toMatch(/^3/);
  });
});
