import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLI, type CliServer, startCliServer, stopCliServer } from '../support/cli-server.js';
import { createTestDatabase, describePostgres } from '../support/test-stores.js';

/**
 * Defect 0 of issue 11: PostgreSQL ending the server's connections (a restart, a failover, a
 * pooler's idle timeout) must not end the process; the next requests open new connections.
 */
describePostgres('a server whose database connections are ended', () => {
  let database: { url: string; drop: () => Promise<void> };
  let server: CliServer | undefined;
  let keys: { write_key: string; api_key: string };

  beforeAll(async () => {
    database = await createTestDatabase('acq_connloss');
    const { stdout } = await promisify(execFile)(process.execPath, [
      CLI,
      'init',
      '--json',
      '--database',
      database.url,
    ]);
    keys = JSON.parse(stdout);
    server = await startCliServer(['--database', database.url]);
  });
  afterAll(async () => {
    await stopCliServer(server);
    await database?.drop();
  });

  const identify = (userId: string) =>
    fetch(`${server?.url}/v1/identify`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${keys.write_key}:`).toString('base64')}`,
      },
      body: JSON.stringify({ userId, anonymousId: `anon-${userId}`, traits: { plan: 'pro' } }),
    });
  const profile = (userId: string) =>
    fetch(`${server?.url}/api/users/${userId}`, { headers: { authorization: `Bearer ${keys.api_key}` } });

  /** Ends every connection to the test's database but this one, as `pg_terminate_backend` does in a failover. */
  async function terminateServerConnections(): Promise<number> {
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      const { rows } = await admin.query(
        'select pg_terminate_backend(pid) as ended from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
      );
      return rows.length;
    } finally {
      await admin.end();
    }
  }

  it('postgres: keeps running and answers from new connections after its connections are terminated', async () => {
    for (const round of [1, 2]) {
      // Connections in the pool, idle, for PostgreSQL to end.
      const users = [`user-${round}a`, `user-${round}b`, `user-${round}c`];
      expect((await Promise.all(users.map(identify))).map((r) => r.status)).toEqual([200, 200, 200]);
      expect(await terminateServerConnections()).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(server?.child.exitCode).toBeNull();
      expect((await fetch(`${server?.url}/health`)).status).toBe(200);
      // The pool hands out no dead client: the next write and read go through.
      expect((await identify(`user-${round}d`)).status).toBe(200);
      const answer = await profile(`user-${round}d`);
      expect(answer.status).toBe(200);
      expect(((await answer.json()) as { user_id: string }).user_id).toBe(`user-${round}d`);
    }
    expect(server?.child.exitCode).toBeNull();
  }, 30_000);
});
