import { afterAll, beforeAll, expect, it } from 'vitest';
import { createProject } from '../../src/projects/create-project.js';
import { apiClient, at } from '../api/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';
import { startReceiver, verifySignature } from '../support/webhook-receiver.js';

describeEachBackend('webhooks: the subscriptions API refuses what it must', (backend) => {
  let server: TestServer;
  let strict: TestServer;
  let api: ReturnType<typeof apiClient>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    server = await startTestServer({
      backend,
      listen: false,
      config: { webhooksAllowPrivate: true, webhookPollMs: 50, webhookRetryBaseMs: 200 },
    });
    strict = await startTestServer({ backend, listen: false });
    api = apiClient(server);
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await server.close();
    await strict.close();
    await receiver.close();
  });

  const refused = async (
    client: ReturnType<typeof apiClient>,
    body: object,
    code: string,
    pointer: string,
  ) => {
    const answer = await client.post('/api/webhooks', body);
    expect(answer.statusCode, answer.body).toBe(400);
    expect(answer.json().error).toMatchObject({ code, pointer });
    return answer.json().error.message as string;
  };

  it(`${backend}: URLs that are not http(s), or that reach refused addresses, are refused when saved`, async () => {
    const events = ['user.identified'];
    expect(await refused(api, { url: 'ftp://example.com/x', events }, 'WEBHOOK_URL_REFUSED', '/url')).toMatch(
      /ftp:/,
    );
    expect(await refused(api, { url: 'not a url', events }, 'WEBHOOK_URL_REFUSED', '/url')).toMatch(
      /not a URL/,
    );
    // Link-local (cloud metadata) is refused even where private addresses are allowed.
    expect(
      await refused(api, { url: 'http://169.254.169.254/latest', events }, 'WEBHOOK_URL_REFUSED', '/url'),
    ).toMatch(/link-local/);
    await refused(api, { url: 'http://[fe80::1]/hook', events }, 'WEBHOOK_URL_REFUSED', '/url');
    await refused(api, { url: 'http://user:pw@example.com/', events }, 'WEBHOOK_URL_REFUSED', '/url');
    await refused(api, { url: 'http://nowhere.invalid/', events }, 'WEBHOOK_URL_REFUSED', '/url');
    const strictApi = apiClient(strict);
    for (const url of [
      'http://127.0.0.1:9/',
      'http://localhost/',
      'http://10.1.2.3/',
      'http://[::1]/',
      'http://192.168.1.1/',
    ]) {
      expect(await refused(strictApi, { url, events }, 'WEBHOOK_URL_REFUSED', '/url')).toMatch(
        /ACQUAINT_WEBHOOKS_ALLOW_PRIVATE/,
      );
    }
  });

  it(`${backend}: unknown events and groups, and attribute changes with nothing to watch, are refused`, async () => {
    const url = receiver.url;
    const badEvent = await api.post('/api/webhooks', { url, events: ['user.deleted'] });
    expect(badEvent.statusCode).toBe(400);
    expect(badEvent.json().error.code).toBe('INVALID_BODY');
    await refused(
      api,
      { url, events: ['group.entered'], group_ids: ['grp_nope'] },
      'INVALID_BODY',
      '/group_ids/0',
    );
    await refused(api, { url, events: ['user.attributes_changed'] }, 'INVALID_BODY', '/attributes');
    expect((await api.get('/api/webhooks')).json().webhooks).toEqual([]);
  });

  it(`${backend}: the routes need the admin scope, and another project's webhook is a 404`, async () => {
    const created = await api.post('/api/webhooks', { url: receiver.url, events: ['user.merged'] });
    const { id } = created.json();
    const key = await api.post('/api/keys', { name: 'reader', scopes: ['query'] });
    const reader = key.json().key ?? key.json().api_key;
    expect((await api.get('/api/webhooks', reader)).statusCode).toBe(403);
    const other = await createProject(server.store, 'Other site');
    const otherApi = apiClient({ ...server, apiKey: other.api_key });
    for (const answer of [
      await otherApi.get(`/api/webhooks/${id}`),
      await otherApi.get(`/api/webhooks/${id}/deliveries`),
      await otherApi.post(`/api/webhooks/${id}/test`, {}),
      await otherApi.delete(`/api/webhooks/${id}`),
    ]) {
      expect(answer.statusCode).toBe(404);
      expect(answer.json().error.code).toBe('WEBHOOK_NOT_FOUND');
    }
    expect((await otherApi.get('/api/webhooks')).json().webhooks).toEqual([]);
    expect((await api.delete(`/api/webhooks/${id}`)).statusCode).toBe(200);
    expect((await api.get(`/api/webhooks/${id}`)).statusCode).toBe(404);
  });

  it(`${backend}: a paused subscription gets nothing; a rotated secret signs what follows`, async () => {
    const created = (
      await api.post('/api/webhooks', { url: receiver.url, events: ['user.identified'] })
    ).json();
    const paused = await server.app.inject({
      method: 'PATCH',
      url: `/api/webhooks/${created.id}`,
      headers: { authorization: `Bearer ${server.apiKey}` },
      payload: { active: false },
    });
    expect(paused.json()).toMatchObject({ status: 'paused', events: ['user.identified'] });
    await api.batch([{ type: 'identify', anonymousId: 'anon-p', userId: 'user-p', timestamp: at(1) }]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received).toHaveLength(0);

    const rotated = await api.post(`/api/webhooks/${created.id}/rotate-secret`, {});
    expect(rotated.statusCode).toBe(200);
    const { secret } = rotated.json();
    expect(secret).not.toBe(created.secret);
    const resumed = await server.app.inject({
      method: 'PATCH',
      url: `/api/webhooks/${created.id}`,
      headers: { authorization: `Bearer ${server.apiKey}` },
      payload: { active: true, events: ['user.identified', 'user.merged'] },
    });
    expect(resumed.json()).toMatchObject({ status: 'active', events: ['user.identified', 'user.merged'] });
    await api.batch([{ type: 'identify', anonymousId: 'anon-q', userId: 'user-q', timestamp: at(2) }]);
    await receiver.waitFor((all) => all.length === 1);
    const [got] = receiver.received;
    expect(got.payload.data.user_id).toBe('user-q');
    expect(verifySignature(secret, got.body, got.signature)).toBe(true);
    expect(verifySignature(created.secret, got.body, got.signature)).toBe(false);
  });

  it(`${backend}: a subscription that has failed for 3 days is paused`, async () => {
    receiver.respondWith((_r, res) => {
      res.statusCode = 500;
      res.end();
    });
    const created = (
      await api.post('/api/webhooks', { url: receiver.url, events: ['user.identified'] })
    ).json();
    await server.store.transaction((tx) =>
      tx.db
        .updateTable('webhooks')
        .set({ failing_since: Date.now() - 3 * 24 * 3600_000 - 1000 })
        .where('id', '=', created.id)
        .execute(),
    );
    await api.batch([{ type: 'identify', anonymousId: 'anon-f', userId: 'user-f', timestamp: at(3) }]);
    const deadline = Date.now() + 10_000;
    let status = 'active';
    while (status === 'active' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await api.get(`/api/webhooks/${created.id}`)).json().status;
    }
    expect(status).toBe('paused');
  });
});
