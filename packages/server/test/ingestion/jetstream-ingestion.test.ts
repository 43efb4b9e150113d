import { connect, headers } from 'nats';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describePostgres, natsUrl } from '../support/test-stores.js';

/** One metric's value from Prometheus text. */
function sample(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1]);
}

describePostgres('JetStream ingestion in one process', () => {
  let server: TestServer;
  let streamKey: string;
  beforeAll(async () => {
    server = await startTestServer({ backend: 'postgres-jetstream', listen: false });
    const row = await server.store.db
      .selectFrom('ingestion_queue')
      .select('stream_key')
      .executeTakeFirstOrThrow();
    streamKey = row.stream_key;
  });
  afterAll(() => server.close());

  const api = (url: string) =>
    server.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${server.apiKey}` } });

  it('status, /ready and /metrics show the JetStream path and its backlog', async () => {
    const status = await api('/api/ingestion/status');
    expect(status.json()).toMatchObject({ mode: 'jetstream', backlog: 0, applier_alive: true });
    const ready = await server.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks.ingestion_applier).toEqual({ ok: true, message: 'running' });
    const metrics = await server.app.inject({ method: 'GET', url: '/metrics' });
    expect(sample(metrics.body, 'acquaint_ingestion_backlog')).toBe(0);
  });

  it('a poison stream message is set aside with its error, listed, and never blocks its partition', async () => {
    // Garbage on every partition, as if a bad publisher had written it, then real traffic behind it.
    const nc = await connect({ servers: natsUrl });
    const js = nc.jetstream();
    for (let partition = 0; partition < 8; partition++) {
      const h = headers();
      h.set('Acquaint-Project', server.projectId);
      h.set('Acquaint-Received-At', String(Date.now()));
      await js.publish(`acquaint.${streamKey}.${partition}`, Buffer.from(`{not json ${partition}`), {
        headers: h,
      });
    }
    await nc.close();
    const batch = Array.from({ length: 40 }, (_, i) => ({
      type: 'track',
      event: 'After poison',
      anonymousId: `poison-device-${i}`,
      messageId: `after-poison-${i}`,
    }));
    const sent = await server.app.inject({
      method: 'POST',
      url: '/v1/batch',
      payload: { writeKey: server.writeKey, batch },
    });
    expect(sent.statusCode).toBe(200);
    await server.settled();
    const events = await server.store.db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('name', '=', 'After poison')
      .executeTakeFirstOrThrow();
    expect(Number(events.n)).toBe(40);
    const failed = await api('/api/ingestion/failed');
    expect(failed.statusCode).toBe(200);
    const entries = failed.json().failed as { error: string; messages: number | null }[];
    expect(entries).toHaveLength(8);
    for (const entry of entries) {
      expect(entry.error).toMatch(/JSON/);
      expect(entry.messages).toBeNull();
    }
  });

  it('a set-aside entry is replayed once its cause is fixed, and forgotten', async () => {
    const [entry] = (await api('/api/ingestion/failed')).json().failed as { id: number }[];
    // Fix the cause: the payload becomes a readable message.
    const message = {
      index: 0,
      messageId: 'replayed-message',
      type: 'track',
      anonymousId: 'replayed-device',
      userId: null,
      previousId: null,
      name: 'Replayed',
      timestamp: Date.now(),
      receivedAt: Date.now(),
      propertiesJson: '{}',
      contextJson: '{}',
      attributeOperations: [],
      source: 'server',
    };
    await server.store.db
      .updateTable('ingestion_failed')
      .set({ payload: JSON.stringify([message]) })
      .where('id', '=', entry.id)
      .execute();
    const replayed = await server.app.inject({
      method: 'POST',
      url: `/api/ingestion/failed/${entry.id}/replay`,
      headers: { authorization: `Bearer ${server.apiKey}` },
    });
    expect(replayed.json()).toEqual({ id: entry.id, replayed: true, applied: 1 });
    const left = (await api('/api/ingestion/failed')).json().failed as { id: number }[];
    expect(left.map((e) => e.id)).not.toContain(entry.id);
  });
});
