// Behaviour reports on a generated shop (bench/support/dataset-sql.ts): conversion rate by membership
// level over the last 30 days, through the report code and as one hand-written SQL query, in the
// same run, on SQLite and PostgreSQL.
//   node --import tsx bench/reports/run.ts [10k,100k,1m] [sqlite,postgres]
// PostgreSQL: BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test); a database is
// created for the run and dropped after. SQLite files go to a temporary directory, removed after.
import { loadavg } from 'node:os';
import { breakdownReport } from '../../packages/server/src/reports/breakdown-report.js';
import { crossDeviceReport } from '../../packages/server/src/reports/cross-device-report.js';
import { DATASET_SIZES, type DatasetSize } from '../support/dataset.js';
import { loadShop, medianRun, shopBenchArguments } from '../support/dataset-database.js';
import { printTable, thousands } from '../support/markdown-table.js';
import { checkedConversionReport, conversionByLevel } from './conversion-by-level.js';
import { handWrittenConversion } from './hand-written.js';

const { sizes, backends, postgresUrl } = shopBenchArguments();

async function measure(size: DatasetSize, backend: string) {
  const persons = DATASET_SIZES[size];
  const shop = await loadShop(backend, 'acquaint-reports', postgresUrl, persons, (what) =>
    console.error(what),
  );
  const { events, loadSeconds } = shop;
  const target = { projectId: shop.projectId };
  try {
    const db = shop.store.db;
    const request = conversionByLevel();
    const report = await checkedConversionReport(db, target.projectId, request);
    // 1M persons: one timed run each, and only the headline query (the machine is shared).
    const big = size === '1m';
    const runs = big ? 1 : 5;
    const reportMs = await medianRun(runs, () => breakdownReport(db, target.projectId, request));
    const handMs = await medianRun(runs, () =>
      handWrittenConversion(db, target.projectId, request.range.from, request.range.to),
    );
    const once = async (run: () => Promise<unknown>) =>
      big ? null : Math.round((await medianRun(1, run)).wall);
    const weekly = { ...request, interval: 'week' as const };
    const devices = { ...request, breakdown: { kind: 'device_type' as const } };
    const figure = {
      size,
      backend,
      persons,
      events,
      loadSeconds: Math.round(loadSeconds),
      visitors: report.rows.reduce((sum, row) => sum + row.visitors, 0),
      reportMs: Math.round(reportMs.wall),
      handMs: Math.round(handMs.wall),
      ratio: Math.round((reportMs.wall / handMs.wall) * 100) / 100,
      // SQLite runs in this process, so its CPU time is the query's own work, whatever else the
      // machine is doing; PostgreSQL works in its own processes (this figure is then only the client's).
      reportCpuMs: Math.round(reportMs.cpu),
      handCpuMs: Math.round(handMs.cpu),
      weeklyMs: await once(() => breakdownReport(db, target.projectId, weekly)),
      devicesMs: await once(() => breakdownReport(db, target.projectId, devices)),
      crossMs: await once(() =>
        crossDeviceReport(db, target.projectId, { range: request.range, event: 'purchase' }),
      ),
      load: loadavg()[0].toFixed(1),
    };
    console.log(JSON.stringify(figure));
    return figure;
  } finally {
    await shop.drop();
  }
}

const figures = [];
for (const size of sizes) for (const backend of backends) figures.push(await measure(size, backend));
const ms = (value: number | null) => (value === null ? '—' : `${value} ms`);
printTable(
  [
    'persons',
    'events',
    'backend',
    'load s',
    'conversion by level, 30 days (CPU)',
    'hand-written SQL (CPU)',
    'ratio',
    '+ week series',
    'by device type',
    'cross-device',
    'load avg',
  ],
  figures.map((f) => {
    const cpu = (value: number) => (f.backend === 'sqlite' ? ` (${value} ms)` : '');
    return [
      thousands(f.persons),
      thousands(f.events),
      f.backend,
      String(f.loadSeconds),
      `${f.reportMs} ms${cpu(f.reportCpuMs)}`,
      `${f.handMs} ms${cpu(f.handCpuMs)}`,
      String(f.ratio),
      ms(f.weeklyMs),
      ms(f.devicesMs),
      ms(f.crossMs),
      f.load,
    ];
  }),
);
