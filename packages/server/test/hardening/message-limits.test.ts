import SqliteDatabase from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { apiClient } from '../api/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';

const tracks = (count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => ({
    type: 'track',
    event: 'Viewed',
    anonymousId: 'anon-phone',
    messageId: `m-${from + i}`,
  }));

describeEachBackend(
  'tracking limits count messages, not requests',
  (backend) => {
    let server: TestServer | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    it(`${backend}: a project over its messages per second is refused with 429 and Retry-After`, async () => {
      server = await startTestServer({
        backend,
        listen: false,
        config: { messageRateLimitPerSecond: 100, messageRateLimitBurst: 200, rateLimitPerSecond: 1e6 },
      });
      const client = apiClient(server);
      expect((await client.batch(tracks(150))).json()).toEqual({ success: true });
      // Two requests, well under the request limit, but 250 messages within the burst of 200.
      const refused = await client.batch(tracks(100, 150));
      expect(refused.statusCode).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(refused.json().error.code).toBe('MESSAGE_RATE_LIMITED');
      expect(refused.json().error.message).toContain('messages a second');
      const metrics = (await server.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toContain('acquaint_tracking_messages_total{outcome="rate_limited"} 100');
    });

    if (backend === 'sqlite-log')
      it(`${backend}: past its backlog cap the ingestion log refuses with 429, /ready says why, then drains`, async () => {
        server = await startTestServer({
          backend,
          listen: false,
          config: { ingestionMaxBacklogMessages: 5, ingestionWaitMs: 200 },
        });
        const client = apiClient(server);
        const file = server.store.file as string;
        // Another connection holds the write lock: the applier cannot apply, the backlog grows.
        const blocker = new SqliteDatabase(file);
        blocker.exec('begin immediate');
        try {
          expect((await client.batch(tracks(5))).json()).toEqual({ success: true });
          const full = await client.batch(tracks(1, 5));
          expect(full.statusCode).toBe(429);
          expect(full.headers['retry-after']).toBe('5');
          expect(full.json().error.code).toBe('INGESTION_BACKLOG_FULL');
          const ready = await server.app.inject({ method: 'GET', url: '/ready' });
          expect(ready.statusCode).toBe(503);
          expect(ready.json().checks.ingestion_backlog).toMatchObject({ ok: false });
          expect(ready.json().checks.ingestion_backlog.message).toContain('full');
        } finally {
          blocker.exec('rollback');
          blocker.close();
        }
        const deadline = Date.now() + 20_000;
        while (
          (await client.get('/api/ingestion/status')).json().backlog_messages > 0 &&
          Date.now() < deadline
        )
          await new Promise((resolve) => setTimeout(resolve, 50));
        expect((await client.batch(tracks(1, 5))).json()).toEqual({ success: true });
      });
  },
  { ingestionLog: true },
);
