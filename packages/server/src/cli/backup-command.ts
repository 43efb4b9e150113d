import { backupSqlite, restoreSqlite } from '../storage/sqlite-backup.js';

const POSTGRES = /^postgres(ql)?:\/\//;
const onPostgres = (command: string) => {
  process.stderr.write(
    `acquaint ${command}: the data is in PostgreSQL; use pg_dump and pg_restore (see the README, "Backups")\n`,
  );
  return 2;
};

/**
 * `acquaint backup DIR`: a consistent copy of a running SQLite installation, its ingestion log
 * included (it holds acknowledged messages not yet applied). Prints the manifest as JSON.
 */
export async function runBackup(options: { location: string; dir: string }): Promise<number> {
  if (POSTGRES.test(options.location)) return onPostgres('backup');
  const manifest = await backupSqlite(options.location, options.dir);
  process.stdout.write(`${JSON.stringify(manifest)}\n`);
  return 0;
}

/** `acquaint restore DIR`: puts a backup in place (the server stopped); `--replace` sets the current data aside. */
export function runRestore(options: { location: string; dir: string; replace: boolean }): number {
  if (POSTGRES.test(options.location)) return onPostgres('restore');
  const manifest = restoreSqlite(options.dir, options.location, { replace: options.replace });
  process.stdout.write(
    `Restored the backup of ${manifest.created_at} to ${options.location}; ${manifest.unapplied_entries} logged requests will be applied when the server starts.\n`,
  );
  return 0;
}
