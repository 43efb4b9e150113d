import { Analytics } from '@segment/analytics-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';
import { apiClient, at, IPHONE_UA } from './api-client.js';

describeEachBackend(
  'Segment compatibility',
  (backend) => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ backend });
    });
    afterAll(() => server.close());

    it(`${backend}: @segment/analytics-node pointed at Acquaint stores identify, track, page and alias`, async () => {
      const requests: { url: string; authorization: string | undefined }[] = [];
      const statuses: number[] = [];
      const analytics = new Analytics({
        writeKey: server.writeKey,
        host: server.url,
        flushAt: 3,
        maxRetries: 0,
      });
      analytics.on('http_request', (r) =>
        requests.push({ url: r.url, authorization: r.headers.Authorization }),
      );
      analytics.on('http_response', (r) => statuses.push(r.status));
      const errors: unknown[] = [];
      analytics.on('error', (e) => errors.push(e));

      const context = { userAgent: IPHONE_UA, page: { url: 'https://shop.example/?utm_source=newsletter' } };
      // Explicit times: the two batches may arrive in either order.
      const time = (minutes: number) => new Date(at(minutes));
      analytics.page({ anonymousId: 'anon-phone', name: 'Home', context, timestamp: time(0) });
      analytics.identify({
        anonymousId: 'anon-phone',
        userId: 'user-42',
        traits: { email: 'hana@example.com', plan: 'gold', age: 31 },
        context,
        timestamp: time(1),
      });
      analytics.track({
        userId: 'user-42',
        event: 'Order Completed',
        properties: { revenue: 42.5 },
        context,
        timestamp: time(2),
      });
      analytics.alias({ previousId: 'anon-tablet', userId: 'user-42', timestamp: time(3) });
      analytics.track({
        anonymousId: 'anon-tablet',
        event: 'Viewed Product',
        properties: { sku: 'A-1' },
        timestamp: time(4),
      });
      await analytics.closeAndFlush({ timeout: 5000 });

      expect(errors).toEqual([]);
      expect(requests.length).toBeGreaterThanOrEqual(2);
      for (const r of requests) {
        expect(r.url).toBe(`${server.url}/v1/batch`);
        expect(r.authorization).toBe(`Basic ${Buffer.from(`${server.writeKey}:`).toString('base64')}`);
      }
      expect(statuses).toEqual(requests.map(() => 200));

      const api = apiClient(server);
      const profile = (await api.get('/api/users/user-42')).json();
      expect(profile).toMatchObject({
        user_id: 'user-42',
        identified: true,
        bound: true,
        attributes: { email: 'hana@example.com', plan: 'gold', age: 31, $first_utm_source: 'newsletter' },
      });
      expect(profile.devices.map((d: { anonymous_id: string }) => d.anonymous_id).sort()).toEqual([
        'anon-phone',
        'anon-tablet',
      ]);
      expect(
        profile.devices.find((d: { anonymous_id: string }) => d.anonymous_id === 'anon-phone'),
      ).toMatchObject({
        device_type: 'mobile',
        os: 'iOS',
      });

      const timeline = (await api.get('/api/users/user-42/events')).json();
      expect(timeline.total).toBe(5);
      expect(
        timeline.events.map((e: { type: string; name: string | null }) => `${e.type}:${e.name}`).sort(),
      ).toEqual([
        'alias:null',
        'identify:null',
        'page:Home',
        'track:Order Completed',
        'track:Viewed Product',
      ]);
      const order = timeline.events.find((e: { name: string }) => e.name === 'Order Completed');
      expect(order.properties).toEqual({ revenue: 42.5 });
      expect(order.message_id).toMatch(/.+/);
    });

    it(`${backend}: a retried Segment batch (same messageIds) is stored once`, async () => {
      const analytics = new Analytics({
        writeKey: server.writeKey,
        host: server.url,
        flushAt: 1,
        maxRetries: 0,
      });
      const batches: string[] = [];
      analytics.on('http_request', (r) => batches.push(r.body));
      analytics.track({ userId: 'user-retry', event: 'Signed Up' });
      await analytics.closeAndFlush({ timeout: 5000 });
      expect(batches).toHaveLength(1);

      const replay = await fetch(`${server.url}/v1/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: batches[0],
      });
      expect(replay.status).toBe(200);
      expect((await replay.json()).warnings[0].code).toBe('DUPLICATE_MESSAGE_ID');
      const timeline = (await apiClient(server).get('/api/users/user-retry/events')).json();
      expect(timeline.total).toBe(1);
    });
  },
  { ingestionLog: true },
);
