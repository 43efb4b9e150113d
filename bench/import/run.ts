// CSV import benchmark (DESIGN §7, issue 4): 1,000,000 rows × 6 columns through the import API of
// a real `acquaint start` process, on SQLite and PostgreSQL, with the server's peak memory, each
// printed next to the database's own bulk load of the same file into a plain table (sqlite3's
// `.import`, psql's `\copy`), measured in the same run. Figures go to BENCHMARKS.md ("## Import").
//
// How cost grows: BENCH_ROWS takes a list of sizes (each on a fresh server and database).
//
//   npm run build && node --import tsx bench/import/run.ts
//   BENCH_ROWS=10000,100000,1000000 node --import tsx bench/import/run.ts
//   BENCH_ROWS=200000 BENCH_BACKENDS=sqlite node --import tsx bench/import/run.ts
import { createReadStream, mkdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Readable } from 'node:stream';
import { cpuSeconds, peakRssMb, type RunningServer, startAcquaint } from '../support/servers.js';
import { requireCommands, timePsqlCopy, timeSqliteImport } from './baselines.js';
import { generateCsv } from './generate-csv.js';
import { type ImportFigure, writeImportSection } from './report.js';

const SIZES = (process.env.BENCH_ROWS ?? '1000000').split(',').map(Number);
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'sqlite,postgres').split(',');
const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const OUT = new URL('../.out/', import.meta.url).pathname;
/** The first server's port (BENCH_PORT, to run two benches side by side). */
const PORT = Number(process.env.BENCH_PORT ?? 18_600);

/** Streams the file to `POST /api/imports` and answers the finished job with the wall time. */
async function importThroughApi(server: RunningServer, file: string, size: number, rows: number) {
  const started = performance.now();
  const response = await fetch(`${server.url}/api/imports?file_name=bench.csv`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${server.apiKey}`,
      'content-type': 'text/csv',
      'content-length': String(size),
    },
    body: Readable.toWeb(createReadStream(file, { highWaterMark: 1 << 20 })) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  const job = (await response.json()) as { status: string; counts: { created: number; failed: number } };
  const seconds = (performance.now() - started) / 1000;
  if (job.status !== 'completed' || job.counts.created !== rows)
    throw new Error(`import did not complete: ${JSON.stringify(job).slice(0, 400)}`);
  return seconds;
}

async function measure(backend: string, rows: number, port: number): Promise<ImportFigure> {
  const file = `${OUT}import-${rows}.csv`;
  const size = await generateCsv(file, rows);
  const server = await startAcquaint(backend as 'sqlite' | 'postgres', port, POSTGRES_URL);
  let seconds: number;
  let rss: number | null;
  let cpu: number | null;
  const load = loadavg()[0];
  try {
    const idle = cpuSeconds(server.process.pid);
    seconds = await importThroughApi(server, file, size, rows);
    rss = peakRssMb(server.process.pid);
    const used = cpuSeconds(server.process.pid);
    cpu = used === null || idle === null ? null : used - idle;
  } finally {
    await server.stop();
  }
  const baseline =
    backend === 'sqlite'
      ? { name: 'sqlite3 .import', seconds: timeSqliteImport(file, `${OUT}baseline.db`) }
      : { name: 'psql \\copy', seconds: await timePsqlCopy(file, POSTGRES_URL) };
  return {
    backend,
    rows,
    seconds,
    rowsPerSecond: rows / seconds,
    peakRssMb: rss,
    cpuSeconds: cpu,
    load,
    baseline,
  };
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const figures: ImportFigure[] = [];
  for (const rows of SIZES) {
    for (const [i, backend] of BACKENDS.entries()) {
      const figure = await measure(backend, rows, PORT + i);
      figures.push(figure);
      console.log(
        `${backend} ${rows} rows: ${figure.seconds.toFixed(2)} s (${(figure.seconds / figure.baseline.seconds).toFixed(1)}× ${figure.baseline.name}: ${figure.baseline.seconds.toFixed(2)} s), ${Math.round(figure.rowsPerSecond)} rows/s, server CPU ${figure.cpuSeconds?.toFixed(1)} s, peak RSS ${figure.peakRssMb} MB, load ${figure.load.toFixed(1)}`,
      );
    }
  }
  rmSync(`${OUT}baseline.db`, { force: true });
  writeImportSection(new URL('../../BENCHMARKS.md', import.meta.url).pathname, figures);
  console.log('written to BENCHMARKS.md (## Import)');
}

requireCommands([
  { command: 'sqlite3', debianPackage: 'sqlite3' },
  ...(BACKENDS.includes('postgres') ? [{ command: 'psql', debianPackage: 'postgresql-client' }] : []),
]);
await main();
