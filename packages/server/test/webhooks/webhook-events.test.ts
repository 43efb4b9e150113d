import { afterAll, beforeAll, expect, it } from 'vitest';
import { apiClient, at } from '../api/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';
import { startReceiver, verifySignature } from '../support/webhook-receiver.js';

const fast = {
  webhooksAllowPrivate: true,
  webhookPollMs: 50,
  webhookRetryBaseMs: 200,
  webhookTimeoutMs: 2000,
};

describeEachBackend(
  'webhooks: identify, merge and attribute changes reach a real receiver',
  (backend) => {
    let server: TestServer;
    let api: ReturnType<typeof apiClient>;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let secret: string;
    let webhookId: string;

    beforeAll(async () => {
      server = await startTestServer({ backend, listen: false, config: fast });
      api = apiClient(server);
      receiver = await startReceiver();
      const created = await api.post('/api/webhooks', {
        url: receiver.url,
        events: ['user.identified', 'user.merged', 'user.attributes_changed'],
        attributes: ['plan'],
      });
      expect(created.statusCode).toBe(201);
      ({ secret, id: webhookId } = created.json());
    });
    afterAll(async () => {
      await server.close();
      await receiver.close();
    });

    it(`${backend}: the secret is shown once and stored only sealed`, async () => {
      expect(secret).toMatch(/^whsec_/);
      const shown = await api.get(`/api/webhooks/${webhookId}`);
      expect(shown.statusCode).toBe(200);
      expect(shown.json()).toMatchObject({
        id: webhookId,
        url: receiver.url,
        status: 'active',
        attributes: ['plan'],
      });
      expect(JSON.stringify(shown.json())).not.toContain(secret);
      expect(JSON.stringify((await api.get('/api/webhooks')).json())).not.toContain(secret);
      const rows = await server.store.db.selectFrom('webhooks').selectAll().execute();
      expect(JSON.stringify(rows)).not.toContain(secret.slice(6));
    });

    it(`${backend}: an identify sends user.identified, signed as the docs say`, async () => {
      await api.batch([
        { type: 'identify', anonymousId: 'anon-laptop', userId: 'user-42', timestamp: at(1) },
      ]);
      await server.settled();
      await receiver.waitFor(() => receiver.ofType('user.identified').length === 1);
      const [got] = receiver.ofType('user.identified');
      expect(verifySignature(secret, got.body, got.signature)).toBe(true);
      expect(verifySignature('whsec_wrong', got.body, got.signature)).toBe(false);
      expect(verifySignature(secret, got.body.replace('user-42', 'user-43'), got.signature)).toBe(false);
      expect(got.payload).toMatchObject({
        type: 'user.identified',
        occurred_at: at(1),
        project_id: server.projectId,
        data: { user_id: 'user-42', anonymous_id: 'anon-laptop', attributes: { plan: null } },
      });
      expect(got.payload.id).toMatch(/^dlv_/);
    });

    it(`${backend}: an anonymous phone signing in merges: user.merged, then user.identified`, async () => {
      await api.batch([
        { type: 'track', anonymousId: 'anon-phone', event: 'Viewed', timestamp: at(2) },
        { type: 'identify', anonymousId: 'anon-phone', userId: 'user-42', timestamp: at(3) },
      ]);
      await server.settled();
      await receiver.waitFor(() => receiver.ofType('user.merged').length === 1);
      await receiver.waitFor(() => receiver.ofType('user.identified').length === 2);
      const merged = receiver.ofType('user.merged')[0];
      const person = (await api.get('/api/users/user-42')).json();
      expect(merged.payload.data).toMatchObject({ user_id: 'user-42', person_id: person.person_id });
      expect(receiver.ofType('user.identified')[1].payload.data).toMatchObject({
        user_id: 'user-42',
        anonymous_id: 'anon-phone',
      });
      const order = receiver.received.map((r) => r.payload.type);
      expect(order.indexOf('user.merged')).toBeLessThan(order.lastIndexOf('user.identified'));
    });

    it(`${backend}: user.attributes_changed fires for watched attributes on a real change only`, async () => {
      const before = receiver.ofType('user.attributes_changed').length;
      await api.batch([
        { type: 'identify', userId: 'user-42', traits: { plan: 'gold', city: 'Osaka' }, timestamp: at(4) },
      ]);
      await server.settled();
      await receiver.waitFor(() => receiver.ofType('user.attributes_changed').length === before + 1);
      const changed = receiver.ofType('user.attributes_changed').at(-1);
      expect(changed?.payload.data).toMatchObject({
        user_id: 'user-42',
        changes: { plan: { previous: null, current: 'gold' } },
        attributes: { plan: 'gold' },
      });
      expect(JSON.stringify(changed?.payload.data.changes)).not.toContain('city');
      // The same value again, and a change of an attribute nobody watches: no event.
      await api.batch([
        { type: 'identify', userId: 'user-42', traits: { plan: 'gold', city: 'Kyoto' }, timestamp: at(5) },
      ]);
      // A bulk upload that changes the plan: one event.
      const upload = await api.post('/v1/user/profiles', {
        field_name: ['user_id', 'plan'],
        values: [['user-42', 'diamond']],
      });
      expect(upload.statusCode).toBe(200);
      await server.settled();
      await receiver.waitFor(() => receiver.ofType('user.attributes_changed').length === before + 2);
      expect(receiver.ofType('user.attributes_changed').at(-1)?.payload.data).toMatchObject({
        changes: { plan: { previous: 'gold', current: 'diamond' } },
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(receiver.ofType('user.attributes_changed')).toHaveLength(before + 2);
    });

    it(`${backend}: the delivery log shows each delivery with its attempt`, async () => {
      const log = await api.get(`/api/webhooks/${webhookId}/deliveries?limit=2`);
      expect(log.statusCode).toBe(200);
      const page = log.json();
      expect(page.deliveries).toHaveLength(2);
      expect(page.total).toBe(receiver.received.length);
      expect(page.deliveries[0]).toMatchObject({ status: 'delivered', type: 'user.attributes_changed' });
      expect(page.deliveries[0].attempts).toEqual([
        { at: expect.any(String), status: 200, duration_ms: expect.any(Number), error: null },
      ]);
      const rest = await api.get(`/api/webhooks/${webhookId}/deliveries?limit=50&cursor=${page.next_cursor}`);
      expect(rest.json().deliveries).toHaveLength(page.total - 2);
      expect(rest.json().next_cursor).toBeNull();
      const ids = [...page.deliveries, ...rest.json().deliveries].map((d: { id: string }) => d.id);
      expect(new Set(ids)).toEqual(new Set(receiver.received.map((r) => r.payload.id)));
      const tampered = await api.get(`/api/webhooks/${webhookId}/deliveries?cursor=${page.next_cursor}x`);
      expect(tampered.json().error.code).toBe('INVALID_CURSOR');
    });

    it(`${backend}: erasing a person erases the deliveries that carry their data`, async () => {
      const before = (await api.get(`/api/webhooks/${webhookId}/deliveries?limit=200`)).json().total;
      const erased = await api.delete('/api/users/user-42');
      expect(erased.statusCode).toBe(200);
      const after = (await api.get(`/api/webhooks/${webhookId}/deliveries?limit=200`)).json();
      expect(before).toBeGreaterThan(0);
      expect(after.total).toBe(0);
      const attempts = await server.store.db.selectFrom('webhook_attempts').select('delivery_id').execute();
      expect(attempts).toEqual([]);
    });
  },
  { ingestionLog: true, jetstream: true },
);
