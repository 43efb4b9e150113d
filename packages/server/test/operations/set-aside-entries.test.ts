import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createApiKey, createProject } from '../../src/projects/create-project.js';
import { apiClient } from '../api/api-client.js';
import { CLI } from '../support/cli-server.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const run = promisify(execFile);

/** A trigger that makes every event insert fail: an entry's own fault, so the applier sets it aside. */
const REFUSE_EVENTS = `create trigger refuse_events before insert on events
  begin select raise(abort, 'events are refused by a test trigger'); end`;

let server: TestServer;
let database: SqliteDatabase.Database;
beforeEach(async () => {
  server = await startTestServer({ backend: 'sqlite-log' });
  database = new SqliteDatabase(server.store.file as string);
});
afterEach(async () => {
  database.close();
  await server.close();
});

const message = (i: number) => ({
  type: 'identify',
  userId: `user-${i}`,
  anonymousId: `anon-${i}`,
  messageId: `m-${i}`,
  traits: { plan: 'pro' },
});

it('sqlite-log: a request that cannot be applied is listed, replayed once its cause is fixed, then gone', async () => {
  const client = apiClient(server);
  database.exec(REFUSE_EVENTS);
  for (let i = 1; i <= 3; i++) expect((await client.batch([message(i)])).statusCode).toBe(200);
  await server.settled();

  const first = await client.get('/api/ingestion/failed?limit=2');
  expect(first.statusCode).toBe(200);
  expect(first.json().failed).toHaveLength(2);
  expect(first.json().failed[0]).toMatchObject({
    message_type: null,
    messages: 1,
    message_ids: ['m-1'],
    error: expect.stringMatching(/events are refused by a test trigger/),
  });
  const second = await client.get(`/api/ingestion/failed?limit=2&cursor=${first.json().next_cursor}`);
  expect(second.json()).toMatchObject({ failed: [{ message_ids: ['m-3'] }], next_cursor: null });
  const [one] = first.json().failed as { id: number }[];

  // Still failing: it stays set aside, with the new error.
  const again = await client.post(`/api/ingestion/failed/${one.id}/replay`, {});
  expect(again.statusCode).toBe(409);
  expect(again.json().error).toMatchObject({ code: 'INGESTION_REPLAY_FAILED' });

  database.exec('drop trigger refuse_events');
  const replayed = await client.post(`/api/ingestion/failed/${one.id}/replay`, {});
  expect(replayed.statusCode).toBe(200);
  expect(replayed.json()).toEqual({ id: one.id, replayed: true, applied: 1 });
  expect((await client.get('/api/users/user-1')).json()).toMatchObject({
    user_id: 'user-1',
    attributes: { plan: 'pro' },
  });
  expect((await client.get('/api/users/user-2')).statusCode).toBe(404);
  const left = (await client.get('/api/ingestion/failed')).json().failed as { message_ids: string[] }[];
  expect(left.map((e) => e.message_ids[0])).toEqual(['m-2', 'm-3']);
  const gone = await client.post(`/api/ingestion/failed/${one.id}/replay`, {});
  expect(gone.statusCode).toBe(404);
  expect(gone.json().error.code).toBe('INGESTION_ENTRY_NOT_FOUND');
  // The replayed messages were counted as applied.
  expect((await server.app.inject({ method: 'GET', url: '/metrics' })).body).toMatch(
    /^acquaint_ingestion_applied_messages_total 1$/m,
  );
});

it('sqlite-log: replay wants the admin scope; another project sees nothing and replays nothing', async () => {
  const client = apiClient(server);
  database.exec(REFUSE_EVENTS);
  await client.batch([message(1)]);
  await server.settled();
  const [entry] = (await client.get('/api/ingestion/failed')).json().failed as { id: number }[];
  const query = await createApiKey(server.store.db, server.projectId, 'reader', ['query']);
  const refused = await client.post(`/api/ingestion/failed/${entry.id}/replay`, {}, query.key);
  expect(refused.statusCode).toBe(403);
  expect(refused.json().error.code).toBe('API_KEY_SCOPE');

  const other = await createProject(server.store, 'Other site');
  const list = await client.get('/api/ingestion/failed', other.api_key);
  expect(list.json()).toEqual({ failed: [], next_cursor: null });
  const foreign = await client.post(`/api/ingestion/failed/${entry.id}/replay`, {}, other.api_key);
  expect(foreign.statusCode).toBe(404);
  expect((await client.get('/api/ingestion/failed')).json().failed).toHaveLength(1);
  const tampered = await client.get('/api/ingestion/failed?cursor=abc');
  expect(tampered.statusCode).toBe(400);
  expect(tampered.json().error.code).toBe('INVALID_CURSOR');
});

it('sqlite-log: acquaint ingestion failed / replay ID work through the API', async () => {
  const client = apiClient(server);
  database.exec(REFUSE_EVENTS);
  await client.batch([message(7)]);
  await server.settled();
  database.exec('drop trigger refuse_events');
  const args = ['--url', server.url, '--api-key', server.apiKey];
  const listed = await run(process.execPath, [CLI, 'ingestion', 'failed', ...args, '--json']);
  const entries = JSON.parse(listed.stdout) as { id: number; message_ids: string[] }[];
  expect(entries.map((e) => e.message_ids)).toEqual([['m-7']]);
  const replayed = await run(process.execPath, [CLI, 'ingestion', 'replay', String(entries[0].id), ...args]);
  expect(replayed.stdout).toBe(`Entry ${entries[0].id} applied: 1 messages.\n`);
  const again = run(process.execPath, [CLI, 'ingestion', 'replay', String(entries[0].id), ...args]);
  await expect(again).rejects.toMatchObject({ code: 1, stderr: /INGESTION_ENTRY_NOT_FOUND/ });
  expect((await client.get('/api/users/user-7')).statusCode).toBe(200);
}, 90_000);
