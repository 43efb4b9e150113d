import { sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { createCsvImportJob } from '../../src/imports/import-jobs.js';
import { runCsvImport } from '../../src/imports/run-csv-import.js';
import { countAttributeHolders } from '../../src/storage/attribute-repository.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';

/**
 * The Data Settings holder counts stay exact through imports and uploads, which add their counts
 * set-based on SQLite (0036_import_holder_counts), and through the writes after them, which the
 * row triggers count again.
 */
describeEachBackend('holder counts of imports and uploads', (backend) => {
  let server: TestServer;
  afterEach(() => server.close());

  /** How many persons hold a value of each name, by a scan of the values. */
  async function holdersByScan() {
    const rows = await server.store.db
      .selectFrom('person_attributes')
      .select(['name', (eb) => eb.fn.countAll<number>().as('n')])
      .where('project_id', '=', server.projectId)
      .where('value', 'is not', null)
      .groupBy('name')
      .execute();
    return new Map(rows.filter((r) => Number(r.n) > 0).map((r) => [r.name, Number(r.n)]));
  }

  async function expectExact(expected: Record<string, number>) {
    const kept = await countAttributeHolders(server.store.db, server.projectId);
    expect(kept).toEqual(await holdersByScan());
    expect(Object.fromEntries(kept)).toEqual(expected);
  }

  async function importCsv(csv: string, chunkRows: number) {
    const job = await createCsvImportJob(server.store, {
      projectId: server.projectId,
      apiKeyId: null,
      fileName: 'holders.csv',
      sizeBytes: null,
      dryRun: false,
    });
    return runCsvImport(server.store, job, [Buffer.from(csv)], {
      delimiter: 'comma',
      maxFields: 20,
      chunkRows,
      heartbeatMs: 60_000,
    });
  }

  const upload = (body: unknown) =>
    server.app.inject({
      method: 'POST',
      url: '/v1/user/profiles',
      headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });

  it(`${backend}: new persons, repeated ids, updates, unsets and later writes keep the counts exact`, async () => {
    server = await startTestServer({ backend, listen: false });
    // 40 new persons over chunks of 7 (the new-persons path), every third without a plan, every
    // fifth without an age; ids 36-39 repeat in the last chunk (the general path).
    const rows = ['user_id,plan,age'];
    for (let i = 0; i < 40; i++)
      rows.push(`u${i},${i % 3 === 0 ? '' : `p${i % 4}`},${i % 5 === 0 ? '' : 20 + i}`);
    rows.push('u36,gold,', 'u39,,77');
    const created = await importCsv(`${rows.join('\n')}\n`, 7);
    expect(created).toMatchObject({ status: 'completed', rows_created: 40, rows_updated: 2, duplicates: 2 });
    await expectExact({ plan: 27, age: 32 });

    // Existing persons: u0 gains a plan, u1 loses its plan and its age, u3 is unset where it has
    // no plan (a tombstone, no holder), u50 is new with a null age; u2's plan is written again.
    const response = await upload({
      field_name: ['user_id', 'plan', 'age'],
      values: [
        ['u0', 'silver', null],
        ['u1', null, null],
        ['u3', null, 30],
        ['u50', 'gold', null],
        ['u2', 'p2', 22],
      ],
    });
    expect(response.statusCode).toBe(200);
    await expectExact({ plan: 28, age: 31 });

    // The first file again: u1's plan and age come back (u0 keeps silver: its plan cell is empty).
    await importCsv(`${rows.join('\n')}\n`, 7);
    await expectExact({ plan: 29, age: 32 });

    // Writes outside an import are counted by the triggers again, in a later transaction.
    await sql`delete from person_attributes where name = 'plan' and person_id =
      (select id from persons where project_id = ${server.projectId} and user_id = 'u5')`.execute(
      server.store.db,
    );
    await expectExact({ plan: 28, age: 32 });
  });
});
