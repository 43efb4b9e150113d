import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { recentEventsQuery } from '../../src/storage/person-list-repository.js';
import type { Store } from '../../src/storage/store.js';
import { describeEachBackend, openTestStore } from '../support/test-stores.js';

/**
 * Events of a large project and a small one, interleaved as on a busy multi-project install; enough
 * of them that PostgreSQL merges its month partitions' indexes rather than sorting a few rows.
 */
async function seedEvents(store: Store): Promise<void> {
  const rows = Array.from({ length: 20_000 }, (_, i) => ({
    project_id: i % 40 === 0 ? 'small' : 'large',
    message_id: `m${i}`,
    type: 'track',
    name: 'viewed',
    anonymous_id: `anon-${i % 300}`,
    user_id: null,
    timestamp: 1_700_000_000_000 + i,
    received_at: 1_700_000_000_000 + i,
    session_id: null,
    url: null,
    referrer: null,
    properties: '{}',
    context: '{}',
  }));
  for (let i = 0; i < rows.length; i += 500) {
    await store.db
      .insertInto('events')
      .values(rows.slice(i, i + 500))
      .execute();
  }
}

/** The query plan of `GET /api/events` (the install page's live events), as text. */
async function planOf(store: Store, backend: string, beforeId?: number): Promise<string> {
  const compiled = recentEventsQuery(store.db, 'small', 50, beforeId).compile();
  const prefix = backend === 'postgres' ? 'explain ' : 'explain query plan ';
  const result = await store.db.executeQuery({ ...compiled, sql: prefix + compiled.sql });
  return JSON.stringify(result.rows);
}

describeEachBackend('recent events read one stretch of an index', (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await openTestStore(backend));
    await seedEvents(store);
    if (backend === 'postgres') await sql`analyze events`.execute(store.db);
  });
  afterAll(() => cleanup?.());

  it(`${backend}: the newest events of a project come from events_project_id, with no sort`, async () => {
    for (const beforeId of [undefined, 3000]) {
      const plan = await planOf(store, backend, beforeId);
      // On PostgreSQL, the index of each month partition (`events_y2026m12_project_id_id_idx`).
      expect(plan).toMatch(/\bevents_(\w+_)?project_id(_id_idx)?\b/);
      expect(plan).not.toMatch(/TEMP B-TREE|\bSort\s+\(/i); // a Merge Append's "Sort Key" is no sort
    }
    const page = await recentEventsQuery(store.db, 'small', 3, 3000).execute();
    expect(page.map((e) => Number(e.id))).toEqual([2961, 2921, 2881]);
  });
});
