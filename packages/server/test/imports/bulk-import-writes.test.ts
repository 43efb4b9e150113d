import { afterEach, expect, it } from 'vitest';
import { MAX_ATTRIBUTE_VALUE_LENGTH } from '../../src/attributes/attribute-operation.js';
import { createCsvImportJob } from '../../src/imports/import-jobs.js';
import { runCsvImport } from '../../src/imports/run-csv-import.js';
import { createProject } from '../../src/projects/create-project.js';
import type { Store } from '../../src/storage/store.js';
import { describeEachBackend, openTestStore } from '../support/test-stores.js';

/** Values a bulk load must carry through as they are (COPY's text format gives some a meaning). */
const AWKWARD = [
  'tab\there',
  'back\\slash and \\N and \\.',
  'line\nbreak and\r\ncarriage return',
  'say "hi", then leave',
  '日本語 · emoji 🎉 · ünïcödé',
  '\\N',
  // As long as a value may be, special characters all along.
  'a\\b\tc'.repeat(MAX_ATTRIBUTE_VALUE_LENGTH).slice(0, MAX_ATTRIBUTE_VALUE_LENGTH),
];

const csvCell = (value: string) => `"${value.replaceAll('"', '""')}"`;

describeEachBackend('bulk import writes', (backend) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp() {
    const { store, cleanup } = await openTestStore(backend);
    cleanups.push(cleanup);
    const project = await createProject(store, 'bulk');
    return { store, projectId: project.project_id };
  }

  async function importCsv(store: Store, projectId: string, csv: string, chunkRows: number) {
    const job = await createCsvImportJob(store, {
      projectId,
      apiKeyId: null,
      fileName: 'bulk.csv',
      sizeBytes: null,
      dryRun: false,
    });
    return runCsvImport(store, job, [Buffer.from(csv)], {
      delimiter: 'comma',
      maxFields: 20,
      chunkRows,
      heartbeatMs: 60_000,
    });
  }

  /** Each user's stored JSON and text column for `name`. */
  async function stored(store: Store, projectId: string, name: string) {
    const rows = await store.db
      .selectFrom('persons')
      .innerJoin('person_attributes', 'person_attributes.person_id', 'persons.id')
      .select(['persons.user_id', 'person_attributes.value', 'person_attributes.text_value'])
      .where('persons.project_id', '=', projectId)
      .where('person_attributes.name', '=', name)
      .orderBy('persons.user_id')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.user_id, { value: r.value, text: r.text_value }]));
  }

  it(`${backend}: new persons and updates keep unicode, quotes, tabs, backslashes, line breaks and long values exactly`, async () => {
    const { store, projectId } = await setUp();
    const first = ['user_id,note', ...AWKWARD.map((value, i) => `u${i},${csvCell(value)}`)].join('\n');
    const created = await importCsv(store, projectId, `${first}\n`, 3);
    expect(created).toMatchObject({ status: 'completed', rows_created: AWKWARD.length, rows_failed: 0 });
    const expected = (values: string[]) =>
      Object.fromEntries(values.map((value, i) => [`u${i}`, { value: JSON.stringify(value), text: value }]));
    expect(await stored(store, projectId, 'note')).toEqual(expected(AWKWARD));

    // The same users again, with the values shifted by one: every stored value is updated.
    const shifted = AWKWARD.map((_, i) => AWKWARD[(i + 1) % AWKWARD.length]);
    const second = ['user_id,note', ...shifted.map((value, i) => `u${i},${csvCell(value)}`)].join('\n');
    const updated = await importCsv(store, projectId, `${second}\n`, 4);
    expect(updated).toMatchObject({ status: 'completed', rows_created: 0, rows_updated: AWKWARD.length });
    expect(await stored(store, projectId, 'note')).toEqual(expected(shifted));
  });

  it(`${backend}: the last row of a user wins across chunks, in a first import and over stored values`, async () => {
    const { store, projectId } = await setUp();
    const csv = [
      'user_id,plan,points',
      'ann,gold,10',
      'bob,silver,20',
      'ann,platinum,11', // second chunk: ann again
      'cat,bronze,30',
      'bob,,21', // third chunk: an empty cell leaves bob's plan
      'ann,diamond,12',
      '',
    ].join('\n');
    const job = await importCsv(store, projectId, csv, 2);
    expect(job).toMatchObject({ status: 'completed', rows_created: 3, duplicates: 3 });
    expect(await stored(store, projectId, 'plan')).toEqual({
      ann: { value: '"diamond"', text: 'diamond' },
      bob: { value: '"silver"', text: 'silver' },
      cat: { value: '"bronze"', text: 'bronze' },
    });
    expect(await stored(store, projectId, 'points')).toEqual({
      ann: { value: '12', text: '12' },
      bob: { value: '21', text: '21' },
      cat: { value: '30', text: '30' },
    });
    // Again over the stored values: rows change them one after the other, the last ones win again.
    const again = await importCsv(store, projectId, csv, 2);
    expect(again).toMatchObject({ status: 'completed', rows_created: 0, rows_updated: 5, rows_unchanged: 1 });
    expect(await stored(store, projectId, 'plan')).toMatchObject({
      ann: { text: 'diamond' },
      bob: { text: 'silver' },
    });
    expect(await stored(store, projectId, 'points')).toMatchObject({
      ann: { value: '12' },
      bob: { value: '21' },
    });
  });
});
