// Runs the CSV import in this process (no HTTP) on a fresh SQLite file, for profiling; it runs
// the built code (packages/server/dist), as the server does, so `npm run build` first:
//
//   node --import tsx bench/import/profile-inprocess.ts                 # time and peak RSS
//   node --cpu-prof --cpu-prof-dir=bench/.out/prof --import tsx bench/import/profile-inprocess.ts
//   BENCH_ROWS=200000 BENCH_DATABASE=postgres://… node --import tsx bench/import/profile-inprocess.ts
//
// Uses the cached file of run.ts (bench/.out/import-<rows>.csv), generated when missing.
import { createReadStream, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCsv } from './generate-csv.js';

// The built code, as the server runs it (types from the sources); `npm run build` first.
const dist = (path: string) => new URL(`../../packages/server/dist/${path}`, import.meta.url).href;
const { createCsvImportJob } = (await import(
  dist('imports/import-jobs.js')
)) as typeof import('../../packages/server/src/imports/import-jobs.js');
const { runCsvImport } = (await import(
  dist('imports/run-csv-import.js')
)) as typeof import('../../packages/server/src/imports/run-csv-import.js');
const { createProject } = (await import(
  dist('projects/create-project.js')
)) as typeof import('../../packages/server/src/projects/create-project.js');
const { openStore } = (await import(
  dist('storage/store.js')
)) as typeof import('../../packages/server/src/storage/store.js');

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const CHUNK_ROWS = Number(process.env.ACQUAINT_IMPORT_CHUNK_ROWS ?? 10_000);
const OUT = new URL('../.out/', import.meta.url).pathname;

function peakRssMb(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : -1;
}

mkdirSync(OUT, { recursive: true });
const file = `${OUT}import-${ROWS}.csv`;
await generateCsv(file, ROWS);
const dir = mkdtempSync(join(tmpdir(), 'acquaint-prof-'));
const store = openStore(process.env.BENCH_DATABASE ?? join(dir, 'acquaint.db'));
try {
  await store.migrate();
  const project = await createProject(store, 'profile');
  const job = await createCsvImportJob(store, {
    projectId: project.project_id,
    apiKeyId: null,
    fileName: 'bench.csv',
    sizeBytes: null,
    dryRun: process.env.BENCH_DRY_RUN === '1',
  });
  const started = performance.now();
  const done = await runCsvImport(store, job, createReadStream(file, { highWaterMark: 64 * 1024 }), {
    maxFields: 200,
    chunkRows: CHUNK_ROWS,
    heartbeatMs: 5000,
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  console.log(
    `${store.name}: ${done.status} ${done.rows_created} created, ${seconds.toFixed(2)} s, ${Math.round(ROWS / seconds)} rows/s, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, peak RSS ${peakRssMb()} MB (now: heap ${Math.round(memory.heapTotal / 2 ** 20)} MB, external ${Math.round(memory.external / 2 ** 20)} MB, array buffers ${Math.round(memory.arrayBuffers / 2 ** 20)} MB, rss ${Math.round(memory.rss / 2 ** 20)} MB), load ${loadavg()[0].toFixed(1)}`,
  );
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
