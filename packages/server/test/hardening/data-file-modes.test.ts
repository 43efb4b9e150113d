import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/build-app.js';
import { createProject } from '../../src/projects/create-project.js';
import { backupSqlite } from '../../src/storage/sqlite-backup.js';
import { openStore } from '../../src/storage/store.js';
import { apiClient } from '../api/api-client.js';

const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe('data files are readable by their owner only (SQLite file)', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('creates the data directory 0700 and the database, its log, WAL files, key and backups 0600', async () => {
    const root = mkdtempSync(join(tmpdir(), 'acquaint-modes-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const previous = process.umask(0o022);
    cleanups.push(() => {
      process.umask(previous);
    });
    const dir = join(root, 'data');
    const file = join(dir, 'acquaint.db');
    const store = openStore(file);
    cleanups.push(() => store.close());
    await store.migrate();
    const project = await createProject(store, 'Modes');
    const app = await buildApp({ store, config: {} });
    await app.ready();
    cleanups.push(() => app.close());
    const client = apiClient({ app, writeKey: project.write_key, apiKey: project.api_key });
    expect((await client.send('track', { event: 'Saved', userId: 'user-42' })).statusCode).toBe(200);
    expect((await client.get('/api/users/user-42')).statusCode).toBe(200);

    expect(modeOf(dir)).toBe('700');
    for (const name of [
      'acquaint.db',
      'acquaint.db-wal',
      'acquaint.db-shm',
      'acquaint.db-ingest',
      'acquaint.db-ingest-wal',
      'acquaint.db-ingest-shm',
      'secret.key',
    ]) {
      expect(`${name} ${modeOf(join(dir, name))}`).toBe(`${name} 600`);
    }

    const backup = join(root, 'backup');
    const manifest = await backupSqlite(file, backup);
    expect(modeOf(backup)).toBe('700');
    for (const name of [manifest.database, manifest.ingestion_log, 'backup.json']) {
      expect(`${name} ${modeOf(join(backup, String(name)))}`).toBe(`${name} 600`);
    }
  });

  it('brings files that earlier versions wrote 0644 to 0600 when they are opened', async () => {
    const root = mkdtempSync(join(tmpdir(), 'acquaint-modes-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const file = join(root, 'acquaint.db');
    writeFileSync(file, '', { mode: 0o644 });
    const store = openStore(file);
    cleanups.push(() => store.close());
    await store.migrate();
    expect(modeOf(file)).toBe('600');
    expect(modeOf(`${file}-wal`)).toBe('600');
  });
});
