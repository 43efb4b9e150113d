import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

export interface ImportFigure {
  backend: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  peakRssMb: number | null;
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
      `| ${f.backend} | ${f.rows.toLocaleString('en')} × 6 | ${f.seconds.toFixed(2)} s | ${Math.round(f.rowsPerSecond).toLocaleString('en')} | ${f.peakRssMb ?? '?'} MB | ${f.baseline.name}: ${f.baseline.seconds.toFixed(2)} s |`,
  );
  const section = [
    '## Import',
    '',
    `\`node --import tsx bench/import/run.ts\` (after \`npm run build\`), ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), load average ${loadavg()[0].toFixed(1)} when written.`,
    'A CSV file streamed to `POST /api/imports` of a real `acquaint start` process (every row creates a',
    "person with 5 attributes); peak RSS is the server process's. Bar (DESIGN §7): 1,000,000 rows in",
    '≤ 10 s on SQLite with peak RSS ≤ 300 MB. The baseline is the database loading the same file into a',
    'plain table with no indexes, in the same run.',
    '',
    '| backend | rows | time | rows/s | peak RSS | baseline |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
  const updated =
    withHeading.slice(0, start) + section + (next < 0 ? '' : `\n${withHeading.slice(next + 1)}`);
  writeFileSync(path, updated.endsWith('\n') ? updated : `${updated}\n`);
}
