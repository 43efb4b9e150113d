// The benchmark loader on PostgreSQL turns the aggregate triggers off and fills their tables after
// the load (bench/support/trigger-kept-tables.ts): the same shop loaded with the triggers firing
// and loaded that way must give the same tables. BENCH_CHECK_PERSONS sets the size (default 2,000;
// 10,000 was checked too).
import { sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { generateDatasetSql } from '../../../../bench/support/dataset-sql.js';
import { BYPASSED_TRIGGERS, TRIGGER_KEPT_TABLES } from '../../../../bench/support/trigger-kept-tables.js';
import { createProject } from '../../src/projects/create-project.js';
import type { Store } from '../../src/storage/store.js';
import { describePostgres, openTestStore } from '../support/test-stores.js';

const PERSONS = Number(process.env.BENCH_CHECK_PERSONS ?? 2000);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function loaded(triggers: 'fire' | 'bypass'): Promise<Store> {
  const { store, cleanup } = await openTestStore('postgres');
  cleanups.push(cleanup);
  const { project_id } = await createProject(store, 'bench shop');
  await generateDatasetSql(store, project_id, { persons: PERSONS, triggers });
  return store;
}

/** Every table of the store's schema and its number of rows. */
async function rowCounts(store: Store): Promise<Record<string, number>> {
  const { rows } = await sql<{ name: string }>`select tablename as name from pg_tables
    where schemaname = current_schema() order by tablename`.execute(store.db);
  const counts: Record<string, number> = {};
  for (const { name } of rows) {
    const { rows: n } = await sql<{ n: string }>`select count(*) as n from ${sql.table(name)}`.execute(
      store.db,
    );
    counts[name] = Number(n[0].n);
  }
  return counts;
}

/**
 * A table's rows without the project id (each load has its own), sorted. Holder counts are summed
 * per attribute: on PostgreSQL a count goes to the shard of the connection that wrote it (0037), so
 * which shard rows exist depends on the connections, not on the data.
 */
async function rowsOf(store: Store, table: string): Promise<string[]> {
  const { rows } =
    table === 'attribute_holders'
      ? await sql<{ row: string }>`select name || ': ' || sum(holders) as row
          from attribute_holders group by name having sum(holders) <> 0`.execute(store.db)
      : await sql<{ row: string }>`select (to_jsonb(t) - 'project_id')::text as row
          from ${sql.table(table)} t`.execute(store.db);
  return rows.map((r) => r.row).sort();
}

/** Every table's row count, but for the holder counts' shard rows (see `rowsOf`). */
async function comparableCounts(store: Store): Promise<Record<string, number>> {
  const { attribute_holders: _shardRows, ...counts } = await rowCounts(store);
  return counts;
}

describePostgres('bench loader: trigger-kept tables filled after the load', () => {
  it(`equal what the triggers write, at ${PERSONS} persons`, { timeout: 600_000 }, async () => {
    const fired = await loaded('fire');
    const filled = await loaded('bypass');

    // Same rows in every table: a trigger-kept table the fill does not know stays empty here.
    const counts = await rowCounts(fired);
    expect(await comparableCounts(filled)).toEqual(await comparableCounts(fired));
    for (const table of TRIGGER_KEPT_TABLES) {
      expect(counts[table], table).toBeGreaterThan(0);
      const expected = await rowsOf(fired, table);
      const actual = await rowsOf(filled, table);
      expect(actual.length, table).toBe(expected.length);
      expect(actual.filter((row, i) => row !== expected[i]).slice(0, 5), table).toEqual([]);
    }
    // Every index rebuilt after the load is valid (an index of the partitioned `events` built
    // `on only` the parent is not, and indexes none of its partitions).
    const { rows: invalid } = await sql<{ name: string }>`select i.indexrelid::regclass::text as name
      from pg_index i join pg_class c on c.oid = i.indexrelid
      where c.relnamespace = current_schema()::regnamespace and not i.indisvalid`.execute(filled.db);
    expect(invalid).toEqual([]);
    // And the triggers are on again afterwards.
    const { rows } = await sql<{
      tgname: string;
      tgenabled: string;
    }>`select tgname, tgenabled from pg_trigger t
      join pg_class c on c.oid = t.tgrelid where c.relnamespace = current_schema()::regnamespace
        and not t.tgisinternal`.execute(filled.db);
    for (const { trigger } of BYPASSED_TRIGGERS) {
      expect(rows.find((r) => r.tgname === trigger)?.tgenabled, trigger).toBe('O');
    }
  });
});
