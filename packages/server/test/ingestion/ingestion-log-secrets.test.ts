import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/build-app.js';
import { createProject } from '../../src/projects/create-project.js';
import { userHashFor } from '../../src/projects/keys.js';
import { replaceProjectKey, updateProjectSettings } from '../../src/storage/project-repository.js';
import { ingestionLogFile, SqliteIngestionLog } from '../../src/storage/sqlite-ingestion-log.js';
import { openStore } from '../../src/storage/store.js';
import { apiClient } from '../api/api-client.js';

describe('ingestion log and the identity secret (SQLite file)', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp() {
    const dir = mkdtempSync(join(tmpdir(), 'acquaint-log-secret-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'acquaint.db');
    const store = openStore(file);
    cleanups.push(() => store.close());
    await store.migrate();
    const project = await createProject(store, 'Verified');
    await updateProjectSettings(store.db, project.project_id, { verify_identity: 1 });
    const open = async () => {
      const app = await buildApp({ store, config: {} });
      await app.ready();
      cleanups.push(() => app.close());
      return apiClient({ app, writeKey: project.write_key, apiKey: project.api_key });
    };
    const logged = (body: object, verifiedIndexes: number[] | null) => ({
      projectId: project.project_id,
      receivedAt: Date.now(),
      messageType: null,
      maxMessageBytes: loadConfig().maxMessageBytes,
      verifiedIndexes,
      generatedIdPrefix: 'logged',
      body: Buffer.from(JSON.stringify(body)),
    });
    return { dir, file, store, project, open, logged };
  }

  it('never writes the identity secret into the log files', async () => {
    const { dir, project, open } = await setUp();
    const client = await open();
    const userHash = userHashFor(project.identity_secret, 'user-42');
    const answer = await client.batch([
      { type: 'identify', userId: 'user-42', userHash, traits: { plan: 'pro' } },
      { type: 'track', event: 'Paid', userId: 'user-42', userHash },
    ]);
    expect(answer.json()).toEqual({ success: true });
    expect((await client.get('/api/users/user-42')).json().attributes.plan).toBe('pro');
    for (const name of readdirSync(dir).filter((n) => n.includes('-ingest'))) {
      const bytes = readFileSync(join(dir, name));
      expect(bytes.includes(project.identity_secret), `${name} holds the identity secret`).toBe(false);
    }
  });

  it('applies a logged request as it was answered, though the secret rotated before it was applied', async () => {
    const { file, project, open, logged, store } = await setUp();
    const log = SqliteIngestionLog.open(ingestionLogFile(file));
    const userHash = userHashFor(project.identity_secret, 'user-early');
    // Answered before the rotation: message 0 verified; message 1 carried no hash.
    log.append(
      logged(
        {
          batch: [
            { type: 'identify', userId: 'user-early', userHash, traits: { plan: 'early' } },
            { type: 'track', event: 'Unverified', userId: 'user-other', anonymousId: 'anon-x' },
          ],
        },
        [0],
      ),
    );
    log.close();
    await replaceProjectKey(store.db, project.project_id, { identity_secret: 'f'.repeat(64) });

    const client = await open();
    expect((await client.get('/api/users/user-early')).json().attributes.plan).toBe('early');
    expect((await client.get('/api/users/user-other')).statusCode).toBe(404);
  });

  it('still applies entries of earlier versions, which kept the secret, by checking it', async () => {
    const { file, project, open } = await setUp();
    // A log file as earlier versions wrote it: no verified_indexes column, the secret in each entry.
    const old = new SqliteDatabase(ingestionLogFile(file));
    old.exec(`create table entries (
      seq integer primary key autoincrement, project_id text not null, received_at integer not null,
      message_type text, max_message_bytes integer not null, identity_secret text,
      generated_id_prefix text not null, body blob not null)`);
    const insert = old.prepare(`insert into entries
      (project_id, received_at, message_type, max_message_bytes, identity_secret, generated_id_prefix, body)
      values (?, ?, null, ?, ?, 'old', ?)`);
    const body = (userId: string, userHash: string) =>
      Buffer.from(
        JSON.stringify({ batch: [{ type: 'identify', userId, userHash, traits: { plan: userId } }] }),
      );
    const secret = project.identity_secret;
    insert.run(
      project.project_id,
      Date.now(),
      65536,
      secret,
      body('user-good', userHashFor(secret, 'user-good')),
    );
    insert.run(project.project_id, Date.now(), 65536, secret, body('user-forged', 'ab'.repeat(32)));
    old.close();

    const client = await open();
    expect((await client.get('/api/users/user-good')).json().attributes.plan).toBe('user-good');
    expect((await client.get('/api/users/user-forged')).statusCode).toBe(404);
  });
});
