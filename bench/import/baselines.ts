import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import pg from 'pg';

/**
 * Stops the benchmark with a clear message and exit code 1 when a baseline's command is missing:
 * installing software is the operator's call, not a benchmark's.
 */
export function requireCommands(commands: { command: string; debianPackage: string }[]): void {
  const missing = commands.filter(
    ({ command }) => spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0,
  );
  if (missing.length === 0) return;
  for (const { command, debianPackage } of missing)
    console.error(`${command} is missing: the baseline needs it (Debian package ${debianPackage}).`);
  console.error(
    `install it, e.g. apt-get install ${missing.map((m) => m.debianPackage).join(' ')}, and run again`,
  );
  process.exit(1);
}

/** Seconds sqlite3's own `.import` takes to load the file into a plain table of a new database. */
export function timeSqliteImport(file: string, database: string): number {
  for (const suffix of ['', '-wal', '-shm']) rmSync(database + suffix, { force: true });
  const started = performance.now();
  execFileSync('sqlite3', [database, '-cmd', '.mode csv', `.import ${file} members`]);
  const seconds = (performance.now() - started) / 1000;
  rmSync(database, { force: true });
  return seconds;
}

/** Seconds psql's `\copy` takes to load the file into a plain table (in a schema dropped after). */
export async function timePsqlCopy(file: string, url: string): Promise<number> {
  const schema = `bench_copy_${Date.now()}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`create schema ${schema}`);
    await admin.query(
      `create table ${schema}.members (user_id text, membership_level text, total_purchase text, age text, joined_at text, newsletter text)`,
    );
    const started = performance.now();
    execFileSync('psql', [
      url,
      '-q',
      '-c',
      `\\copy ${schema}.members from '${file}' with (format csv, header true)`,
    ]);
    return (performance.now() - started) / 1000;
  } finally {
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  }
}
