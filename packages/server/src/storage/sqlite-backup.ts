import { copyFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  makePrivateDirectory,
  PRIVATE_FILE_MODE,
  preparePrivateDatabaseFile,
  restrictFile,
} from './private-files.js';
import { ingestionLogFile } from './sqlite-ingestion-log.js';

/** What a backup holds, written beside it as `backup.json`. */
export interface BackupManifest {
  created_at: string;
  database: string;
  /** The ingestion log file, or null when the installation had none. */
  ingestion_log: string | null;
  /** How far the copied database had applied the log. */
  applied_seq: number;
  /** Acknowledged requests in the copied log not applied in the copied database. */
  unapplied_entries: number;
  /** Requests set aside by the applier (kept for replay). */
  failed_entries: number;
}

const MANIFEST = 'backup.json';

/**
 * A consistent copy of a running SQLite installation: the database and its ingestion log.
 * strategy: each file is copied with SQLite's online backup API in one step (one read
 * transaction: a snapshot, while writers go on under WAL). The log is copied first, then the
 * database: an entry leaves the log only once the database has applied it, so every request
 * acknowledged before the backup began is either applied in the database copy or waiting in the
 * log copy; entries of the log copy that the database copy has applied too are skipped on
 * restore, as the applier starts from the database's cursor.
 */
export async function backupSqlite(databaseFile: string, dir: string): Promise<BackupManifest> {
  if (!existsSync(databaseFile)) throw new Error(`no database at ${databaseFile}`);
  makePrivateDirectory(dir);
  if (existsSync(join(dir, MANIFEST))) throw new Error(`${dir} already holds a backup`);
  const logFile = ingestionLogFile(databaseFile);
  const database = basename(databaseFile);
  const log = existsSync(logFile) ? basename(logFile) : null;
  if (log !== null) await copyDatabase(logFile, join(dir, log));
  await copyDatabase(databaseFile, join(dir, database));
  const manifest = {
    created_at: new Date().toISOString(),
    database,
    ingestion_log: log,
    ...describe(dir, database, log),
  };
  writeFileSync(join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { mode: PRIVATE_FILE_MODE });
  return manifest;
}

/**
 * Puts a backup in place of `databaseFile` (the server must be stopped). Files already there are
 * kept, renamed `<name>.replaced-<time>`, only with `replace`; otherwise an existing database is
 * refused. Both files are checked before anything is moved.
 */
export function restoreSqlite(
  dir: string,
  databaseFile: string,
  options: { replace: boolean },
): BackupManifest {
  if (!existsSync(join(dir, MANIFEST))) throw new Error(`${dir} holds no backup (no ${MANIFEST})`);
  const manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as BackupManifest;
  for (const file of [manifest.database, manifest.ingestion_log]) {
    if (file === null) continue;
    const check = new SqliteDatabase(join(dir, file), { readonly: true, fileMustExist: true });
    const result = check.pragma('integrity_check', { simple: true });
    check.close();
    if (result !== 'ok') throw new Error(`${file} in the backup is damaged: ${result}`);
  }
  const logFile = ingestionLogFile(databaseFile);
  const present = [databaseFile, logFile].flatMap((f) => [f, `${f}-wal`, `${f}-shm`]).filter(existsSync);
  if (existsSync(databaseFile) && !options.replace)
    throw new Error(`${databaseFile} exists; stop the server and restore with --replace to set it aside`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  for (const file of present) renameSync(file, `${file}.replaced-${stamp}`);
  makePrivateDirectory(join(databaseFile, '..'));
  copyFileSync(join(dir, manifest.database), databaseFile);
  restrictFile(databaseFile);
  if (manifest.ingestion_log !== null) {
    copyFileSync(join(dir, manifest.ingestion_log), logFile);
    restrictFile(logFile);
  }
  return manifest;
}

async function copyDatabase(from: string, to: string): Promise<void> {
  const source = new SqliteDatabase(from, { readonly: true, fileMustExist: true });
  try {
    // The copy holds what the database holds: owner-only from its first byte.
    preparePrivateDatabaseFile(`${to}.partial`);
    // All pages in one step: one read transaction, so the copy is one moment of the file.
    await source.backup(`${to}.partial`, { progress: () => 2 ** 30 });
  } finally {
    source.close();
  }
  renameSync(`${to}.partial`, to);
}

/** The cursor of the copied database and what the copied log holds beyond it. */
function describe(dir: string, database: string, log: string | null) {
  const db = new SqliteDatabase(join(dir, database), { readonly: true });
  const cursor = db.prepare('select applied_seq from ingestion_log_cursor').get() as
    | { applied_seq: number }
    | undefined;
  db.close();
  const applied_seq = Number(cursor?.applied_seq ?? 0);
  if (log === null) return { applied_seq, unapplied_entries: 0, failed_entries: 0 };
  const logDb = new SqliteDatabase(join(dir, log), { readonly: true });
  const count = (text: string, ...args: unknown[]) =>
    Number((logDb.prepare(text).get(...args) as { n: number }).n);
  const unapplied_entries = count('select count(*) as n from entries where seq > ?', applied_seq);
  const failed_entries = count('select count(*) as n from failed');
  logDb.close();
  return { applied_seq, unapplied_entries, failed_entries };
}
