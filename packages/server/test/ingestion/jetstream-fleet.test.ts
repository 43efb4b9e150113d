import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/storage/store.js';
import { CLI, type CliServer, startCliServer } from '../support/cli-server.js';
import { identityViolations } from '../support/identity-invariants.js';
import { deleteTestStream, type OwnNats, startOwnNats } from '../support/test-nats.js';
import { createTestDatabase, describePostgres, natsUrl } from '../support/test-stores.js';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Fleet {
  servers: CliServer[];
  store: Store;
  writeKey: string;
  apiKey: string;
  databaseUrl: string;
  env: Record<string, string>;
}

/** A new PostgreSQL database with one project, and two `acquaint start` processes on it through JetStream. */
async function startFleet(queue: string): Promise<Fleet> {
  if (!existsSync(fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url))))
    throw new Error('run `npm run build` first: this test starts the built CLI');
  const database = await createTestDatabase('acq_fleet');
  cleanups.push(database.drop);
  const init = JSON.parse(
    (await run(process.execPath, [CLI, 'init', '--json', '--database', database.url])).stdout,
  );
  const store = openStore(database.url);
  cleanups.push(() => store.close());
  cleanups.push(() => deleteTestStream(store, queue).catch(() => {}));
  const env = {
    ACQUAINT_QUEUE: queue,
    ACQUAINT_RATE_LIMIT_BURST: '100000',
    ACQUAINT_RATE_LIMIT_PER_SECOND: '100000',
  };
  const servers = await Promise.all(
    [0, 1].map(() => startCliServer(['--database', database.url], env, 60_000)),
  );
  for (const server of servers) cleanups.push(() => server.child.kill('SIGKILL'));
  return { servers, store, writeKey: init.write_key, apiKey: init.api_key, databaseUrl: database.url, env };
}

interface Sent {
  /** Markers of the messages whose request was acknowledged (200), and of those that were not. */
  acked: Set<string>;
  unacked: Set<string>;
  statuses: Map<number, number>;
  retryAfter: boolean;
}

/**
 * Sends `requests` batches of 20 identify messages with a marker and an `$increment`, half of
 * them without a messageId, alternating between the fleet's live servers, 6 at a time.
 */
