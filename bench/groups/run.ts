// Group counts and member pages on a generated shop (bench/support/dataset.ts): a 3-condition
// dynamic group (two attributes and one behaviour leaf) counted and paged through the group code
// (the condition compiled to SQL), next to the same filter hand-written in SQL, in the same run,
// on SQLite and PostgreSQL.
//   node --import tsx bench/groups/run.ts [10k,100k,1m] [sqlite,postgres]
// PostgreSQL: BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test); a database is
// created for the run and dropped after. SQLite files go to a temporary directory, removed after.
import { loadavg } from 'node:os';
import { groupPersons } from '../../packages/server/src/groups/group-view.js';
import { createGroup } from '../../packages/server/src/groups/user-groups.js';
import { countPersons, pagePersons } from '../../packages/server/src/storage/group-member-query.js';
import { openStore, type Store } from '../../packages/server/src/storage/store.js';
import { DATASET_END, DATASET_SIZES, type DatasetSize, generateDataset } from '../support/dataset.js';
import { medianMs, openDatasetDatabase } from '../support/dataset-database.js';
import { handWrittenCount, handWrittenPage } from './hand-written.js';

const sizes = (process.argv[2] ?? '10k,100k').split(',') as DatasetSize[];
const backends = (process.argv[3] ?? 'sqlite,postgres').split(',');
const postgresUrl = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Time windows end where the generated 90 days end. */
const now = DATASET_END;

export const BENCH_CONDITION = {
  all: [
    { attr: 'membership_level', op: 'in', value: ['gold', 'diamond'] },
    { attr: 'age', op: 'gte', value: 30 },
    { event: 'purchase', within_days: 30 },
  ],
};

const started = performance.now();
const step = (what: string) =>
  console.error(`${((performance.now() - started) / 1000).toFixed(1)} s: ${what}`);

async function measure(size: DatasetSize, backend: string) {
  const persons = DATASET_SIZES[size];
  const { target, location, drop } = await openDatasetDatabase(backend, 'acquaint-groups', postgresUrl);
  let store: Store | null = null;
  try {
    const loadStarted = performance.now();
    const { events } = await generateDataset({ persons }, target.sink);
    await target.finish();
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    step(`${size} ${backend}: ${events} events loaded`);
    store = openStore(location);
    const { db } = store;
    const projectId = target.projectId;
    const saved = await createGroup(
      { store, projectId, now },
      { name: 'Bench', source: { type: 'dynamic', condition: BENCH_CONDITION } },
    );
    if (!saved.ok) throw new Error(saved.message);
    const group = saved.value.group;
    const personsOf = await groupPersons(db, projectId, now);

    const users = await countPersons(personsOf(group));
    step(`counted ${users} members`);
    const hand = await handWrittenCount(db, projectId, now);
    step('counted by hand');
    if (users !== hand) throw new Error(`group count ${users} and hand-written SQL ${hand} disagree`);
    // A page from the middle of the list: after the member at the half-way position.
    const all = await pagePersons(personsOf(group), 0, users);
    const middle = all[Math.floor(all.length / 2)]?.person_id ?? 0;
    const page = (await pagePersons(personsOf(group), middle, 100)).map((m) => m.person_id);
    const handPage = await handWrittenPage(db, projectId, now, middle);
    if (JSON.stringify(page) !== JSON.stringify(handPage)) throw new Error('member pages disagree');

    step('pages agree');
    const runs = size === '1m' ? 3 : 5;
    const countMs = await medianMs(runs, async () =>
      countPersons((await groupPersons(db, projectId, now))(group)),
    );
    const handMs = await medianMs(runs, () => handWrittenCount(db, projectId, now));
    const pageMs = await medianMs(runs, async () =>
      pagePersons((await groupPersons(db, projectId, now))(group), middle, 101),
    );
    const firstPageMs = await medianMs(runs, async () =>
      pagePersons((await groupPersons(db, projectId, now))(group), 0, 101),
    );
    const handPageMs = await medianMs(runs, () => handWrittenPage(db, projectId, now, middle));
    const figure = {
      size,
      backend,
      persons,
      events,
      loadSeconds: Math.round(loadSeconds),
      users,
      countMs: Math.round(countMs),
      handMs: Math.round(handMs),
      ratio: Math.round((countMs / handMs) * 100) / 100,
      pageMs: Math.round(pageMs * 10) / 10,
      firstPageMs: Math.round(firstPageMs * 10) / 10,
      handPageMs: Math.round(handPageMs * 10) / 10,
      load: loadavg()[0].toFixed(1),
    };
    console.log(JSON.stringify(figure));
    return figure;
  } finally {
    await store?.close();
    await drop();
  }
}

const figures = [];
for (const size of sizes) for (const backend of backends) figures.push(await measure(size, backend));
console.log(
  '\n| persons | events | backend | members | group count | hand-written SQL | ratio | page of 100 (middle) | first page | hand-written page | load avg |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const f of figures) {
  console.log(
    `| ${f.persons.toLocaleString('en-US')} | ${f.events.toLocaleString('en-US')} | ${f.backend} | ${f.users.toLocaleString('en-US')} | ${f.countMs} ms | ${f.handMs} ms | ${f.ratio} | ${f.pageMs} ms | ${f.firstPageMs} ms | ${f.handPageMs} ms | ${f.load} |`,
  );
}
