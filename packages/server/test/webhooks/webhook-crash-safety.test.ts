import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/storage/store.js';
import { CLI, type CliServer, startCliServer } from '../support/cli-server.js';
import { createTestDatabase, describeEachBackend } from '../support/test-stores.js';
import { startReceiver } from '../support/webhook-receiver.js';

const SERVER_ENV = {
  ACQUAINT_LOG: 'off',
  DATABASE_URL: '',
  ACQUAINT_WEBHOOKS_ALLOW_PRIVATE: 'true',
  ACQUAINT_WEBHOOKS_RETRY_BASE_MS: '300',
  ACQUAINT_WEBHOOKS_TIMEOUT_MS: '1000',
  ACQUAINT_WEBHOOKS_POLL_MS: '100',
};

describeEachBackend('webhooks: kill -9 of the server loses no event and makes no new id', (backend) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A fresh database the CLI can open; on PostgreSQL the secret key comes from the environment. */
  async function freshLocation(): Promise<{
    args: string[];
    env: Record<string, string>;
    store: () => Store;
  }> {
    if (backend === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'acquaint-webhooks-'));
      cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
      return { args: ['--data-dir', dir], env: {}, store: () => openStore(join(dir, 'acquaint.db')) };
    }
    const database = await createTestDatabase('acquaint_webhooks');
    cleanups.push(database.drop);
    return {
      args: ['--database', database.url],
      env: { ACQUAINT_SECRET_KEY: 'test-installation-key-of-at-least-32-chars' },
      store: () => openStore(database.url),
    };
  }

  it(`${backend}: killed after the change and before the send, then during retries: all delivered with their first ids`, async () => {
    const location = await freshLocation();
    const env = { ...SERVER_ENV, ...location.env };
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [CLI, 'init', '--json', ...location.args],
      {
        env: { ...process.env, ...env },
      },
    );
    const { api_key: apiKey, write_key: writeKey } = JSON.parse(stdout) as {
      api_key: string;
      write_key: string;
    };
    const receiver = await startReceiver((_r, res) => {
      res.statusCode = 500;
      res.end();
    });
    cleanups.push(receiver.close);
    let server: CliServer | null = null;
    const start = async (extra: Record<string, string> = {}) => {
      server = await startCliServer(location.args, { ...env, ...extra });
      return server.url;
    };
    const kill = async () => {
      const child = server?.child;
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    };
    cleanups.push(kill);
    const api = (url: string, method: string, path: string, body?: unknown) =>
      fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const identify = (url: string, users: string[]) =>
      fetch(`${url}/v1/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          writeKey,
          batch: users.map((u) => ({ type: 'identify', userId: u, anonymousId: `anon-${u}` })),
        }),
      });

    // 1. The worker sleeps (a poll of a minute): the change commits, the server dies before any send.
    let url = await start({ ACQUAINT_WEBHOOKS_POLL_MS: '60000' });
    const created = await api(url, 'POST', '/api/webhooks', {
      url: receiver.url,
      events: ['user.identified'],
    });
    expect(created.status).toBe(201);
    expect((await identify(url, ['u1', 'u2', 'u3'])).status).toBe(200);
    // On SQLite the answer comes once the messages are logged; wait until they are applied.
    await api(url, 'GET', '/api/webhooks');
    await kill();
    expect(receiver.received).toHaveLength(0);

    // 2. Restarted, it sends them; the receiver fails them, and the server is killed mid-retries.
    url = await start();
    expect((await identify(url, ['u4', 'u5'])).status).toBe(200);
    await receiver.waitFor(
      (all) => new Set(all.map((r) => r.payload.id)).size === 5 && all.length >= 8,
      30_000,
    );
    await kill();

    // 3. Restarted with a receiver that accepts: every event arrives, under the id it first had.
    receiver.respondWith((_r, res) => res.end('ok'));
    const idsBefore = new Set(receiver.received.map((r) => r.payload.id));
    url = await start();
    const store = location.store();
    cleanups.push(() => store.close());
    const deadline = Date.now() + 45_000;
    for (;;) {
      const pending = await store.db
        .selectFrom('webhook_deliveries')
        .select('id')
        .where('status', '!=', 'delivered')
        .execute();
      if (pending.length === 0) break;
      if (Date.now() > deadline) throw new Error(`still pending: ${pending.length}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const stored = await store.db.selectFrom('webhook_deliveries').select(['id', 'payload']).execute();
    expect(stored).toHaveLength(5);
    expect(new Set(receiver.received.map((r) => r.payload.id))).toEqual(idsBefore);
    expect(new Set(stored.map((d) => d.id))).toEqual(idsBefore);
    const users = receiver.received
      .filter((r) => r.payload.type === 'user.identified')
      .map((r) => r.payload.data.user_id);
    expect(new Set(users)).toEqual(new Set(['u1', 'u2', 'u3', 'u4', 'u5']));
    // Every attempt of one delivery carried the same body.
    for (const { id, payload } of stored) {
      for (const r of receiver.received.filter((x) => x.payload.id === id)) expect(r.body).toBe(payload);
    }
  }, 150_000);
});