async function sendTraffic(
  fleet: Fleet,
  requests: number,
  during: (request: number) => Promise<void> = async () => {},
  label = 'a',
): Promise<Sent> {
  const sent: Sent = { acked: new Set(), unacked: new Set(), statuses: new Map(), retryAfter: false };
  let next = 0;
  const worker = async () => {
    while (next < requests) {
      const request = next++;
      await during(request);
      const live = fleet.servers.filter((s) => s.child.exitCode === null && s.child.signalCode === null);
      const server = live[request % live.length];
      const batch = Array.from({ length: 20 }, (_, i) => ({
        type: 'identify',
        userId: `fleet-user-${(request * 20 + i) % 40}`,
        ...(i % 2 === 0 ? { messageId: `fleet-${label}${request}-${i}` } : {}),
        traits: { $increment: { score: 1 + (i % 7) } },
        context: { marker: `${label}${request}-${i}` },
      }));
      const markers = batch.map((m) => m.context.marker);
      let status = 0;
      try {
        const response = await fetch(`${server.url}/v1/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ writeKey: fleet.writeKey, batch }),
          signal: AbortSignal.timeout(10_000),
        });
        status = response.status;
        if (status === 503 && response.headers.get('retry-after')) sent.retryAfter = true;
        await response.arrayBuffer();
      } catch {
        status = 0; // the server was killed mid-request
      }
      sent.statuses.set(status, (sent.statuses.get(status) ?? 0) + 1);
      for (const marker of markers) (status === 200 ? sent.acked : sent.unacked).add(marker);
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  return sent;
}

/** Waits until the stream is drained: no backlog on a live server, and the event count still. */
async function waitApplied(fleet: Fleet, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  while (Date.now() < deadline) {
    const server = fleet.servers.find((s) => s.child.exitCode === null && s.child.signalCode === null);
    const status = await fetch(`${server?.url}/api/ingestion/status`, {
      headers: { authorization: `Bearer ${fleet.apiKey}` },
    }).then((r) => r.json() as Promise<{ backlog: number }>);
    const { rows } = await sql<{ n: string }>`select count(*) as n from events`.execute(fleet.store.db);
    const count = Number(rows[0].n);
    if (status.backlog === 0 && count === last) return;
    last = count;
    await sleep(1_500);
  }
  const partitions = await fleet.store.db.selectFrom('ingestion_partitions').selectAll().execute();
  throw new Error(`the stream was not applied in time: ${JSON.stringify(partitions)}`);
}

/** Every acknowledged message applied once, none twice, and each user's score the sum of its applied increments. */
async function expectExactlyOnce(fleet: Fleet, sent: Sent): Promise<void> {
  const failed = await fleet.store.db
    .selectFrom('ingestion_failed')
    .select(['error', 'stream_seq'])
    .execute();
  expect(failed).toEqual([]);
  const { rows } = await sql<{ marker: string; user_id: string; n: string }>`
    select context::jsonb->>'marker' as marker, user_id, count(*) as n from events
    group by 1, 2`.execute(fleet.store.db);
  const applied = new Map(rows.map((r) => [r.marker, Number(r.n)]));
  for (const marker of sent.acked) expect(applied.get(marker), `acknowledged ${marker}`).toBe(1);
  for (const [marker, n] of applied) expect(n, `applied ${marker}`).toBe(1);
  const expected = new Map<string, number>();
  for (const row of rows) {
    const i = Number(row.marker.split('-')[1]);
    expected.set(row.user_id, (expected.get(row.user_id) ?? 0) + 1 + (i % 7));
  }
  for (const [userId, score] of expected) {
    const response = await fetch(
      `${fleet.servers.find((s) => s.child.exitCode === null)?.url}/api/users/${userId}`,
      {
        headers: { authorization: `Bearer ${fleet.apiKey}` },
      },
    );
    const profile = (await response.json()) as { attributes: Record<string, unknown> };
    expect(profile.attributes.score, userId).toBe(score);
  }
}

describePostgres('JetStream fleet: two server processes on one database', () => {
  it('kill -9 of one server while both take traffic: every acknowledged message is applied exactly once', async () => {
    const fleet = await startFleet(natsUrl);
    const sent = await sendTraffic(fleet, 240, async (request) => {
      if (request === 80) fleet.servers[1].child.kill('SIGKILL');
    });
    expect(sent.acked.size).toBeGreaterThan(3000);
    // The survivor takes the dead process's partitions over once their leases expire (15 s).
    await waitApplied(fleet);
    await expectExactlyOnce(fleet, sent);
    expect(await identityViolations(fleet.store.db, 1000)).toEqual([]);
  }, 180_000);

  it('NATS killed and started again during traffic: 503 with Retry-After while it is down, recovery by itself', async () => {
    const nats: OwnNats = await startOwnNats();
    cleanups.push(() => nats.remove());
    const fleet = await startFleet(nats.url);
    let restarted: Promise<void> | undefined;
    const sent = await sendTraffic(fleet, 300, async (request) => {
      if (request === 60) await nats.stop();
      if (request === 140) restarted = nats.start();
      if (request > 60 && request < 140) await sleep(20);
    });
    await restarted;
    expect(sent.statuses.get(503)).toBeGreaterThan(0);
    expect(sent.retryAfter).toBe(true);
    // Recovered by itself: the servers answer 200 again without being restarted.
    const after = await sendTraffic(fleet, 20, undefined, 'b');
    expect(after.statuses.get(200)).toBe(20);
    for (const marker of after.acked) sent.acked.add(marker);
    await waitApplied(fleet);
    await expectExactlyOnce(fleet, sent);
    expect(await identityViolations(fleet.store.db, 1000)).toEqual([]);
  }, 180_000);

  it('racing identify, alias and merge traffic for overlapping users through two processes keeps the identity invariants', async () => {
    const fleet = await startFleet(natsUrl);
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const requests = Array.from({ length: 120 }, () =>
      Array.from({ length: 10 }, () => {
        const anonymousId = `race-device-${random(30)}`;
        const userId = `race-user-${random(8)}`;
        switch (random(4)) {
          case 0:
            return { type: 'identify', anonymousId, userId, traits: { plan: 'pro' } };
          case 1:
            return { type: 'alias', previousId: anonymousId, userId };
          case 2:
            // an anonymous visitor with history, merged when its device is identified later
            return { type: 'track', anonymousId, event: 'Viewed' };
          default:
            return { type: 'identify', anonymousId: `race-device-${random(30)}`, userId, traits: { n: 1 } };
        }
      }),
    );
    const answers = await Promise.all(
      requests.map((batch, i) =>
        fetch(`${fleet.servers[i % 2].url}/v1/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ writeKey: fleet.writeKey, batch }),
        }).then((r) => r.status),
      ),
    );
    expect(answers.every((s) => s === 200)).toBe(true);
    await waitApplied(fleet);
    expect(await identityViolations(fleet.store.db, 1000)).toEqual([]);
    const { rows } = await sql<{ n: string }>`select count(*) as n from events`.execute(fleet.store.db);
    expect(Number(rows[0].n)).toBe(1200);
  }, 180_000);
});
