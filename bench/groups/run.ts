// Group counts, member pages and the headline report on a generated shop (bench/support/dataset-sql.ts,
// written set-based by the database): a 3-condition dynamic group (two attributes and one behaviour
// leaf) counted and paged through the group code, and conversion to `purchase` by membership level
// over 30 days through the report code, each next to the same question hand-written in SQL, in the
// same run, with the wall and CPU time of each and the load average.
//   node --import tsx bench/groups/run.ts [10k,100k,1m] [sqlite,postgres]
// PostgreSQL: BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test); a database is
// created for the run and dropped after. SQLite files go to a temporary directory, removed after.
import { loadavg } from 'node:os';
import { groupPersons } from '../../packages/server/src/groups/group-view.js';
import { createGroup } from '../../packages/server/src/groups/user-groups.js';
import { breakdownReport } from '../../packages/server/src/reports/breakdown-report.js';
import { countPersons, pagePersons } from '../../packages/server/src/storage/group-member-query.js';
import type { GroupRow } from '../../packages/server/src/storage/group-repository.js';
import type { Db } from '../../packages/server/src/storage/store.js';
import { checkedConversionReport, conversionByLevel } from '../reports/conversion-by-level.js';
import { handWrittenConversion } from '../reports/hand-written.js';
import { DATASET_END, DATASET_SIZES, type DatasetSize } from '../support/dataset.js';
import { type LoadedShop, loadShop, medianRun, shopBenchArguments } from '../support/dataset-database.js';
import { printTable, thousands } from '../support/markdown-table.js';
import { handWrittenCount, handWrittenPage } from './hand-written.js';

const { sizes, backends, postgresUrl } = shopBenchArguments();
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
  console.error(
    `${((performance.now() - started) / 1000).toFixed(1)} s: ${what} (load ${loadavg()[0].toFixed(1)})`,
  );

async function page(db: Db, projectId: string, group: GroupRow, after: number, limit: number) {
  const persons = await groupPersons(db, projectId, now);
  return pagePersons(db, (ids) => persons(group, ids), after, limit);
}

/** The report and the hand-written query agree, then both are timed. */
async function measureReport(shop: LoadedShop, runs: number) {
  const { store, projectId } = shop;
  const request = conversionByLevel();
  const report = await checkedConversionReport(store.db, projectId, request);
  return {
    visitors: report.rows.reduce((sum, row) => sum + row.visitors, 0),
    report: await medianRun(runs, () => breakdownReport(store.db, projectId, request)),
    hand: await medianRun(runs, () =>
      handWrittenConversion(store.db, projectId, request.range.from, request.range.to),
    ),
  };
}

async function measure(size: DatasetSize, backend: string) {
  const persons = DATASET_SIZES[size];
  const shop = await loadShop(backend, 'acquaint-groups', postgresUrl, persons, step);
  try {
    const { store, projectId } = shop;
    const { db } = store;
    step(`${size} ${backend}: ${shop.events} events loaded`);
    const saved = await createGroup(
      { store, projectId, now },
      { name: 'Bench', source: { type: 'dynamic', condition: BENCH_CONDITION } },
    );
    if (!saved.ok) throw new Error(saved.message);
    const group = saved.value.group;
    const count = async () => countPersons((await groupPersons(db, projectId, now))(group));

    const users = await count();
    const hand = await handWrittenCount(db, projectId, now);
    if (users !== hand) throw new Error(`group count ${users} and hand-written SQL ${hand} disagree`);
    // A page from the middle of the list: after the member at the half-way position.
    const all = await page(db, projectId, group, 0, users);
    const middle = all[Math.floor(all.length / 2)]?.person_id ?? 0;
    const middlePage = (await page(db, projectId, group, middle, 100)).map((m) => m.person_id);
    const handPage = await handWrittenPage(db, projectId, now, middle);
    if (JSON.stringify(middlePage) !== JSON.stringify(handPage)) throw new Error('member pages disagree');
    step(`${users} members; counts and pages agree`);

    const runs = size === '1m' ? 3 : 5;
    const countRun = await medianRun(runs, count);
    const handRun = await medianRun(runs, () => handWrittenCount(db, projectId, now));
    const pageRun = await medianRun(runs, () => page(db, projectId, group, middle, 101));
    const firstPageRun = await medianRun(runs, () => page(db, projectId, group, 0, 101));
    const handPageRun = await medianRun(runs, () => handWrittenPage(db, projectId, now, middle));
    step('group timed');
    const report = await measureReport(shop, runs);
    step('report timed');
    const round = (run: { wall: number; cpu: number }) => ({
      wall: Math.round(run.wall),
      cpu: Math.round(run.cpu),
    });
    const figure = {
      size,
      backend,
      persons,
      events: shop.events,
      loadSeconds: Math.round(shop.loadSeconds),
      loadCpuSeconds: Math.round(shop.loadCpuSeconds),
      users,
      count: round(countRun),
      hand: round(handRun),
      ratio: Math.round((countRun.wall / handRun.wall) * 100) / 100,
      cpuRatio: Math.round((countRun.cpu / handRun.cpu) * 100) / 100,
      page: round(pageRun),
      firstPage: round(firstPageRun),
      handPage: round(handPageRun),
      visitors: report.visitors,
      report: round(report.report),
      handReport: round(report.hand),
      load: loadavg()[0].toFixed(1),
    };
    console.log(JSON.stringify(figure));
    return figure;
  } finally {
    await shop.drop();
  }
}

const figures: Awaited<ReturnType<typeof measure>>[] = [];
for (const size of sizes) for (const backend of backends) figures.push(await measure(size, backend));
// SQLite works in this process: its CPU time is the comparable figure on a loaded machine.
// PostgreSQL works in its own processes: wall times only.
const t = (f: (typeof figures)[number], run: { wall: number; cpu: number }) =>
  f.backend === 'sqlite' ? `${run.cpu} ms (${run.wall} ms)` : `${run.wall} ms`;
const right = (title: string) => ({ title, right: true }) as const;
printTable(
  [
    right('persons'),
    right('events'),
    'backend',
    right('load data'),
    right('members'),
    right('group count: CPU (wall)'),
    right('hand-written SQL'),
    right('ratio (CPU)'),
    right('page of 100, middle'),
    right('first page'),
    right('hand-written page'),
    right('conversion by level, 30 days'),
    right('hand-written SQL'),
    right('load avg'),
  ],
  figures.map((f) => [
    thousands(f.persons),
    thousands(f.events),
    f.backend,
    `${f.loadSeconds} s (CPU ${f.loadCpuSeconds} s)`,
    thousands(f.users),
    t(f, f.count),
    t(f, f.hand),
    `${f.ratio} (${f.cpuRatio})`,
    t(f, f.page),
    t(f, f.firstPage),
    t(f, f.handPage),
    t(f, f.report),
    t(f, f.handReport),
    f.load,
  ]),
);
