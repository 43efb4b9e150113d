import pg from 'pg';
import { expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ingestMessages } from '../../src/ingestion/ingest-messages.js';
import { createProject } from '../../src/projects/create-project.js';
import { findProjectByWriteKey } from '../../src/storage/project-repository.js';
import type { Store } from '../../src/storage/store.js';
import { rollupAndRecount } from '../support/rollup-recount.js';
import { describeEachBackend, describePostgres, openTestStore, postgresUrl } from '../support/test-stores.js';

const BEFORE = '0038_attribute_values_by_name';

async function projectIn(store: Store) {
  const created = await createProject(store, 'rollup');
  const project = (await findProjectByWriteKey(store.db, created.write_key))!;
  const config = loadConfig({});
  let n = 0;
  return {
    project,
    send: (messages: Record<string, unknown>[]) =>
      ingestMessages(
        store,
        project,
        messages.map((m) => ({ messageId: `m-${n++}`, ...m })),
        { receivedAt: Date.now(), config },
      ),
  };
}

/**
 * `0039_rollup_resolve_by_id` replaces PostgreSQL's functions that resolve rollup rows again when a
 * person or device changes: a database upgraded from 0038 keeps its rollup exact, and a connection
 * that planned the trigger while the rollup was nearly empty still finds a device's rows through
 * the anonymous id's index, not by reading every row of the project.
 */
describeEachBackend('rollup re-resolution across the 0039 upgrade', (backend) => {
  it(`${backend}: rows counted before the upgrade follow sign-ins and merges after it`, async () => {
    const { store, cleanup } = await openTestStore(backend, { migrateUpTo: BEFORE });
    try {
      const { project, send } = await projectIn(store);
      await send(
        Array.from({ length: 12 }, (_, i) => ({ type: 'page', name: 'Home', anonymousId: `a${i}` })),
      );
      await store.migrate();
      // Sign-ins bind the anonymous devices; a second device of u0 signs in as u1 and then is
      // aliased, merging the two persons.
      await send(
        Array.from({ length: 6 }, (_, i) => ({
          type: 'identify',
          userId: `u${i % 3}`,
          anonymousId: `a${i}`,
        })),
      );
      await send([{ type: 'alias', userId: 'u1', previousId: 'u0' }]);
      await send([{ type: 'track', event: 'Bought', userId: 'u1', anonymousId: 'a7' }]);
      const [stored, recounted] = await rollupAndRecount(store.db, project.id);
      expect(stored).toEqual(recounted);
      expect(stored.filter((r) => r.person_id !== null).length).toBeGreaterThan(6);
    } finally {
      await cleanup();
    }
  });
});

describePostgres('the rollup trigger plan a connection keeps', () => {
  it('finds a changed device’s rows through the anonymous id index, whatever the rollup held when planned', async () => {
    const { store, schema, cleanup } = await openTestStore('postgres');
    const client = new pg.Client({
      connectionString: postgresUrl,
      options: `-c search_path=${schema}`,
    });
    await client.connect();
    try {
      const { project, send } = await projectIn(store);
      await send([{ type: 'page', name: 'Home', anonymousId: 'watched' }]);
      const touch = (type: string) =>
        client.query('update devices set device_type = $1 where project_id = $2 and anonymous_id = $3', [
          type,
          project.id,
          'watched',
        ]);
      // This connection plans the trigger now, with one rollup row (and keeps the plan).
      for (let i = 0; i < 8; i++) await touch(i % 2 ? 'desktop' : 'mobile');
      // The rollup grows to thousands of rows of the same project, not analysed yet.
      for (let b = 0; b < 20; b++)
        await send(
          Array.from({ length: 200 }, (_, i) => ({
            type: 'page',
            name: 'Home',
            anonymousId: `grow-${b}-${i}`,
          })),
        );
      const plans: string[] = [];
      client.on('notice', (notice) => plans.push(notice.message ?? ''));
      await client.query("load 'auto_explain'");
      await client.query(
        "set auto_explain.log_min_duration = 0; set auto_explain.log_nested_statements = on; set auto_explain.log_level = 'notice'",
      );
      await touch('tablet');
      const resolve = plans.find((p) => /update event_rollup/i.test(p));
      expect(resolve, plans.join('\n---\n')).toBeDefined();
      expect(resolve).toMatch(/Index Cond: \(anonymous_id = /);
      expect(resolve).not.toMatch(/event_rollup_(name|pk)/);
    } finally {
      await client.end();
      await cleanup();
    }
  });
});
