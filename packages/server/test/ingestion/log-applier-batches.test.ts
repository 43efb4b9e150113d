import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_ATTRIBUTES_PER_PROJECT } from '../../src/attributes/attribute-writes.js';
import { loadConfig } from '../../src/config.js';
import { LogApplier } from '../../src/ingestion/log-applier.js';
import { createProject } from '../../src/projects/create-project.js';
import { ingestionLogFile, SqliteIngestionLog } from '../../src/storage/sqlite-ingestion-log.js';
import { openStore, type Store } from '../../src/storage/store.js';

const config = loadConfig({});
const T = Date.parse('2026-11-01T10:00:00.000Z');

/** Three logged requests of one project that depend on each other (a merge, a repeated messageId). */
const requests: Record<string, unknown>[][] = [
  [
    { type: 'page', name: '/', anonymousId: 'a1', messageId: 'm1' },
    { type: 'identify', anonymousId: 'a2', userId: 'u1', traits: { plan: 'pro' }, messageId: 'm2' },
  ],
  [
    { type: 'identify', anonymousId: 'a1', userId: 'u1', traits: { plan: 'gold' }, messageId: 'm3' },
    { type: 'page', name: '/again', anonymousId: 'a1', messageId: 'm1' },
  ],
  [{ type: 'identify', anonymousId: 'a1', userId: 'u2', traits: { age: 30 }, messageId: 'm4' }],
];

describe('the log applier applies consecutive requests of a project as one batch', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A fresh database and log holding `bodies`, one logged request each. */
  async function logged(bodies: Record<string, unknown>[][]) {
    const dir = mkdtempSync(join(tmpdir(), 'acquaint-batches-'));
    const file = join(dir, 'acquaint.db');
    const store = openStore(file);
    await store.migrate();
    const project = await createProject(store, 'Batches');
    const log = SqliteIngestionLog.open(ingestionLogFile(file));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    cleanups.push(() => store.close());
    cleanups.push(() => log.close());
    for (const [i, batch] of bodies.entries()) {
      log.append({
        projectId: project.project_id,
        receivedAt: T + i * 1000,
        messageType: null,
        maxMessageBytes: config.maxMessageBytes,
        verifiedIndexes: null,
        generatedIdPrefix: `req${i}`,
        body: Buffer.from(
          JSON.stringify({
            batch: batch.map((m, j) => ({ ...m, timestamp: new Date(T + i * 1000 + j).toISOString() })),
          }),
        ),
      });
    }
    return { store, project, applier: new LogApplier(store, log, config) };
  }

  /** What the applied requests left: persons and their ids, attributes, events, claims, warnings. */
  async function state(store: Store) {
    const rows = async (query: string) =>
      (await sql.raw<Record<string, unknown>>(query).execute(store.db)).rows;
    return {
      persons: await rows(`select p.user_id, group_concat(d.anonymous_id) as devices from persons p
        left join devices d on d.person_id = p.id group by p.id order by p.user_id`),
      attributes: await rows(`select p.user_id, a.name, a.value from person_attributes a
        join persons p on p.id = a.person_id order by p.user_id, a.name`),
      events: await rows('select message_id, type, name, anonymous_id, user_id from events order by id'),
      claims: await rows('select message_id from received_messages order by message_id'),
      warnings: await rows('select message_id, code, received_at from ingestion_warnings order by id'),
    };
  }

  it('leaves the same state as applying the requests one transaction each', async () => {
    const together = await logged(requests);
    expect(await together.applier.applyNext(() => {})).toBe(3);
    expect(together.applier.takeAppliedMessages()).toBe(4);
    const apart = await logged(requests);
    for (let seq = 1; seq <= 3; seq++) expect(await apart.applier.applyNext(() => {}, 1)).toBe(seq);
    expect(apart.applier.takeAppliedMessages()).toBe(4);

    const expected = await state(apart.store);
    expect(await state(together.store)).toEqual(expected);
    // The merge and the duplicate did happen (the comparison is not between two empty states).
    expect(expected.persons).toEqual([
      { user_id: 'u1', devices: expect.stringMatching(/^(a1,a2|a2,a1)$/) },
      { user_id: 'u2', devices: null },
    ]);
    expect(expected.events.map((e) => e.message_id)).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(expected.warnings).toEqual([
      // Received with the third request, whose receive time it keeps.
      { message_id: 'm4', code: 'IDENTIFIED_ON_ANOTHER_USER', received_at: T + 2000 },
    ]);
  });

  it('names the message of each skipped attribute, though the requests repeat message indexes', async () => {
    const { store, project, applier } = await logged([
      [{ type: 'identify', userId: 'u1', traits: { first_new: 1 }, messageId: 'first' }],
      [{ type: 'identify', userId: 'u2', traits: { second_new: 2 }, messageId: 'second' }],
    ]);
    // The project is at its cap of attribute names, so both new names are skipped.
    await sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${MAX_ATTRIBUTES_PER_PROJECT})
      insert into attribute_definitions (project_id, name, type, type_source, first_seen, last_seen)
      select ${project.project_id}, 'a' || i, 'number', 'inferred', 0, 0 from n`.execute(store.db);
    expect(await applier.applyNext(() => {})).toBe(2);
    const warnings = await sql<{ message_id: string; message: string }>`select message_id, message
      from ingestion_warnings where code = 'ATTRIBUTE_SKIPPED' order by message_id`.execute(store.db);
    expect(warnings.rows.map((w) => [w.message_id, w.message.split(':')[0]])).toEqual([
      ['first', 'first_new'],
      ['second', 'second_new'],
    ]);
  });
});
