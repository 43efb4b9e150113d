import { afterEach, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';

/** Issue 11, defects 10 and 11: CORS by path, nosniff, trusted proxies, the last admin key. */
describeEachBackend('the HTTP surface', (backend) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const start = async (config = {}) => {
    server = await startTestServer({ backend, listen: false, config });
    return server;
  };

  it(`${backend}: the server API answers no other origin; tracking and the SDK answer any`, async () => {
    const { app, apiKey } = await start();
    const origin = 'https://evil.example';
    const preflight = (url: string, method: string) =>
      app.inject({
        method: 'OPTIONS',
        url,
        headers: {
          origin,
          'access-control-request-method': method,
          'access-control-request-headers': 'authorization,content-type',
        },
      });
    for (const url of ['/api/users', '/api/keys']) {
      const answer = await preflight(url, 'GET');
      expect([url, answer.headers['access-control-allow-origin']]).toEqual([url, undefined]);
      const get = await app.inject({ url, headers: { origin, authorization: `Bearer ${apiKey}` } });
      expect([url, get.headers['access-control-allow-origin']]).toEqual([url, undefined]);
    }
    for (const url of ['/v1/batch', '/v1/track', '/sdk.js']) {
      const answer = await preflight(url, url === '/sdk.js' ? 'GET' : 'POST');
      expect([url, answer.headers['access-control-allow-origin']]).toEqual([url, origin]);
    }
    // A refusal before the body is read still lets the page read it.
    const refused = await app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: { origin, authorization: `Basic ${Buffer.from('wrong:').toString('base64')}` },
      payload: { event: 'x' },
    });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['access-control-allow-origin']).toBe(origin);
  });

  it(`${backend}: CORS answers in full: preflights, errors, 404s, and none on the server API`, async () => {
    const { app, apiKey } = await start();
    const origin = 'https://shop.example';
    const cors = (headers: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(headers).filter(([name]) => name.startsWith('access-control-') || name === 'vary'),
      );
    const preflight = (url: string, headers: Record<string, string>) =>
      app.inject({ method: 'OPTIONS', url, headers });
    for (const url of ['/v1/decide', '/v1/track?x=1']) {
      const answer = await preflight(url, {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'Content-Type',
      });
      expect([url, answer.statusCode, answer.headers['content-length'], answer.body]).toEqual([
        url,
        204,
        '0',
        '',
      ]);
      expect(cors(answer.headers)).toEqual({
        vary: 'Origin, Access-Control-Request-Headers',
        'access-control-allow-origin': origin,
        'access-control-expose-headers': 'Retry-After',
        'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE',
        'access-control-allow-headers': 'Content-Type',
        'access-control-max-age': '86400',
      });
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
    }
    // No headers asked for, none allowed.
    const bare = await preflight('/v1/decide', { origin, 'access-control-request-method': 'POST' });
    expect(bare.statusCode).toBe(204);
    expect(bare.headers['access-control-allow-headers']).toBeUndefined();
    // A preflight without Origin or the method it asks for is not one.
    const notPreflights: Record<string, string>[] = [{ origin }, { 'access-control-request-method': 'POST' }];
    for (const headers of notPreflights) {
      const invalid = await preflight('/v1/decide', headers);
      expect([invalid.statusCode, invalid.body]).toEqual([400, 'Invalid Preflight Request']);
      expect(invalid.headers['access-control-allow-methods']).toBeUndefined();
    }
    // The server API: no preflight (404, as for any route without one), no origin reflected.
    for (const url of ['/api/users', '/api/no-such-route']) {
      const answer = await preflight(url, {
        origin,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      });
      expect([url, answer.statusCode, answer.json().error.code]).toEqual([url, 404, 'NOT_FOUND']);
      expect([url, cors(answer.headers)]).toEqual([url, { vary: 'Origin' }]);
    }
    const api = await app.inject({
      url: '/api/users',
      headers: { origin, authorization: `Bearer ${apiKey}` },
    });
    expect([api.statusCode, cors(api.headers)]).toEqual([200, { vary: 'Origin' }]);
    // Public answers, errors and 404s included, let the page read them; no Origin, none reflected.
    const publicAnswers = await Promise.all([
      app.inject({ url: '/health', headers: { origin } }),
      app.inject({ method: 'PUT', url: '/v1/decide', headers: { origin } }),
      app.inject({
        method: 'POST',
        url: '/v1/decide',
        payload: '{',
        headers: { origin, 'content-type': 'application/json' },
      }),
    ]);
    expect(publicAnswers.map((a) => [a.statusCode, cors(a.headers)])).toEqual(
      [200, 404, 400].map((status) => [
        status,
        {
          vary: 'Origin',
          'access-control-allow-origin': origin,
          'access-control-expose-headers': 'Retry-After',
        },
      ]),
    );
    const sameSite = await app.inject({ url: '/health' });
    expect(cors(sameSite.headers)).toEqual({
      vary: 'Origin',
      'access-control-expose-headers': 'Retry-After',
    });
  });

  it(`${backend}: every answer, errors included, says nosniff`, async () => {
    const { app, apiKey } = await start();
    const answers = await Promise.all([
      app.inject({ url: '/health' }),
      app.inject({ url: '/api/no-such-route' }),
      app.inject({ url: '/api/users', headers: { authorization: 'Bearer wrong' } }),
      app.inject({ url: '/api/users/nobody', headers: { authorization: `Bearer ${apiKey}` } }),
      app.inject({
        method: 'POST',
        url: '/v1/batch',
        payload: '{',
        headers: { 'content-type': 'application/json' },
      }),
    ]);
    expect(answers.map((a) => [a.statusCode, a.headers['x-content-type-options']])).toEqual([
      [200, 'nosniff'],
      [404, 'nosniff'],
      [401, 'nosniff'],
      [404, 'nosniff'],
      [400, 'nosniff'],
    ]);
  });

  it(`${backend}: X-Forwarded-For is not believed unless proxies are trusted`, async () => {
    const wrongKeys = async (app: TestServer['app']) => {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const response = await app.inject({
          url: '/api/users',
          headers: { authorization: 'Bearer wrong', 'x-forwarded-for': `198.51.100.${i}` },
        });
        statuses.push(response.statusCode);
      }
      return statuses;
    };
    // One failure allowed per address (a burst of 10 × 0.1): forged addresses do not get around it.
    const direct = await start({ failedKeyRateLimitPerSecond: 0.1 });
    expect(await wrongKeys(direct.app)).toEqual([401, 429, 429, 429]);
    await direct.close();
    const proxied = await start({ failedKeyRateLimitPerSecond: 0.1, trustProxy: true });
    expect(await wrongKeys(proxied.app)).toEqual([401, 401, 401, 401]);
  });

  it(`${backend}: the last live admin key cannot be revoked (409); another admin key first`, async () => {
    const { app, apiKey } = await start();
    const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
      app.inject({ method, url, payload, headers: { authorization: `Bearer ${apiKey}` } });
    const keys = (await call('GET', '/api/keys')).json().keys as { id: string; scopes: string[] }[];
    const admin = keys.find((k) => k.scopes.includes('admin'));
    expect(admin).toBeDefined();
    const refused = await call('DELETE', `/api/keys/${admin?.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('LAST_ADMIN_KEY');
    const second = await call('POST', '/api/keys', { name: 'second admin', scopes: ['admin'] });
    expect(second.statusCode).toBe(201);
    expect((await call('DELETE', `/api/keys/${admin?.id}`)).statusCode).toBe(200);
    const revokedSecond = await app.inject({
      method: 'DELETE',
      url: `/api/keys/${second.json().id}`,
      headers: { authorization: `Bearer ${second.json().key}` },
    });
    expect(revokedSecond.statusCode).toBe(409);
  });
});
