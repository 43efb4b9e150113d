import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CliServer, cliDatabase, startCliServer, stopCliServer } from '../support/cli-server.js';
import { describePostgres } from '../support/test-stores.js';

const ROUNDS = 8;
const DEVICES = 10;

type RunningServer = CliServer;

/** Starts `acquaint start` on the shared PostgreSQL database. */
function startServer(databaseUrl: string): Promise<RunningServer> {
  return startCliServer(['--database', databaseUrl], { ACQUAINT_RATE_LIMIT_BURST: '100000' });
}

/**
 * DESIGN §3 rule 12 across processes: two real `acquaint start` processes on one PostgreSQL
 * database, racing identify calls for the same new users, and the same message ids.
 */
describePostgres('two server processes on one database', () => {
  const database = cliDatabase('acq_race');
  const databaseUrl = database.url;
  let servers: RunningServer[] = [];
  let writeKey = '';
  let db: pg.Client;

  beforeAll(async () => {
    writeKey = (await database.create()).write_key;
    servers = await Promise.all([startServer(databaseUrl), startServer(databaseUrl)]);
    db = new pg.Client({ connectionString: databaseUrl });
    db.on('error', () => {});
    await db.connect();
  });

  afterAll(async () => {
    await Promise.all(servers.map(stopCliServer));
    await db?.end();
    await database.drop();
  });

  const send = async (server: RunningServer, type: string, message: Record<string, unknown>) => {
    const response = await fetch(`${server.url}/v1/${type}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
      },
      body: JSON.stringify(message),
    });
    return { status: response.status, body: (await response.json()) as { warnings?: { code: string }[] } };
  };

  it('both processes serve the same project', async () => {
    for (const server of servers) {
      const health = await fetch(`${server.url}/health`);
      expect(await health.json()).toEqual({ ok: true, store: 'postgres' });
    }
  });

  it('identify races for the same new users from both processes give one person per user, one holder per id', async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      const userId = `user-mp-${round}`;
      const anonymousIds = Array.from({ length: DEVICES }, (_, i) => `anon-mp-${round}-${i}`);
      // Every other round, the devices already have anonymous persons with history (a merge race).
      if (round % 2 === 0) {
        await Promise.all(
          anonymousIds.map((anonymousId, i) => send(servers[i % 2], 'page', { anonymousId, name: 'Home' })),
        );
      }
      const answers = await Promise.all(
        anonymousIds.map((anonymousId, i) => send(servers[i % 2], 'identify', { anonymousId, userId })),
      );
      expect(answers.map((a) => a.status)).toEqual(anonymousIds.map(() => 200));
    }

    const { rows: persons } = await db.query<{ user_id: string; n: string }>(
      `select user_id, count(*) as n from persons where user_id like 'user-mp-%' group by user_id order by user_id`,
    );
    expect(persons.map((p) => [p.user_id, Number(p.n)])).toEqual(
      Array.from({ length: ROUNDS }, (_, i) => [`user-mp-${i + 1}`, 1]).sort(),
    );
    const { rows: devices } = await db.query<{ anonymous_id: string; user_id: string | null }>(
      `select d.anonymous_id, p.user_id from devices d join persons p on p.id = d.person_id where d.anonymous_id like 'anon-mp-%'`,
    );
    expect(devices).toHaveLength(ROUNDS * DEVICES);
    for (const device of devices) {
      expect(device.user_id, device.anonymous_id).toBe(`user-mp-${device.anonymous_id.split('-')[2]}`);
    }
    const { rows: orphans } = await db.query(
      `select p.id from persons p where p.user_id is null and not exists (select 1 from devices d where d.person_id = p.id)`,
    );
    expect(orphans).toEqual([]);
    const { rows: events } = await db.query<{ n: string }>(
      `select count(*) as n from events where anonymous_id like 'anon-mp-%'`,
    );
    expect(Number(events[0].n)).toBe(ROUNDS * DEVICES + (ROUNDS / 2) * DEVICES);
  });

  it('the same messageId sent to both processes at once is applied once', async () => {
    for (let round = 1; round <= 4; round++) {
      const messageId = `m-mp-paid-${round}`;
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          send(servers[i % 2], 'track', { userId: 'user-mp-payer', event: 'Paid', messageId }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
      expect(answers.filter((a) => a.body.warnings?.[0]?.code === 'DUPLICATE_MESSAGE_ID')).toHaveLength(9);
      const { rows } = await db.query('select id from events where message_id = $1', [messageId]);
      expect(rows).toHaveLength(1);
    }
    const { rows } = await db.query(`select id from persons where user_id = 'user-mp-payer'`);
    expect(rows).toHaveLength(1);
  });
});
