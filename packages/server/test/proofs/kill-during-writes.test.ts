import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { openStore } from '../../src/storage/store.js';
import { CLI, type CliServer, startCliServer } from '../support/cli-server.js';
import { identityViolations } from '../support/identity-invariants.js';
import { adminQuery, postgresUrl, testBackends } from '../support/test-stores.js';

const run = promisify(execFile);
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A fresh installation for a CLI server: an SQLite data dir, or a database of the shared PostgreSQL. */
async function installation(backend: 'sqlite' | 'postgres'): Promise<{ args: string[]; location: string }> {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'acquaint-kill-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return { args: ['--data-dir', dir], location: join(dir, 'acquaint.db') };
  }
  const name = `acquaint_kill_${randomBytes(4).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  cleanups.push(() => adminQuery(`drop database ${name} with (force)`));
  const location = postgresUrl.replace(/\/[^/]*$/, `/${name}`);
  return { args: ['--database', location], location };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const backends = testBackends().filter(
  (b): b is 'sqlite' | 'postgres' => b === 'sqlite' || (b === 'postgres' && postgresUrl !== ''),
);

for (const backend of backends) {
  it(`${backend}: SIGKILL during admin merges and an import leaves no half-merged person and no id held twice`, async () => {
    const { args, location } = await installation(backend);
    const init = JSON.parse((await run(process.execPath, [CLI, 'init', '--json', ...args])).stdout);
    const server: CliServer = await startCliServer(args);
    cleanups.push(() => server.child.kill('SIGKILL'));
    const auth = { authorization: `Bearer ${init.api_key}`, 'content-type': 'application/json' };
    // 20 users with a device each, and 400 anonymous visitors with attributes to fold in.
    const batch = [
      ...Array.from({ length: 20 }, (_, i) => ({
        type: 'identify',
        userId: `user-${i}`,
        anonymousId: `anon-user-${i}`,
        traits: { plan: 'pro' },
      })),
      ...Array.from({ length: 400 }, (_, i) => ({
        type: 'identify',
        anonymousId: `anon-${i}`,
        traits: { seen: i, plan: 'free' },
      })),
    ];
    const sent = await fetch(`${server.url}/v1/batch`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ writeKey: init.write_key, batch }),
    });
    expect(sent.status).toBe(200);
    const store = openStore(location);
    cleanups.push(() => store.close());
    // An API read waits until the tracking messages are applied.
    expect((await fetch(`${server.url}/api/users/user-0`, { headers: auth })).status).toBe(200);
    const { rows } = await sql<{
      id: number;
    }>`select id from persons where user_id is null order by id`.execute(store.db);
    // Merges and a large import in flight together, then the process is killed.
    let next = 0;
    let merged = 0;
    const merges = Array.from({ length: 4 }, async () => {
      while (next < rows.length) {
        const i = next++;
        const answer = await fetch(`${server.url}/api/admin/merge`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({
            into: { user_id: `user-${i % 20}` },
            from: { person_id: Number(rows[i].id) },
          }),
        }).catch(() => null);
        if (answer === null) return;
        if (answer.status === 200) merged++;
      }
    });
    const csv = `user_id,plan,score\n${Array.from({ length: 30_000 }, (_, i) => `user-${i % 25_000},gold,${i}`).join('\n')}\n`;
    const importing = fetch(`${server.url}/api/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${init.api_key}`, 'content-type': 'text/csv' },
      body: csv,
    }).catch(() => null);
    for (const until = Date.now() + 20_000; merged < 3 && Date.now() < until; ) await sleep(20);
    server.child.kill('SIGKILL');
    await Promise.all(merges);
    // Killed in the middle of both.
    expect(await importing).toBeNull();
    expect(merged).toBeGreaterThan(0);
    expect(merged).toBeLessThan(rows.length);

    expect(await store.integrityCheck()).toBe('ok');
    expect(await identityViolations(store.db, 1000)).toEqual([]);
    // Every anonymous visitor's device is where exactly one person holds it, with that person's attributes.
    const { rows: devices } = await sql<{
      n: number;
    }>`select count(*) as n from devices where anonymous_id like 'anon-%'`.execute(store.db);
    expect(Number(devices[0].n)).toBe(420);
  }, 120_000);
}
