import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';
import { apiClient, at, basicAuth, type TrackingAnswer } from './api-client.js';

/** How many events the person of `userId` has, through the server API. */
async function eventCount(server: TestServer, userId: string): Promise<number> {
  const response = await apiClient(server).get(`/api/users/${encodeURIComponent(userId)}/events`);
  return response.statusCode === 404 ? 0 : (response.json() as { total: number }).total;
}

describeEachBackend(
  'tracking API contract',
  (backend) => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ backend, listen: false });
    });
    afterAll(() => server.close());

    const post = (url: string, body: string | Buffer, headers: Record<string, string> = {}) =>
      server.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', ...headers },
        payload: body,
      });

    it(`${backend}: the write key works as Basic auth user name and as writeKey in the body`, async () => {
      const viaBasic = await post('/v1/track', JSON.stringify({ userId: 'user-basic', event: 'Clicked' }), {
        authorization: basicAuth(server.writeKey),
      });
      expect(viaBasic.statusCode).toBe(200);
      expect(viaBasic.json()).toEqual({ success: true });
      const viaBody = await post(
        '/v1/track',
        JSON.stringify({ writeKey: server.writeKey, userId: 'user-basic', event: 'Clicked again' }),
      );
      expect(viaBody.statusCode).toBe(200);
      expect(await eventCount(server, 'user-basic')).toBe(2);
    });

    it(`${backend}: a missing or unknown write key gets 401 naming the problem and stores nothing`, async () => {
      const missing = await post('/v1/track', JSON.stringify({ userId: 'user-nokey', event: 'Clicked' }));
      expect(missing.statusCode).toBe(401);
      expect(missing.json().error.code).toBe('MISSING_WRITE_KEY');
      const unknown = await post('/v1/track', JSON.stringify({ userId: 'user-nokey', event: 'Clicked' }), {
        authorization: basicAuth('wk_not_a_real_key'),
      });
      expect(unknown.statusCode).toBe(401);
      expect(unknown.json().error).toMatchObject({
        code: 'UNKNOWN_WRITE_KEY',
        message: expect.stringMatching(/write key/),
      });
      const apiKeyAsWriteKey = await post(
        '/v1/track',
        JSON.stringify({ userId: 'user-nokey', event: 'Clicked' }),
        {
          authorization: basicAuth(server.apiKey),
        },
      );
      expect(apiKeyAsWriteKey.statusCode).toBe(401);
      expect(await eventCount(server, 'user-nokey')).toBe(0);
    });

    it(`${backend}: text/plain bodies (beacons) are read as JSON`, async () => {
      const response = await post(
        '/v1/batch',
        JSON.stringify({
          writeKey: server.writeKey,
          batch: [{ type: 'track', userId: 'user-beacon', event: 'Left' }],
        }),
        { 'content-type': 'text/plain;charset=UTF-8' },
      );
      expect(response.statusCode).toBe(200);
      expect(await eventCount(server, 'user-beacon')).toBe(1);
    });

    it(`${backend}: gzip bodies are inflated; corrupt gzip is a 400, not a 500`, async () => {
      const body = gzipSync(
        JSON.stringify({
          writeKey: server.writeKey,
          batch: [{ type: 'track', userId: 'user-gzip', event: 'Zipped' }],
        }),
      );
      const ok = await post('/v1/batch', body, { 'content-encoding': 'gzip' });
      expect(ok.statusCode).toBe(200);
      expect(await eventCount(server, 'user-gzip')).toBe(1);

      const corrupt = Buffer.from(body);
      corrupt.fill(0x41, 12, 30);
      const bad = await post('/v1/batch', corrupt, { 'content-encoding': 'gzip' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.code).toBe('INVALID_JSON');

      const notGzip = await post('/v1/batch', 'plain text, not gzip', { 'content-encoding': 'gzip' });
      expect(notGzip.statusCode).toBe(400);

      const brotli = await post('/v1/batch', body, { 'content-encoding': 'br' });
      expect(brotli.statusCode).toBe(415);
      expect(brotli.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });

    it(`${backend}: CORS is open on the tracking routes (preflight and simple requests)`, async () => {
      const preflight = await server.app.inject({
        method: 'OPTIONS',
        url: '/v1/batch',
        headers: {
          origin: 'https://shop.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,authorization',
        },
      });
      expect(preflight.statusCode).toBeLessThan(300);
      expect(preflight.headers['access-control-allow-origin']).toBe('https://shop.example');
      expect(String(preflight.headers['access-control-allow-methods'])).toContain('POST');
      expect(String(preflight.headers['access-control-allow-headers']).toLowerCase()).toContain(
        'content-type',
      );

      const simple = await post(
        '/v1/track',
        JSON.stringify({ writeKey: server.writeKey, anonymousId: 'anon-cors', event: 'Clicked' }),
        { origin: 'https://shop.example', 'content-type': 'text/plain' },
      );
      expect(simple.statusCode).toBe(200);
      expect(simple.headers['access-control-allow-origin']).toBe('https://shop.example');
    });

    it(`${backend}: a body over 1 MiB is 413, also when a small gzip inflates past it`, async () => {
      const big = JSON.stringify({
        writeKey: server.writeKey,
        batch: [
          { type: 'track', userId: 'user-big', event: 'Big', properties: { pad: 'x'.repeat(1024 * 1024) } },
        ],
      });
      const plain = await post('/v1/batch', big);
      expect(plain.statusCode).toBe(413);
      expect(plain.json().error.code).toBe('PAYLOAD_TOO_LARGE');

      const bomb = gzipSync(big);
      expect(bomb.length).toBeLessThan(20_000);
      const zipped = await post('/v1/batch', bomb, { 'content-encoding': 'gzip' });
      expect(zipped.statusCode).toBe(413);
      expect(zipped.json().error.code).toBe('PAYLOAD_TOO_LARGE');
      expect(await eventCount(server, 'user-big')).toBe(0);
    });

    it(`${backend}: one message over 64 KiB is rejected by index; the rest of the batch is stored`, async () => {
      const response = await apiClient(server).batch([
        { type: 'track', userId: 'user-64k', event: 'Small', messageId: 'm-small-1' },
        {
          type: 'track',
          userId: 'user-64k',
          event: 'Huge',
          messageId: 'm-huge',
          properties: { pad: 'x'.repeat(70_000) },
        },
        { type: 'track', userId: 'user-64k', event: 'Small', messageId: 'm-small-2' },
      ]);
      expect(response.statusCode).toBe(200);
      const answer = response.json() as TrackingAnswer;
      expect(answer.success).toBe(true);
      expect(answer.rejected).toEqual([
        {
          index: 1,
          messageId: 'm-huge',
          code: 'MESSAGE_TOO_LARGE',
          message: expect.stringContaining('limit'),
        },
      ]);
      expect(await eventCount(server, 'user-64k')).toBe(2);
    });

    it(`${backend}: rejected and warnings name the index, messageId, code and problem`, async () => {
      const response = await apiClient(server).batch([
        { type: 'track', userId: 'user-mixed', event: 'Fine', messageId: 'm-fine' },
        { type: 'track', userId: 'user-mixed', messageId: 'm-no-event' },
        { type: 'track', userId: 'user-mixed', event: 'Extra', messageId: 'm-extra', colour: 'red' },
      ]);
      const answer = response.json() as TrackingAnswer;
      expect(answer.rejected).toEqual([
        {
          index: 1,
          messageId: 'm-no-event',
          code: 'MISSING_EVENT_NAME',
          message: expect.stringContaining('event'),
        },
      ]);
      expect(answer.warnings).toEqual([
        { index: 2, messageId: 'm-extra', code: 'UNKNOWN_FIELD', message: expect.stringContaining('colour') },
      ]);
      expect(await eventCount(server, 'user-mixed')).toBe(2);
    });

    it(`${backend}: every single-message route stores its type`, async () => {
      for (const [type, extra] of [
        ['identify', { traits: { plan: 'free' } }],
        ['track', { event: 'Clicked' }],
        ['page', { name: 'Pricing' }],
        ['screen', { name: 'Settings' }],
        ['group', { groupId: 'acme' }],
      ] as const) {
        const response = await apiClient(server).send(type, {
          userId: 'user-routes',
          timestamp: at(1),
          ...extra,
        });
        expect(response.statusCode, type).toBe(200);
      }
      const alias = await apiClient(server).send('alias', { userId: 'user-routes', previousId: 'anon-old' });
      expect(alias.statusCode).toBe(200);
      const timeline = (await apiClient(server).get('/api/users/user-routes/events')).json();
      expect(timeline.events.map((e: { type: string }) => e.type).sort()).toEqual([
        'alias',
        'group',
        'identify',
        'page',
        'screen',
        'track',
      ]);
    });
  },
  { ingestionLog: true, jetstream: true },
);

describeEachBackend('tracking rate limit', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      backend,
      listen: false,
      config: { rateLimitPerSecond: 1, rateLimitBurst: 3 },
    });
  });
  afterAll(() => server.close());

  it(`${backend}: past the project's rate limit the answer is 429 with Retry-After`, async () => {
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<ReturnType<typeof apiClient>['batch']>> | undefined;
    for (let i = 0; i < 5; i++) {
      const response = await apiClient(server).batch([
        { type: 'track', userId: 'user-busy', event: `Click ${i}` },
      ]);
      statuses.push(response.statusCode);
      if (response.statusCode === 429) limited ??= response;
    }
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses.slice(3)).toEqual([429, 429]);
    expect(limited?.json().error.code).toBe('RATE_LIMITED');
    expect(Number(limited?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(await eventCount(server, 'user-busy')).toBe(3);
  });
});
