import { connect } from 'nats';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type OwnNats, startOwnNats } from '../support/test-nats.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describePostgres } from '../support/test-stores.js';

/** NATS's largest payload on this test's own server: small, so a legal message can exceed it. */
const MAX_PAYLOAD = 16 * 1024;

describePostgres('JetStream refusals: nothing refused is acknowledged, nothing acknowledged is lost', () => {
  let nats: OwnNats;
  let server: TestServer;
  let stream: string;
  beforeAll(async () => {
    nats = await startOwnNats({ config: `max_payload: ${MAX_PAYLOAD}\n` });
    server = await startTestServer({
      backend: 'postgres-jetstream',
      listen: false,
      config: { queue: nats.url },
    });
    const row = await server.store.db
      .selectFrom('ingestion_queue')
      .select('stream_key')
      .executeTakeFirstOrThrow();
    stream = `ACQUAINT_${row.stream_key}`;
  });
  afterAll(async () => {
    await server?.close();
    await nats?.remove();
  });

  const track = (name: string, i: number, extra: Record<string, unknown> = {}) => ({
    type: 'track',
    event: name,
    anonymousId: `refusal-device-${i}`,
    messageId: `${name}-${i}`,
    properties: extra,
  });
  const send = (batch: unknown[]) =>
    server.app.inject({ method: 'POST', url: '/v1/batch', payload: { writeKey: server.writeKey, batch } });
  const applied = async (name: string) => {
    await server.settled();
    const row = await server.store.db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  const setStreamLimit = async (maxBytes: number) => {
    const nc = await connect({ servers: nats.url });
    try {
      const jsm = await nc.jetstreamManager();
      const info = await jsm.streams.info(stream);
      await jsm.streams.update(stream, { ...info.config, max_bytes: maxBytes });
    } finally {
      await nc.close();
    }
  };

  it('a message larger than NATS takes refuses its whole request with 413, and no part of it is queued', async () => {
    // Within the server's own message limit (64 KiB), beyond NATS's payload limit; small messages
    // around it in the same request, on several partitions.
    const batch = Array.from({ length: 20 }, (_, i) => track('Too large around', i));
    batch.splice(10, 0, track('Too large', 0, { blob: 'x'.repeat(40_000) }));
    const refused = await send(batch);
    expect(refused.statusCode).toBe(413);
    expect(refused.json().error.code).toBe('QUEUE_MESSAGE_TOO_LARGE');
    expect(await applied('Too large around')).toBe(0);
    expect(await applied('Too large')).toBe(0);
    expect(refused.json().error.message).toMatch(/nothing of this request was queued/);

    // Sent again without it, the rest is taken and applied once.
    const again = await send(batch.filter((m) => m.event !== 'Too large'));
    expect(again.statusCode).toBe(200);
    expect(await applied('Too large around')).toBe(20);
  });

  it('a full stream (discard new) refuses with 429 and Retry-After; the retry is applied exactly once', async () => {
    await setStreamLimit(512);
    const batch = Array.from({ length: 30 }, (_, i) => track('Stream full', i, { plan: 'pro' }));
    const refused = await send(batch);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('QUEUE_FULL');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(await applied('Stream full')).toBe(0);

    await setStreamLimit(1024 ** 3);
    const retried = await send(batch);
    expect(retried.statusCode).toBe(200);
    expect(await applied('Stream full')).toBe(30);
    // A second retry (the client did not hear the answer) is not applied again.
    const warnings = (await send(batch)).json().warnings as { code: string }[];
    expect(warnings.map((w) => w.code)).toEqual(batch.map(() => 'DUPLICATE_MESSAGE_ID'));
    expect(await applied('Stream full')).toBe(30);
  });
});
