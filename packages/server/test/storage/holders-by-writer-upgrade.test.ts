import { expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ingestMessages } from '../../src/ingestion/ingest-messages.js';
import { createProject } from '../../src/projects/create-project.js';
import { countAttributeHolders, loadAttributeDefinitions } from '../../src/storage/attribute-repository.js';
import { findProjectByWriteKey } from '../../src/storage/project-repository.js';
import { holdersByScan } from '../support/attribute-holders.js';
import { describeEachBackend, openTestStore } from '../support/test-stores.js';

/**
 * `0037_holders_by_writer` moves PostgreSQL's holder counts to the writing connection's shard: the
 * counts of a database upgraded from 0036 stay exact through later writes (new holders, unsets,
 * concurrent batches), and definitions still record every name, source and first sighting.
 */
describeEachBackend('holder counts across the 0037 upgrade', (backend) => {
  it(`${backend}: counts kept before and after the upgrade add up to a scan of the values`, async () => {
    const { store, cleanup } = await openTestStore(backend, { migrateUpTo: '0036_import_holder_counts' });
    try {
      const created = await createProject(store, 'holders');
      const project = (await findProjectByWriteKey(store.db, created.write_key))!;
      const config = loadConfig({});
      let n = 0;
      const identify = (user: string, traits: Record<string, unknown>, at: number) => ({
        type: 'identify',
        messageId: `m-${n++}`,
        userId: user,
        anonymousId: `a-${user}`,
        timestamp: new Date(at).toISOString(),
        traits,
      });
      const send = (messages: unknown[]) =>
        ingestMessages(store, project, messages, { receivedAt: Date.now(), config });
      const t0 = Date.UTC(2026, 10, 1);
      await send(
        Array.from({ length: 30 }, (_, i) => identify(`u${i}`, { plan: `p${i % 3}`, age: 20 + i }, t0)),
      );
      expect(Object.fromEntries(await countAttributeHolders(store.db, project.id))).toEqual({
        plan: 30,
        age: 30,
      });

      await store.migrate();
      // Concurrent batches after the upgrade: new holders, unsets of old ones, a new name.
      await Promise.all(
        Array.from({ length: 4 }, (_, b) =>
          send(
            Array.from({ length: 10 }, (_, i) =>
              identify(`u${b * 10 + i}`, { plan: i % 2 ? null : 'gold', vip: true }, t0 + 1000 * (b + 1)),
            ),
          ),
        ),
      );
      expect(Object.fromEntries(await holdersByScan(store.db, project.id))).toEqual({
        plan: 20,
        age: 30,
        vip: 40,
      });
      expect(await countAttributeHolders(store.db, project.id)).toEqual(
        await holdersByScan(store.db, project.id),
      );
      const definitions = await loadAttributeDefinitions(store.db, project.id);
      expect(definitions.map((d) => [d.name, d.first_seen, d.from_sdk + d.from_server])).toEqual([
        ['age', t0, 1],
        ['plan', t0, 1],
        ['vip', t0 + 1000, 1],
      ]);
    } finally {
      await cleanup();
    }
  });
});
