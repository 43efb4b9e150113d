import type { Worker } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import type { AcquaintConfig } from '../../src/config.js';
import { apiClient } from '../api/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { type Backend, describeEachBackend } from '../support/test-stores.js';

/** One sample of `text` (Prometheus text format), or undefined when it is not there. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describeEachBackend(
  'operator endpoints',
  (backend: Backend) => {
    let current: TestServer | undefined;
    afterEach(async () => {
      await current?.close();
      current = undefined;
    });
    const start = async (config: Partial<AcquaintConfig> = {}) => {
      const server = await startTestServer({ backend, listen: false, config });
      current = server;
      return { server, client: apiClient(server) };
    };

    it(`${backend}: /health and /ready answer without a key; /ready names every check`, async () => {
      const { server } = await start();
      const health = await server.app.inject({ method: 'GET', url: '/health' });
      expect(health.statusCode).toBe(200);
      expect(health.json()).toMatchObject({ ok: true });
      const ready = await server.app.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toMatchObject({
        ready: true,
        checks: {
          database: { ok: true },
          migrations: { ok: true, message: 'current' },
          ingestion_applier: { ok: true },
          ingestion_backlog: { ok: true },
        },
      });
    });

    it(`${backend}: /ready is 503 with Retry-After and names a migration that has not run`, async () => {
      const { server } = await start();
      await sql`delete from kysely_migration where name = '0003_ingestion_log'`.execute(server.store.db);
      const ready = await server.app.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.headers['retry-after']).toBe('5');
      const body = ready.json();
      expect(body.checks.migrations).toMatchObject({ ok: false });
      expect(body.checks.database).toMatchObject({ ok: true });
      expect(body.error).toMatchObject({ code: 'NOT_READY' });
      expect(body.error.message).toMatch(/^migrations: not run yet: 0003_ingestion_log/);
      expect((await server.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    });

    it(`${backend}: /ready is 503 naming the database once it cannot be reached`, async () => {
      const { server } = await start();
      await server.store.close();
      const ready = await server.app.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.headers['retry-after']).toBe('5');
      expect(ready.json().checks.database).toMatchObject({ ok: false, message: /^unreachable: / });
      expect(ready.json().checks.migrations).toMatchObject({ ok: false, message: /not checked/ });
      expect((await server.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    });

    it(`${backend}: /metrics counts requests by route pattern, messages by outcome, applied and import rows`, async () => {
      const { server, client } = await start();
      const answer = await client.batch([
        { type: 'identify', userId: 'user-42', anonymousId: 'anon-phone', traits: { plan: 'pro' } },
        { type: 'track', event: 'Viewed', anonymousId: 'anon-phone', messageId: 'm-1' },
        { type: 'track', event: 'Viewed', anonymousId: 'anon-phone', messageId: 'm-1' },
        { type: 'nonsense' },
      ]);
      expect(answer.statusCode).toBe(200);
      await server.settled();
      expect((await client.get('/api/users/user-42')).statusCode).toBe(200);
      expect((await client.get('/api/users/nobody')).statusCode).toBe(404);
      const upload = await client.post('/v1/user/profiles', {
        field_name: ['user_id', 'plan'],
        values: [
          ['user-1', 'free'],
          ['user-2', { bad: true }],
        ],
      });
      expect(upload.statusCode).toBe(200);

      const metrics = await server.app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.statusCode).toBe(200);
      expect(metrics.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = metrics.body;
      const requests = 'acquaint_http_requests_total';
      expect(sample(text, requests, 'method="POST",route="/v1/batch",status="200"')).toBe(1);
      expect(sample(text, requests, 'method="GET",route="/api/users/:userId",status="200"')).toBe(1);
      expect(sample(text, requests, 'method="GET",route="/api/users/:userId",status="404"')).toBe(1);
      expect(
        sample(
          text,
          'acquaint_http_request_duration_seconds_count',
          'method="POST",route="/v1/batch",status="200"',
        ),
      ).toBe(1);
      const messages = 'acquaint_tracking_messages_total';
      expect(sample(text, messages, 'outcome="accepted"')).toBe(2);
      expect(sample(text, messages, 'outcome="duplicate"')).toBe(1);
      expect(sample(text, messages, 'outcome="rejected"')).toBe(1);
      expect(sample(text, 'acquaint_ingestion_applied_messages_total')).toBe(2);
      expect(sample(text, 'acquaint_ingestion_backlog')).toBe(0);
      expect(sample(text, 'acquaint_ingestion_backlog_age_seconds')).toBe(0);
      expect(sample(text, 'acquaint_import_rows_total', 'kind="upload",outcome="written"')).toBe(1);
      expect(sample(text, 'acquaint_import_rows_total', 'kind="upload",outcome="failed"')).toBe(1);
      expect(sample(text, 'acquaint_decide_duration_seconds_count')).toBe(0);
      expect(sample(text, 'acquaint_process_resident_memory_bytes')).toBeGreaterThan(0);
    });

    it(`${backend}: /metrics wants the bearer token when ACQUAINT_METRICS_TOKEN is set`, async () => {
      const { server } = await start({ metricsToken: 'scrape-secret' });
      const none = await server.app.inject({ method: 'GET', url: '/metrics' });
      expect(none.statusCode).toBe(401);
      expect(none.json().error.code).toBe('MISSING_API_KEY');
      const wrong = await server.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: 'Bearer scrape-secreT' },
      });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json().error.code).toBe('INVALID_API_KEY');
      const right = await server.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: 'Bearer scrape-secret' },
      });
      expect(right.statusCode).toBe(200);
      // A project's API key is no metrics token.
      const apiKey = await server.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: `Bearer ${server.apiKey}` },
      });
      expect(apiKey.statusCode).toBe(401);
    });

    it(`${backend}: every answer carries a request id, the proxy's when it sent a plain one`, async () => {
      const { server } = await start();
      const made = await server.app.inject({ method: 'GET', url: '/health' });
      expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      const kept = await server.app.inject({
        method: 'GET',
        url: '/api/nowhere',
        headers: { 'x-request-id': 'lb-7f3a.1' },
      });
      expect(kept.statusCode).toBe(404);
      expect(kept.headers['x-request-id']).toBe('lb-7f3a.1');
      const odd = await server.app.inject({
        method: 'GET',
        url: '/health',
        headers: { 'x-request-id': 'two words\u00e9' },
      });
      expect(odd.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });
  },
  { ingestionLog: true },
);

it('sqlite-log: /ready is 503 naming the backlog while the applier cannot keep up, 200 once it has', async () => {
  const server = await startTestServer({
    backend: 'sqlite-log',
    listen: false,
    config: { ingestionReadyBacklog: 2 },
  });
  try {
    const client = apiClient(server);
    const file = server.store.file as string;
    // Another connection holds the write lock: the applier cannot apply, requests are still logged.
    const blocker = new SqliteDatabase(file);
    blocker.exec('begin immediate');
    try {
      for (let i = 0; i < 3; i++) {
        const sent = await client.batch([{ type: 'track', event: 'Held', anonymousId: `anon-${i}` }]);
        expect(sent.statusCode).toBe(200);
      }
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const behind = await server.app.inject({ method: 'GET', url: '/ready' });
      expect(behind.statusCode).toBe(503);
      expect(behind.json().checks.ingestion_backlog.ok).toBe(false);
      expect(behind.json().error.message).toMatch(/^ingestion_backlog: 3 logged requests wait/);
      const metrics = (await server.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(sample(metrics, 'acquaint_ingestion_backlog')).toBe(3);
      expect(sample(metrics, 'acquaint_ingestion_backlog_age_seconds')).toBeGreaterThanOrEqual(1);
    } finally {
      blocker.exec('rollback');
      blocker.close();
    }
    // The applier may be waiting out a retry after the lock it met; give it a few waits.
    for (let i = 0; i < 3 && !(await server.app.ingestion.settled()); i++);
    const ready = await server.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.json()).toMatchObject({ ready: true });
  } finally {
    await server.close();
  }
}, 90_000);

it('sqlite-log: /ready is 503 naming the applier while its worker is dead, 200 once it has restarted and caught up', async () => {
  const server = await startTestServer({ backend: 'sqlite-log', listen: false });
  try {
    const client = apiClient(server);
    // The applier's worker thread, reached inside the app's ingestion: killed as a crash would.
    const { worker } = server.app.ingestion as unknown as { worker: Worker };
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    await worker.terminate();
    await exited;
    const sent = await client.batch([{ type: 'identify', userId: 'user-42', anonymousId: 'anon-phone' }]);
    expect(sent.statusCode).toBe(200);

    const down = await server.app.inject({ method: 'GET', url: '/ready' });
    expect(down.statusCode).toBe(503);
    expect(down.headers['retry-after']).toBe('5');
    expect(down.json().checks.ingestion_applier).toEqual({
      ok: false,
      message: 'the ingestion log applier is not running (it restarts by itself)',
    });
    expect(down.json().error.message).toMatch(/^ingestion_applier: the ingestion log applier is not running/);
    expect(down.json().checks.database.ok).toBe(true);

    // It restarts by itself after a second and applies what was logged meanwhile.
    let ready = down;
    for (let i = 0; i < 50 && ready.statusCode !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      ready = await server.app.inject({ method: 'GET', url: '/ready' });
    }
    expect(ready.statusCode, ready.body).toBe(200);
    expect(ready.json().checks.ingestion_applier).toEqual({ ok: true, message: 'running' });
    expect(server.app.ingestion.status().applier_alive).toBe(true);
    await server.app.ingestion.settled();
    const user = await client.get('/api/users/user-42');
    expect(user.statusCode).toBe(200);
    expect(user.json().devices.map((d: { anonymous_id: string }) => d.anonymous_id)).toEqual(['anon-phone']);
  } finally {
    await server.close();
  }
}, 90_000);
