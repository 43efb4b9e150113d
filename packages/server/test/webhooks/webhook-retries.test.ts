import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { apiClient, at } from '../api/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';
import { startReceiver } from '../support/webhook-receiver.js';

const fast = {
  webhooksAllowPrivate: true,
  webhookPollMs: 50,
  webhookRetryBaseMs: 200,
  webhookTimeoutMs: 1500,
};

interface Delivery {
  id: string;
  type: string;
  status: string;
  attempts: { status: number | null; error: string | null }[];
}

describeEachBackend('webhooks: retries, order per person, and receivers that misbehave', (backend) => {
  let server: TestServer;
  let api: ReturnType<typeof apiClient>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let bad: Server;
  let badUrl: string;

  const subscribe = async (url: string, events = ['user.identified']) => {
    const created = await api.post('/api/webhooks', { url, events });
    expect(created.statusCode).toBe(201);
    return created.json().id as string;
  };
  const deliveries = async (id: string): Promise<Delivery[]> =>
    (await api.get(`/api/webhooks/${id}/deliveries?limit=200`)).json().deliveries;
  const waitForLog = async (id: string, done: (d: Delivery[]) => boolean) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const log = await deliveries(id);
      if (done(log)) return log;
      if (Date.now() > deadline) throw new Error(`log not as expected: ${JSON.stringify(log)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  beforeAll(async () => {
    server = await startTestServer({ backend, listen: false, config: fast });
    api = apiClient(server);
    receiver = await startReceiver();
    // Misbehaving receivers, by path: one that hangs, one that streams without end, one that redirects.
    bad = createServer((request, response) => {
      if (request.url === '/hang') return;
      if (request.url === '/huge') {
        response.writeHead(500);
        const chunk = Buffer.alloc(16 * 1024, 'x');
        const pump = () => {
          while (response.write(chunk)) {}
        };
        response.on('drain', pump);
        pump();
        return;
      }
      response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    });
    await new Promise<void>((resolve) => bad.listen(0, '127.0.0.1', resolve));
    badUrl = `http://127.0.0.1:${(bad.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await server.close();
    await receiver.close();
    bad.closeAllConnections();
    await new Promise((resolve) => bad.close(resolve));
  });

  it(`${backend}: 500, 500, 200: three attempts with the same id`, async () => {
    let calls = 0;
    receiver.respondWith((_r, res) => {
      calls += 1;
      res.statusCode = calls <= 2 ? 500 : 200;
      res.end(calls <= 2 ? 'try later' : 'ok');
    });
    const id = await subscribe(receiver.url);
    await api.batch([{ type: 'identify', anonymousId: 'anon-1', userId: 'user-1', timestamp: at(1) }]);
    await server.settled();
    await receiver.waitFor((all) => all.length === 3);
    expect(new Set(receiver.received.map((r) => r.payload.id)).size).toBe(1);
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    const [log] = await waitForLog(id, (d) => d[0]?.status === 'delivered');
    expect(log.attempts.map((a) => a.status)).toEqual([500, 500, 200]);
    expect(log.attempts[0].error).toBe('HTTP 500: try later');
    await api.delete(`/api/webhooks/${id}`);
    receiver.respondWith((_r, res) => res.end('ok'));
  });

  it(`${backend}: a person's later event waits for its earlier one`, async () => {
    receiver.received.length = 0;
    let first = true;
    receiver.respondWith((_r, res) => {
      res.statusCode = first ? 503 : 200;
      first = false;
      res.end();
    });
    const id = await subscribe(receiver.url, ['user.identified', 'user.merged']);
    await api.batch([
      { type: 'identify', anonymousId: 'anon-a', userId: 'user-2', timestamp: at(2) },
      { type: 'track', anonymousId: 'anon-b', event: 'Viewed', timestamp: at(3) },
      { type: 'identify', anonymousId: 'anon-b', userId: 'user-2', timestamp: at(4) },
    ]);
    await server.settled();
    await receiver.waitFor((all) => new Set(all.map((r) => r.payload.id)).size === 3);
    const firstSeen = [...new Map(receiver.received.map((r) => [r.payload.id, r])).values()];
    expect(firstSeen.map((r) => r.payload.type)).toEqual([
      'user.identified',
      'user.merged',
      'user.identified',
    ]);
    // The first answer was a 503, so the first event came twice before the others began.
    expect(receiver.received.map((r) => r.payload.type).slice(0, 3)).toEqual([
      'user.identified',
      'user.identified',
      'user.merged',
    ]);
    await api.delete(`/api/webhooks/${id}`);
  });

  it(`${backend}: hanging, endless and redirecting receivers fail with a reason and block nobody`, async () => {
    receiver.received.length = 0;
    receiver.respondWith((_r, res) => res.end('ok'));
    const hang = await subscribe(`${badUrl}/hang`);
    const huge = await subscribe(`${badUrl}/huge`);
    const redirect = await subscribe(`${badUrl}/redirect`);
    const good = await subscribe(receiver.url);
    const started = Date.now();
    await api.batch([{ type: 'identify', anonymousId: 'anon-9', userId: 'user-9', timestamp: at(9) }]);
    await server.settled();
    await receiver.waitFor((all) => all.length === 1);
    expect(Date.now() - started).toBeLessThan(1500);
    const [hung] = await waitForLog(hang, (d) => d[0]?.attempts.length >= 1);
    expect(hung.attempts[0]).toMatchObject({ status: null, error: 'no complete answer within 1.5 s' });
    const [endless] = await waitForLog(huge, (d) => d[0]?.attempts.length >= 1);
    expect(endless.attempts[0].status).toBe(500);
    expect(endless.attempts[0].error).toMatch(/^HTTP 500: x+$/);
    const [redirected] = await waitForLog(redirect, (d) => d[0]?.attempts.length >= 1);
    expect(redirected.attempts[0]).toMatchObject({
      status: 302,
      error: 'HTTP 302: redirect to http://169.254.169.254/latest/meta-data/ not followed',
    });
    expect((await deliveries(good))[0].status).toBe('delivered');
    for (const id of [hang, huge, redirect, good]) await api.delete(`/api/webhooks/${id}`);
  });

  it(`${backend}: a failed delivery can be retried by hand with the same id; a test delivery answers at once`, async () => {
    receiver.received.length = 0;
    receiver.respondWith((_r, res) => {
      res.statusCode = 400;
      res.end();
    });
    const id = await subscribe(receiver.url);
    const tested = await api.post(`/api/webhooks/${id}/test`, {});
    expect(tested.statusCode).toBe(200);
    expect(tested.json()).toMatchObject({ ok: false, status: 400, error: 'HTTP 400' });
    expect(receiver.received[0].payload.type).toBe('webhook.test');
    receiver.respondWith((_r, res) => res.end());
    const retried = await api.post(`/api/webhooks/${id}/deliveries/${tested.json().delivery_id}/retry`, {});
    expect(retried.statusCode).toBe(202);
    await receiver.waitFor((all) => all.length === 2);
    expect(receiver.received[1].payload.id).toBe(receiver.received[0].payload.id);
    const [log] = await waitForLog(id, (d) => d[0]?.status === 'delivered');
    expect(log.attempts.map((a) => a.status)).toEqual([400, 200]);
    const missing = await api.post(`/api/webhooks/${id}/deliveries/dlv_nope/retry`, {});
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('DELIVERY_NOT_FOUND');
  });
});
