import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

/** Owner-only modes for what the data directory holds: personal data, keys and secrets. */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIRECTORY_MODE = 0o700;

/**
 * Makes `dir` (and missing parents) owner-only when this creates it. A directory that already
 * exists keeps its mode: it may be one the operator chose for more than this installation.
 */
export function makePrivateDirectory(dir: string): void {
  if (existsSync(dir)) return;
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
  chmodSync(dir, PRIVATE_DIRECTORY_MODE);
}

/**
 * Prepares an SQLite file to be opened owner-only: its directory made, the file created 0600 when
 * missing (SQLite creates `-wal` and `-shm` with the mode of the database file), and the mode of an
 * existing file and of its `-wal`, `-shm` (written by earlier versions 0644) brought to 0600.
 */
export function preparePrivateDatabaseFile(file: string): void {
  makePrivateDirectory(dirname(file));
  if (!existsSync(file)) closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  for (const path of [file, `${file}-wal`, `${file}-shm`]) restrictFile(path);
}

/** Brings an existing file to mode 0600 (a missing one is left missing). */
export function restrictFile(path: string): void {
  if (existsSync(path)) chmodSync(path, PRIVATE_FILE_MODE);
}
