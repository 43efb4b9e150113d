import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { parseCondition } from '../../src/conditions/parse-condition.js';
import { createCsvImportJob } from '../../src/imports/import-jobs.js';
import { runCsvImport } from '../../src/imports/run-csv-import.js';
import { createProject } from '../../src/projects/create-project.js';
import { personsMatching } from '../../src/storage/condition-query.js';
import { findImportJob } from '../../src/storage/import-job-repository.js';
import { openStore, type Store } from '../../src/storage/store.js';
import { type Backend, describeEachBackend, openTestStore } from '../support/test-stores.js';

const TYPES = new Map([
  ['total_purchase', 'number'],
  ['joined_at', 'datetime'],
] as const);
const RICH = { attr: 'total_purchase', op: 'gt', value: 500 } as const;
const EARLY = { attr: 'joined_at', op: 'before', value: '2016-01-01' } as const;
const ROWS = 120;
const purchase = (i: number) => (i * 37) % 1000;
const year = (i: number) => 2010 + (i % 15);

/** The value indexes of `person_attributes` (the last one, of stored values, SQLite only). */
const TYPED_INDEXES = [
  'person_attributes_name_num_value',
  'person_attributes_name_time_value',
  'person_attributes_name_value',
];

/** The value indexes of `person_attributes` that exist now (SQLite: with their text). */
async function typedIndexes(store: Store): Promise<string[]> {
  if (store.name === 'sqlite') {
    const { rows } = await sql<{ sql: string }>`select sql from sqlite_master
      where type = 'index' and name in (${sql.join(TYPED_INDEXES)}) order by name`.execute(store.db);
    return rows.map((r) => r.sql);
  }
  const { rows } = await sql<{ indexname: string }>`select indexname from pg_indexes
    where schemaname = current_schema() and indexname in (${sql.join(TYPED_INDEXES)}) order by indexname`.execute(
    store.db,
  );
  return rows.map((r) => r.indexname);
}

async function matching(store: Store, projectId: string, condition: unknown): Promise<number> {
  const parsed = parseCondition(condition, { attributeTypes: new Map(TYPES) });
  if (!parsed.ok) throw new Error(parsed.message);
  const rows = await personsMatching(store.db, projectId, parsed.condition, {
    now: Date.now(),
    groups: new Map(),
  })
    .select('p.id')
    .execute();
  return rows.length;
}

/**
 * A large import on SQLite loads without the typed-value indexes and builds them at the end;
 * conditions on the imported numbers and times stay exact meanwhile and after, on both backends,
 * and a start after a crash mid-import builds them again.
 */
describeEachBackend('typed-value indexes of a bulk import', (backend: Backend) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it(`${backend}: deferred past the threshold, exact for readers meanwhile, built again as migrated`, async () => {
    const opened = await openTestStore(backend);
    const { store } = opened;
    cleanup = opened.cleanup;
    const migrated = await typedIndexes(store);
    expect(migrated).toHaveLength(backend === 'sqlite' ? 3 : 2);
    const project = await createProject(store, 'bulk');
    const job = await createCsvImportJob(store, {
      projectId: project.project_id,
      apiKeyId: null,
      fileName: 'bulk.csv',
      sizeBytes: null,
      dryRun: false,
    });
    const expectedAmong = (rows: number) => {
      let rich = 0;
      let early = 0;
      for (let i = 0; i < rows; i++) {
        if (purchase(i) > 500) rich += 1;
        if (year(i) < 2016) early += 1;
      }
      return { rich, early };
    };
    const seen: { rows: number; indexes: number }[] = [];
    // Ten rows at a time; between them a reader checks the conditions on what is committed. The
    // first rows carry a long non-ASCII note: the reader decides the encoding on its first 64 KiB.
    const note = (i: number) => (i < 10 ? 'é'.repeat(4000) : '');
    async function* file() {
      yield Buffer.from('user_id,total_purchase,joined_at,note\n');
      for (let start = 0; start < ROWS; start += 10) {
        const done = Number((await findImportJob(store.db, project.project_id, job.id))?.rows_done ?? 0);
        expect({
          rich: await matching(store, project.project_id, RICH),
          early: await matching(store, project.project_id, EARLY),
        }).toEqual(expectedAmong(done));
        seen.push({ rows: done, indexes: (await typedIndexes(store)).length });
        const rows = [];
        for (let i = start; i < start + 10; i++)
          rows.push(`m${i},${purchase(i)},${year(i)}-03-0${(i % 9) + 1},${note(i)}`);
        yield Buffer.from(`${rows.join('\n')}\n`);
      }
    }
    const done = await runCsvImport(store, job, file(), {
      encoding: 'utf-8',
      delimiter: 'comma',
      maxFields: 10,
      chunkRows: 10,
      heartbeatMs: 60_000,
      deferIndexesAfterRows: 30,
    });
    expect(done).toMatchObject({ status: 'completed', rows_created: ROWS });
    expect({
      rich: await matching(store, project.project_id, RICH),
      early: await matching(store, project.project_id, EARLY),
    }).toEqual(expectedAmong(ROWS));
    expect(await typedIndexes(store)).toEqual(migrated);
    // SQLite loaded from 30 rows on without them; PostgreSQL keeps them throughout.
    const without = seen.filter((s) => s.indexes === 0).map((s) => s.rows);
    if (backend === 'sqlite') expect(without.length).toBeGreaterThan(3);
    else expect(without).toEqual([]);
    expect(without.every((rows) => rows >= 30)).toBe(true);
  });

  if (backend === 'sqlite') {
    it('sqlite: a start after a crash mid-import builds the dropped indexes again', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'acquaint-deferred-'));
      const file = join(dir, 'acquaint.db');
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
      const first = openStore(file);
      await first.migrate();
      const migrated = await typedIndexes(first);
      expect(await first.deferTypedIndexes()).toBe(true);
      expect(await typedIndexes(first)).toEqual([]);
      await first.close(); // the import never restores them
      const second = openStore(file);
      try {
        await second.migrate();
        expect(await typedIndexes(second)).toEqual(migrated);
      } finally {
        await second.close();
      }
    });
  }
});
