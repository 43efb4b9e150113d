import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { CLI, type CliServer, startCliServer } from '../support/cli-server.js';
import { type OwnPostgres, startOwnPostgres } from '../support/own-postgres.js';

const run = promisify(execFile);
let database: OwnPostgres | undefined;
let server: CliServer | undefined;
afterAll(() => {
  server?.child.kill('SIGKILL');
  database?.destroy();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('PostgreSQL stopped during traffic: 503 with Retry-After, no crash, recovery by itself, nothing acknowledged lost', async () => {
  database = await startOwnPostgres();
  const { stdout } = await run(process.execPath, [CLI, 'init', '--json', '--database', database.url]);
  const { write_key: writeKey } = JSON.parse(stdout);
  server = await startCliServer(['--database', database.url]);
  const url = server.url;
  const acknowledged: string[] = [];
  const statuses = new Map<number, number>();
  let sent = 0;
  /** One batch of 5 identifies; returns the status and the Retry-After header. */
  const send = async () => {
    const ids = Array.from({ length: 5 }, (_, i) => `m-${sent}-${i}`);
    const user = `user-${sent++ % 20}`;
    const response = await fetch(`${url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        writeKey,
        batch: ids.map((messageId, i) => ({
          type: 'identify',
          userId: user,
          anonymousId: `anon-${i}`,
          messageId,
        })),
      }),
    });
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    if (response.status === 200) acknowledged.push(...ids);
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body: await response.json(),
    };
  };
  /** Sends batches, 4 at a time, for `ms`. */
  const traffic = async (ms: number) => {
    const until = Date.now() + ms;
    const outcomes: Awaited<ReturnType<typeof send>>[] = [];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (Date.now() < until) outcomes.push(await send());
      }),
    );
    return outcomes;
  };

  expect((await traffic(1_000)).every((o) => o.status === 200)).toBe(true);
  const during = traffic(4_000);
  await sleep(500);
  database.stop();
  const outcomes = await during;
  const refused = outcomes.filter((o) => o.status !== 200);
  expect(refused.length).toBeGreaterThan(0);
  for (const outcome of refused) {
    expect(outcome.status, JSON.stringify(outcome.body)).toBe(503);
    expect(outcome.body.error.code).toBe('DATABASE_UNAVAILABLE');
    expect(Number(outcome.retryAfter)).toBeGreaterThan(0);
  }
  const ready = await fetch(`${url}/ready`);
  expect(ready.status).toBe(503);
  expect(ready.headers.get('retry-after')).toBe('5');
  expect((await ready.json()).checks.database.ok).toBe(false);
  expect((await fetch(`${url}/health`)).status).toBe(200);
  expect(server.child.exitCode).toBeNull();

  database.start();
  const recoveredBy = Date.now() + 20_000;
  let recovered = false;
  while (!recovered && Date.now() < recoveredBy) {
    recovered = (await send()).status === 200;
    if (!recovered) await sleep(250);
  }
  expect(recovered).toBe(true);
  expect((await fetch(`${url}/ready`)).status).toBe(200);
  expect(server.child.exitCode).toBeNull();

  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query('select message_id from events where message_id = any($1)', [
      acknowledged,
    ]);
    expect(rows.length).toBe(acknowledged.length);
  } finally {
    await client.end();
  }
  console.log(
    `PostgreSQL stopped during traffic: ${JSON.stringify(Object.fromEntries(statuses))} (status: requests)`,
  );
}, 120_000);
