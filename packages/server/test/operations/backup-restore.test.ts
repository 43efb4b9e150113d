import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { buildApp } from '../../src/http/build-app.js';
import { createProject } from '../../src/projects/create-project.js';
import { openStore } from '../../src/storage/store.js';
import { apiClient } from '../api/api-client.js';
import { CLI } from '../support/cli-server.js';

const run = promisify(execFile);
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'acquaint-backup-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** An app serving the SQLite installation in `dir` (with its ingestion log). */
async function serve(dir: string) {
  const store = openStore(join(dir, 'acquaint.db'));
  await store.migrate();
  const app = await buildApp({ store });
  await app.ready();
  cleanups.push(() => store.close());
  cleanups.push(() => app.close());
  return { store, app };
}

const identify = (i: number) => ({
  type: 'identify',
  userId: `user-${i}`,
  anonymousId: `anon-${i}`,
  messageId: `m-${i}`,
  traits: { n: i },
});

it('backup of a running install keeps acknowledged messages not yet applied; restore applies every one', async () => {
  const live = tempDir();
  const { store, app } = await serve(live);
  const project = await createProject(store, 'Backed up');
  const client = apiClient({ app, writeKey: project.write_key, apiKey: project.api_key });
  for (let i = 1; i <= 3; i++) expect((await client.batch([identify(i)])).statusCode).toBe(200);
  await app.ingestion.settled();

  // Another connection holds the write lock: the next requests are acknowledged (logged) only.
  const blocker = new SqliteDatabase(join(live, 'acquaint.db'));
  blocker.exec('begin immediate');
  const backupDir = join(tempDir(), 'backup');
  try {
    for (let i = 4; i <= 8; i++) expect((await client.batch([identify(i)])).statusCode).toBe(200);
    expect(app.ingestion.status().backlog).toBe(5);
    const backup = await run(process.execPath, [CLI, 'backup', backupDir, '--data-dir', live]);
    expect(JSON.parse(backup.stdout)).toMatchObject({
      database: 'acquaint.db',
      ingestion_log: 'acquaint.db-ingest',
      unapplied_entries: 5,
      failed_entries: 0,
    });
  } finally {
    blocker.exec('rollback');
    blocker.close();
  }
  const again = run(process.execPath, [CLI, 'backup', backupDir, '--data-dir', live]);
  await expect(again).rejects.toMatchObject({ stderr: /already holds a backup/ });

  // Restore into a fresh directory, and over an existing install only with --replace.
  const restored = tempDir();
  const output = await run(process.execPath, [CLI, 'restore', backupDir, '--data-dir', restored]);
  expect(output.stdout).toMatch(/5 logged requests will be applied when the server starts/);
  const refused = run(process.execPath, [CLI, 'restore', backupDir, '--data-dir', restored]);
  await expect(refused).rejects.toMatchObject({
    stderr: /exists; stop the server and restore with --replace/,
  });
  await run(process.execPath, [CLI, 'restore', backupDir, '--data-dir', restored, '--replace']);

  const back = await serve(restored);
  await back.app.ingestion.settled();
  const restoredClient = apiClient({ app: back.app, writeKey: project.write_key, apiKey: project.api_key });
  for (let i = 1; i <= 8; i++) {
    const profile = await restoredClient.get(`/api/users/user-${i}`);
    expect(profile.statusCode, `user-${i}`).toBe(200);
    expect(profile.json().attributes).toMatchObject({ n: i });
  }
  // Acknowledged messages are applied once: a retry of one is still a duplicate.
  const retry = await restoredClient.batch([identify(8)]);
  expect(retry.json().warnings).toEqual([expect.objectContaining({ code: 'DUPLICATE_MESSAGE_ID' })]);
  expect(await back.store.integrityCheck()).toBe('ok');
}, 120_000);

it('backup and restore refuse a PostgreSQL install and point to pg_dump', async () => {
  const failed = run(process.execPath, [CLI, 'backup', tempDir(), '--database', 'postgres://127.0.0.1:1/x']);
  await expect(failed).rejects.toMatchObject({ code: 2, stderr: /use pg_dump and pg_restore/ });
});
