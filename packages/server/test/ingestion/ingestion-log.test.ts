import { type ChildProcess, execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import SqliteDatabase from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { type AcquaintConfig, loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/build-app.js';
import { createProject } from '../../src/projects/create-project.js';
import { ingestionLogFile, SqliteIngestionLog } from '../../src/storage/sqlite-ingestion-log.js';
import { openStore, type Store } from '../../src/storage/store.js';
import { apiClient, at } from '../api/api-client.js';
import { CLI, startCliServer } from '../support/cli-server.js';

/** An SQLite data file in a fresh directory, with one project; apps are built on it and rebuilt. */
async function dataFile() {
  const dir = mkdtempSync(join(tmpdir(), 'acquaint-log-'));
  const file = join(dir, 'acquaint.db');
  const store = openStore(file);
  await store.migrate();
  const project = await createProject(store, 'Log test');
  return { dir, file, store, project };
}

describe('ingestion log (SQLite file)', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp() {
    const data = await dataFile();
    cleanups.push(() => rmSync(data.dir, { recursive: true, force: true }));
    cleanups.push(() => data.store.close());
    const open = async (config: Partial<AcquaintConfig> = {}) => {
      const app = await buildApp({ store: data.store, config });
      await app.ready();
      cleanups.push(() => app.close());
      return {
        app,
        client: apiClient({ app, writeKey: data.project.write_key, apiKey: data.project.api_key }),
      };
    };
    return { ...data, open };
  }

  it('answers once logged; the API then reads every message acknowledged before it', async () => {
    const { open } = await setUp();
    const { client } = await open();
    expect((await client.get('/api/ingestion/status')).json()).toMatchObject({ mode: 'log' });
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        client.batch(
          Array.from({ length: 50 }, (_, j) => ({
            type: 'track',
            event: 'Viewed',
            anonymousId: `device-${i}`,
            userId: 'u-read',
            messageId: `read-${i}-${j}`,
            timestamp: at(i),
          })),
        ),
      ),
    );
    for (const answer of answers) expect(answer.json()).toEqual({ success: true });
    const events = (await client.get('/api/users/u-read/events?limit=1')).json() as { total: number };
    expect(events.total).toBe(1000);
    const user = (await client.get('/api/users/u-read')).json() as { devices: unknown[] };
    expect(user.devices).toHaveLength(20);
    expect((await client.get('/api/ingestion/status')).json()).toMatchObject({
      mode: 'log',
      backlog: 0,
      backlog_age_seconds: 0,
      applier_alive: true,
    });
  });

  it('a retry is a duplicate whether its first copy waits in the log or is applied', async () => {
    const { open } = await setUp();
    const { client } = await open();
    const message = { type: 'track', event: 'Paid', userId: 'u-dup', messageId: 'dup-1', timestamp: at(1) };
    const first = client.batch([message]);
    const retry = client.batch([message, { ...message, messageId: 'dup-2' }]);
    expect((await first).json()).toEqual({ success: true });
    expect((await retry).json().warnings).toEqual([
      expect.objectContaining({ index: 0, messageId: 'dup-1', code: 'DUPLICATE_MESSAGE_ID' }),
    ]);
    // Now the first copy is applied (an API read waits for it).
    expect((await client.get('/api/users/u-dup')).statusCode).toBe(200);
    expect((await client.get('/api/ingestion/status')).json().backlog).toBe(0);
    const late = await client.batch([message]);
    expect(late.json().warnings[0].code).toBe('DUPLICATE_MESSAGE_ID');
    const events = (await client.get('/api/users/u-dup/events')).json() as { total: number };
    expect(events.total).toBe(2);
  });

  it('lists identity outcomes found when applying in /api/ingestion/warnings', async () => {
    const { open } = await setUp();
    const { client } = await open();
    await client.batch([
      { type: 'identify', anonymousId: 'shared', userId: 'alice', messageId: 'w-1', timestamp: at(1) },
      { type: 'identify', anonymousId: 'shared', userId: 'bob', messageId: 'w-2', timestamp: at(2) },
    ]);
    const listed = (await client.get('/api/ingestion/warnings')).json() as {
      warnings: { message_id: string; code: string; message: string }[];
    };
    expect(listed.warnings).toEqual([
      expect.objectContaining({ message_id: 'w-2', code: 'IDENTIFIED_ON_ANOTHER_USER' }),
    ]);
    expect(listed.warnings[0].message).toContain('alice');
  });

  it('applies what the log holds when the server starts, and sets aside an entry it cannot apply', async () => {
    const { file, project, open } = await setUp();
    const log = SqliteIngestionLog.open(ingestionLogFile(file));
    const request = (body: string) => ({
      projectId: project.project_id,
      receivedAt: Date.now(),
      messageType: null,
      maxMessageBytes: loadConfig().maxMessageBytes,
      verifiedIndexes: null,
      generatedIdPrefix: 'replayed',
      body: Buffer.from(body),
    });
    const broken = log.append(request('{"batch": [ this is not JSON'));
    log.append(
      request(
        JSON.stringify({ batch: [{ type: 'identify', userId: 'u-replayed', traits: { plan: 'pro' } }] }),
      ),
    );
    log.close();
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    cleanups.push(() => {
      process.off('warning', onWarning);
    });

    const { client } = await open();
    const user = await client.get('/api/users/u-replayed');
    expect(user.statusCode).toBe(200);
    expect(user.json().attributes.plan).toBe('pro');
    const kept = new SqliteDatabase(ingestionLogFile(file), { readonly: true });
    try {
      const failed = kept.prepare('select seq, error from failed').all() as { seq: number; error: string }[];
      expect(failed).toEqual([{ seq: broken, error: expect.stringContaining('not valid JSON') }]);
      // The failed entry is kept for inspection; the applied one is trimmed.
      expect(kept.prepare('select seq from entries').all()).toEqual([{ seq: broken }]);
    } finally {
      kept.close();
    }
    expect(warnings.join('\n')).toContain(`ingestion log entry ${broken} could not be applied`);
  });

  it('a retry of a message logged before a restart and not applied yet is still a duplicate', async () => {
    const { file, project, open } = await setUp();
    const log = SqliteIngestionLog.open(ingestionLogFile(file));
    const message = { type: 'track', event: 'Paid', userId: 'u-wait', messageId: 'waiting-1' };
    log.append({
      projectId: project.project_id,
      receivedAt: Date.now(),
      messageType: null,
      maxMessageBytes: loadConfig().maxMessageBytes,
      verifiedIndexes: null,
      generatedIdPrefix: 'earlier',
      body: Buffer.from(JSON.stringify({ batch: [message] })),
    });
    log.close();
    // Another connection holds the write lock, so the entry stays unapplied while the retry comes.
    const blocker = new SqliteDatabase(file);
    blocker.exec('begin immediate');
    let client: ReturnType<typeof apiClient>;
    try {
      ({ client } = await open());
      const retry = await client.batch([message]);
      expect(retry.json().warnings).toEqual([
        expect.objectContaining({ messageId: 'waiting-1', code: 'DUPLICATE_MESSAGE_ID' }),
      ]);
    } finally {
      blocker.exec('rollback');
      blocker.close();
    }
    expect((await client.get('/api/users/u-wait/events')).json().total).toBe(1);
  });

  it('a message without a messageId is stored under the id its answer named', async () => {
    const { open, store } = await setUp();
    const { client } = await open();
    const answer = await client.batch([
      { type: 'track', event: 'Viewed', userId: 'u-noid', timestamp: at(1), colour: 'red' },
    ]);
    const [warning] = answer.json().warnings as { messageId: string; code: string }[];
    expect(warning.code).toBe('UNKNOWN_FIELD');
    await client.get('/api/users/u-noid');
    const events = await store.db.selectFrom('events').select('message_id').execute();
    expect(events).toEqual([{ message_id: warning.messageId }]);
  });

  it('goes on numbering after the applied cursor when the log file is lost', async () => {
    const { open, file } = await setUp();
    const first = await open();
    for (const i of [1, 2, 3]) await first.client.batch([{ type: 'identify', userId: `u-before-${i}` }]);
    expect((await first.client.get('/api/users/u-before-3')).statusCode).toBe(200);
    await first.app.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${ingestionLogFile(file)}${suffix}`, { force: true });

    const second = await open();
    await second.client.batch([{ type: 'identify', userId: 'u-after', traits: { plan: 'gold' } }]);
    const user = await second.client.get('/api/users/u-after');
    expect(user.statusCode).toBe(200);
    expect(user.json().attributes.plan).toBe('gold');
  });

  it('past its wait for a backlog, a read answers with what is applied and a change is refused (503)', async () => {
    const { open, file } = await setUp();
    const { client } = await open({ ingestionWaitMs: 300 });
    const drained = async () => {
      const deadline = Date.now() + 15_000;
      while ((await client.get('/api/ingestion/status')).json().backlog > 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
    };
    await client.batch([{ type: 'identify', userId: 'u-held', messageId: 'held-1' }]);
    await drained();
    expect((await client.get('/api/users/u-held')).statusCode).toBe(200);
    // Another connection holds the write lock, so the applier cannot apply what comes next.
    const blocker = new SqliteDatabase(file);
    blocker.exec('begin immediate');
    try {
      await client.batch([{ type: 'track', event: 'Later', userId: 'u-held', messageId: 'held-2' }]);
      const refused = await client.delete('/api/users/u-held');
      expect(refused.statusCode).toBe(503);
      expect(refused.json().error.code).toBe('INGESTION_BEHIND');
      expect(refused.headers['retry-after']).toBe('1');
      const read = await client.get('/api/users/u-held/events');
      expect(read.statusCode).toBe(200);
      expect(read.json().total).toBe(1);
    } finally {
      blocker.exec('rollback');
      blocker.close();
    }
    await drained();
    expect((await client.get('/api/users/u-held/events')).json().total).toBe(2);
    expect((await client.delete('/api/users/u-held')).statusCode).toBe(200);
  });

  it('while the log is behind, read-only POSTs (group preview, report) answer and a change is refused', async () => {
    const { open, file } = await setUp();
    const { client } = await open({ ingestionWaitMs: 300 });
    await client.batch([{ type: 'track', event: 'Bought', userId: 'u-read-only', messageId: 'ro-1' }]);
    const deadline = Date.now() + 15_000;
    while ((await client.get('/api/ingestion/status')).json().backlog > 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    // Another connection holds the write lock, so the applier cannot apply what comes next.
    const blocker = new SqliteDatabase(file);
    blocker.exec('begin immediate');
    try {
      await client.batch([{ type: 'track', event: 'Bought', userId: 'u-read-only', messageId: 'ro-2' }]);
      const preview = await client.post('/api/groups/preview', { condition: { event: 'Bought' } });
      expect(preview.statusCode, preview.body).toBe(200);
      expect(preview.json().users).toBe(1);
      const report = await client.post('/api/reports/breakdown', {
        metric: { type: 'event_count', event: 'Bought' },
        breakdown: { device_type: true },
        from: new Date(Date.now() - 86_400_000).toISOString(),
        to: new Date(Date.now() + 60_000).toISOString(),
      });
      expect(report.statusCode, report.body).toBe(200);
      const change = await client.post('/api/groups', {
        name: 'Buyers',
        source: { type: 'dynamic', condition: { event: 'Bought' } },
      });
      expect(change.statusCode).toBe(503);
      expect(change.json().error.code).toBe('INGESTION_BEHIND');
    } finally {
      blocker.exec('rollback');
      blocker.close();
    }
  });

  it('applies messages directly, answering with identity warnings, when the log is off', async () => {
    const data = await dataFile();
    cleanups.push(() => rmSync(data.dir, { recursive: true, force: true }));
    cleanups.push(() => data.store.close());
    const app: FastifyInstance = await buildApp({ store: data.store, config: { ingestionLog: false } });
    cleanups.push(() => app.close());
    const client = apiClient({ app, writeKey: data.project.write_key, apiKey: data.project.api_key });
    expect((await client.get('/api/ingestion/status')).json()).toEqual({
      mode: 'direct',
      backlog: 0,
      backlog_messages: 0,
      backlog_age_seconds: 0,
      applier_alive: true,
    });
    const answer = await client.batch([
      { type: 'identify', anonymousId: 'shared', userId: 'alice', timestamp: at(1) },
      { type: 'identify', anonymousId: 'shared', userId: 'bob', timestamp: at(2) },
    ]);
    expect(answer.json().warnings).toEqual([
      expect.objectContaining({ index: 1, code: 'IDENTIFIED_ON_ANOTHER_USER' }),
    ]);
  });
});

describe('ingestion log across kill -9', () => {
  let child: ChildProcess | undefined;
  let dir: string | undefined;
  afterEach(() => {
    child?.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const start = (dataDir: string) => startCliServer(['--data-dir', dataDir]);

  it('every acknowledged message is applied after the server is killed with messages still waiting', async () => {
    dir = mkdtempSync(join(tmpdir(), 'acquaint-kill-'));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [CLI, 'init', '--json', '--data-dir', dir],
      {
        env: { ...process.env, DATABASE_URL: '' },
      },
    );
    const keys = JSON.parse(stdout) as { write_key: string; api_key: string };
    const first = await start(dir);
    child = first.child;
    // Half the messages carry no messageId, so only the cursor stands between a replay and a
    // second copy; every identify adds 1 to its user's `visits`, so a second copy would show.
    let identifies = 0;
    const batches = Array.from({ length: 30 }, (_, request) =>
      Array.from({ length: 500 }, (_, i) => {
        const ids = {
          anonymousId: `kill-device-${request}-${i % 50}`,
          userId: `kill-user-${request}-${i % 10}`,
          ...(i % 2 === 0 ? { messageId: `kill-${request}-${i}` } : {}),
        };
        if (i % 5 !== 0) return { type: 'track', event: 'Clicked', ...ids };
        identifies += 1;
        return { type: 'identify', ...ids, traits: { plan: 'gold', $increment: { visits: 1 } } };
      }),
    );
    const acknowledged = await Promise.all(
      batches.map(async (batch) => {
        const response = await fetch(`${first.url}/v1/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ writeKey: keys.write_key, batch }),
        });
        expect(response.status).toBe(200);
        return batch.length;
      }),
    );
    const backlog = async (url: string) =>
      (
        (await (
          await fetch(`${url}/api/ingestion/status`, { headers: { authorization: `Bearer ${keys.api_key}` } })
        ).json()) as { backlog: number }
      ).backlog;
    const waiting = await backlog(first.url);
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    // The kill came while acknowledged messages still waited in the log.
    expect(waiting).toBeGreaterThan(0);

    const second = await start(dir);
    child = second.child;
    const deadline = Date.now() + 60_000;
    while ((await backlog(second.url)) > 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const store: Store = openStore(join(dir, 'acquaint.db'));
    try {
      const count = await store.db
        .selectFrom('events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(acknowledged.reduce((a, b) => a + b, 0));
      const visits = await store.db
        .selectFrom('person_attributes')
        .select('value')
        .where('name', '=', 'visits')
        .execute();
      expect(visits.reduce((sum, row) => sum + Number(row.value), 0)).toBe(identifies);
      expect(await store.integrityCheck()).toBe('ok');
    } finally {
      await store.close();
    }
  }, 120_000);
});
