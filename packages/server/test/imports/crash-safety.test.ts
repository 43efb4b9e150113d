import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/storage/store.js';
import { CLI, type CliServer, startCliServer } from '../support/cli-server.js';
import { createTestDatabase, describeEachBackend } from '../support/test-stores.js';

/** Enough rows that the server is killed mid-import (chunks of 1,000 rows), and no more. */
const ROWS = 20_000;
const SERVER_ENV = {
  ACQUAINT_LOG: 'off',
  DATABASE_URL: '',
  ACQUAINT_IMPORT_CHUNK_ROWS: '1000',
  ACQUAINT_IMPORT_HEARTBEAT_MS: '200',
};

const csv = () => {
  const lines = ['member_id,plan,points,joined'];
  for (let i = 1; i <= ROWS; i++)
    lines.push(`member-${i},${i % 2 ? 'gold' : 'silver'},${i * 3},2024/0${(i % 9) + 1}/15`);
  return `${lines.join('\n')}\n`;
};

function startServer(location: string[]): Promise<CliServer> {
  return startCliServer(location, SERVER_ENV);
}

/** Every user with its attribute values (not their times), to compare final states. */
async function dump(store: Store): Promise<string[]> {
  const rows = await store.db
    .selectFrom('persons')
    .innerJoin('person_attributes', 'person_attributes.person_id', 'persons.id')
    .select(['persons.user_id', 'person_attributes.name', 'person_attributes.value'])
    .orderBy('persons.user_id')
    .orderBy('person_attributes.name')
    .execute();
  return rows.map((r) => `${r.user_id} ${r.name}=${r.value}`);
}

describeEachBackend('import crash safety', (backend) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A fresh database the CLI can open: an SQLite data dir, or a new PostgreSQL database. */
  async function freshLocation(): Promise<{ args: string[]; store: () => Store }> {
    if (backend === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'acquaint-crash-'));
      cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
      return { args: ['--data-dir', dir], store: () => openStore(join(dir, 'acquaint.db')) };
    }
    const database = await createTestDatabase('acquaint_crash');
    cleanups.push(database.drop);
    return { args: ['--database', database.url], store: () => openStore(database.url) };
  }

  it(`${backend}: a server killed mid-import leaves an interrupted job with an exact count; resuming and re-running give a clean run's state`, async () => {
    const location = await freshLocation();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [CLI, 'init', '--json', ...location.args],
      {
        env: { ...process.env, ...SERVER_ENV },
      },
    );
    const apiKey = (JSON.parse(stdout) as { api_key: string }).api_key;
    const file = csv();
    const call = async (url: string, path: string, init: RequestInit = {}) =>
      (
        await fetch(`${url}${path}`, {
          ...init,
          headers: { authorization: `Bearer ${apiKey}`, ...init.headers },
        })
      ).json();
    const upload = (url: string, path: string, method: string) =>
      call(url, path, { method, headers: { 'content-type': 'text/csv' }, body: file });

    let server = await startServer(location.args);
    const job = await call(server.url, '/api/imports', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ file_name: 'members.csv' }),
    });
    const sending = upload(server.url, `/api/imports/${job.id}/file`, 'PUT').catch(() => 'connection lost');
    for (;;) {
      const status = await call(server.url, `/api/imports/${job.id}`);
      expect(status.status).not.toBe('completed');
      if (status.progress.rows >= 2000) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    server.child.kill('SIGKILL');
    expect(await sending).toBe('connection lost');

    server = await startServer(location.args);
    cleanups.push(async () => {
      server.child.kill('SIGKILL');
    });
    await new Promise((resolve) => setTimeout(resolve, 800));
    const interrupted = await call(server.url, `/api/imports/${job.id}`);
    expect(interrupted).toMatchObject({ status: 'interrupted', error: { code: 'IMPORT_INTERRUPTED' } });
    const applied = interrupted.progress.rows as number;
    expect(applied).toBeGreaterThan(0);
    expect(applied).toBeLessThan(ROWS);
    const stats = await call(server.url, '/api/stats/identification');
    expect(stats).toMatchObject({ persons: applied, imported: applied });
    const check = location.store();
    cleanups.push(() => check.close());
    expect(await check.integrityCheck()).toBe('ok');

    const resumed = await upload(server.url, `/api/imports/${job.id}/file`, 'PUT');
    expect(resumed).toMatchObject({
      status: 'completed',
      progress: { rows: ROWS },
      counts: { received: ROWS, created: ROWS },
    });
    const rerun = await upload(server.url, '/api/imports', 'POST');
    expect(rerun).toMatchObject({
      status: 'completed',
      counts: { received: ROWS, created: 0, unchanged: ROWS },
    });

    const clean = await freshLocation();
    const cleanStore = clean.store();
    cleanups.push(() => cleanStore.close());
    await cleanStore.migrate();
    const { createProject } = await import('../../src/projects/create-project.js');
    const { createCsvImportJob } = await import('../../src/imports/import-jobs.js');
    const { runCsvImport } = await import('../../src/imports/run-csv-import.js');
    const project = await createProject(cleanStore, 'clean');
    const cleanJob = await createCsvImportJob(cleanStore, {
      projectId: project.project_id,
      apiKeyId: null,
      fileName: null,
      sizeBytes: null,
      dryRun: false,
    });
    await runCsvImport(cleanStore, cleanJob, [Buffer.from(file)], {
      maxFields: 200,
      chunkRows: 10_000,
      heartbeatMs: 5000,
    });
    expect(await dump(check)).toEqual(await dump(cleanStore));
  });
});
