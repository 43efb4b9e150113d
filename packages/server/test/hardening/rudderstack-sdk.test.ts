import { gzipSync } from 'node:zlib';
import Analytics from '@rudderstack/rudder-sdk-node';
import { afterEach, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';

/**
 * Issue 11, defect 4: RudderStack's Node SDK, unchanged, against a real server. It posts gzip JSON
 * labelled `application/x-www-form-urlencoded`, which the tracking API reads as JSON (DESIGN §4).
 */
describeEachBackend('RudderStack Node SDK', (backend) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it(`${backend}: identify and track from the SDK reach the profile`, async () => {
    server = await startTestServer({ backend, listen: true });
    const client = new Analytics(server.writeKey, {
      dataPlaneUrl: server.url,
      flushAt: 10,
      flushInterval: 60_000,
      retryCount: 0,
      logLevel: 'error',
    });
    client.identify({ userId: 'user-42', anonymousId: 'anon-laptop', traits: { plan: 'pro' } });
    client.track({ userId: 'user-42', event: 'Signed Up', properties: { source: 'rudder' } });
    const flushed = await new Promise<unknown>((resolve) =>
      client.flush((error?: unknown) => resolve(error)),
    );
    expect(flushed ?? null).toBeNull();
    await server.settled();

    const profile = await server.app.inject({
      url: '/api/users/user-42',
      headers: { authorization: `Bearer ${server.apiKey}` },
    });
    expect(profile.statusCode).toBe(200);
    const body = profile.json();
    expect(body.attributes.plan).toBe('pro');
    expect(body.devices.map((d: { anonymous_id: string }) => d.anonymous_id)).toEqual(['anon-laptop']);
    const events = await server.app.inject({
      url: '/api/users/user-42/events',
      headers: { authorization: `Bearer ${server.apiKey}` },
    });
    expect(events.json().events.map((e: { name: string | null }) => e.name)).toContain('Signed Up');
  });

  it(`${backend}: a gzip JSON body with no Content-Type or any other label is read as JSON`, async () => {
    server = await startTestServer({ backend, listen: false });
    const authorization = `Basic ${Buffer.from(`${server.writeKey}:`).toString('base64')}`;
    for (const [index, label] of [undefined, 'application/octet-stream', 'text/html'].entries()) {
      const response = await server.app.inject({
        method: 'POST',
        url: '/v1/track',
        headers: {
          authorization,
          'content-encoding': 'gzip',
          ...(label === undefined ? {} : { 'content-type': label }),
        },
        payload: gzipSync(JSON.stringify({ userId: 'user-42', event: `Label ${index}` })),
      });
      expect([label, response.statusCode, response.json()]).toEqual([label, 200, { success: true }]);
    }
  });
});
