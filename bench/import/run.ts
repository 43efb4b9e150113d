// CSV import benchmark (DESIGN §7, issue 4): 1,000,000 rows × 6 columns through the import API of
// a real `acquaint start` process, on SQLite and PostgreSQL, with the server's peak memory, each
// printed next to the database's own bulk load of the same file into a plain table (sqlite3's
// `.import`, psql's `\copy`), measured in the same run. Figures go to BENCHMARKS.md ("## Import").
//
//   npm run build && node --import tsx bench/import/run.ts
//   BENCH_ROWS=200000 BENCH_BACKENDS=sqlite node --import tsx bench/import/run.ts
import { createReadStream, mkdirSync, rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { peakRssMb, type RunningServer, startAcquaint } from '../support/servers.js';
import { requireCommands, timePsqlCopy, timeSqliteImport } from './baselines.js';
import { generateCsv } from './generate-csv.js';
import { type ImportFigure, writeImportSection } from './report.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'sqlite,postgres').split(',');
const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const OUT = new URL('../.out/', import.meta.url).pathname;

/** Streams the file to `POST /api/imports` and answers the finished job with the wall time. */
async function importThroughApi(server: RunningServer, file: string, size: number) {
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
  if (job.status !== 'completed' || job.counts.created !== ROWS)
    throw new Error(`import did not complete: ${JSON.stringify(job).slice(0, 400)}`);
  return seconds;
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const file = `${OUT}import-${ROWS}.csv`;
  const size = await generateCsv(file, ROWS);
  console.log(`file: ${file} (${ROWS} rows × 6 columns, ${(size / 1e6).toFixed(1)} MB)`);
  const figures: ImportFigure[] = [];
  for (const [i, backend] of BACKENDS.entries()) {
    const server = await startAcquaint(backend as 'sqlite' | 'postgres', 18_600 + i, POSTGRES_URL);
    let seconds: number;
    let rss: number | null;
    try {
      seconds = await importThroughApi(server, file, size);
      rss = peakRssMb(server.process.pid);
    } finally {
      await server.stop();
    }
    const baseline =
      backend === 'sqlite'
        ? { name: 'sqlite3 .import', seconds: timeSqliteImport(file, `${OUT}baseline.db`) }
        : { name: 'psql \\copy', seconds: await timePsqlCopy(file, POSTGRES_URL) };
    const figure = { backend, rows: ROWS, seconds, rowsPerSecond: ROWS / seconds, peakRssMb: rss, baseline };
    figures.push(figure);
    console.log(
      `${backend}: ${seconds.toFixed(2)} s, ${Math.round(ROWS / seconds)} rows/s, peak RSS ${rss} MB; ${baseline.name}: ${baseline.seconds.toFixed(2)} s`,
    );
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
