import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

export interface ImportFigure {
  backend: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  peakRssMb: number | null;
  /** CPU seconds the server process spent on the import (user + system). */
  cpuSeconds: number | null;
  /** One-minute load average when the import started (the machine is shared). */
  load: number;
  baseline: { name: string; seconds: number };
}

/**
 * Replaces the "## Import" section of BENCHMARKS.md with these figures, keeping every other
 * section (the file is created with both headings when missing).
 */
export function writeImportSection(path: string, figures: ImportFigure[]): void {
  const current = existsSync(path)
    ? readFileSync(path, 'utf8')
    : '# Benchmarks\n\n## Ingestion\n\n(not measured yet)\n\n## Import\n';
  const withHeading = current.includes('\n## Import') ? current : `${current.trimEnd()}\n\n## Import\n`;
  const start = withHeading.indexOf('\n## Import') + 1;
  const next = withHeading.indexOf('\n## ', start + 1);
  const rows = figures.map(
    (f) =>
      `| ${f.backend} | ${f.rows.toLocaleString('en')} × 6 | ${f.seconds.toFixed(2)} s | ${Math.round(f.rowsPerSecond).toLocaleString('en')} | ${f.cpuSeconds === null ? '?' : `${f.cpuSeconds.toFixed(1)} s`} | ${f.peakRssMb ?? '?'} MB | ${f.baseline.name}: ${f.baseline.seconds.toFixed(2)} s | ${(f.seconds / f.baseline.seconds).toFixed(1)}× | ${f.load.toFixed(1)} |`,
  );
  const section = [
    '## Import',
    '',
    `\`BENCH_ROWS=${[...new Set(figures.map((f) => f.rows))].join(',')} node --import tsx bench/import/run.ts\` (after \`npm run build\`), ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GB, load average ${loadavg()[0].toFixed(1)} when written.`,
    'A CSV file streamed to `POST /api/imports` of a real `acquaint start` process on a fresh database',
    "(every row creates a person with 5 attributes); server CPU and peak RSS are the server process's",
    '(CPU: user + system during the import, from /proc). Bars (issue 12): 1,000,000 rows in ≤ 4×',
    ' `sqlite3 .import` and ≤ 3× `psql \\copy` of the same file, peak RSS ≤ 300 MB in every run. The',
    'baseline is the database loading the same file into a plain table with no indexes, in the same run;',
    '"load" is the one-minute load average as each import started (the machine is shared).',
    '',
    '| backend | rows | time | rows/s | server CPU | peak RSS | baseline | ratio | load |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
  const updated =
    withHeading.slice(0, start) + section + (next < 0 ? '' : `\n${withHeading.slice(next + 1)}`);
  writeFileSync(path, updated.endsWith('\n') ? updated : `${updated}\n`);
}
