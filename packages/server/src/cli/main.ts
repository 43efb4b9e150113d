import { parseArgs } from 'node:util';
import { runBackup, runRestore } from './backup-command.js';
import { runImport } from './import-command.js';
import { runIngestion } from './ingestion-command.js';
import { runInit } from './init-command.js';
import { runMigrate } from './migrate-command.js';
import { runStart } from './start-command.js';

export const HELP = `acquaint — who is each visitor of your website?

Usage:
  acquaint start   [--port 8080] [--host 0.0.0.0] [--data-dir ./data] [--database URL]
                   Serve the tracking API, the server API and the SDK on one port.
                   On an empty database, creates a project and prints its keys; while no
                   owner account exists, prints the one-time link of the dashboard's setup.
  acquaint init    [--project NAME] [--data-dir ./data] [--database URL] [--json]
                   [--owner-email E --owner-password P]
                   Create the schema (if needed) and a new project; prints its keys.
                   With --owner-email/--owner-password, also the dashboard's owner account.
  acquaint migrate [--data-dir ./data] [--database URL]
                   Create or upgrade the database schema.
  acquaint import  FILE --url URL --api-key KEY [--dry-run] [--encoding utf-8|shift_jis|windows-1252|utf-16le|utf-16be]
                   [--delimiter comma|tab|semicolon] [--resume JOB_ID]
                   Import a CSV file of users (first column: user id; header: attribute
                   names) through a server's API, with progress. ACQUAINT_URL and
                   ACQUAINT_API_KEY may stand for --url and --api-key.
  acquaint ingestion failed [--url URL --api-key KEY] [--json]
                   List the tracking requests the ingestion log could not apply (set aside).
  acquaint ingestion replay ID [--url URL --api-key KEY]
                   Apply a set-aside request again once its cause is fixed (admin key).
  acquaint backup  DIR [--data-dir ./data]
                   A consistent copy of a running SQLite installation into DIR, the
                   ingestion log (acknowledged messages not yet applied) included.
  acquaint restore DIR [--data-dir ./data] [--replace]
                   Put a backup in place (stop the server first); --replace sets the
                   current files aside as <file>.replaced-<time>.
  acquaint help    Show this help.

Storage: an SQLite file in --data-dir (default ./data/acquaint.db), or PostgreSQL when
--database (or the DATABASE_URL environment variable) is a postgres:// URL.
`;

/** Runs one CLI command; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      database: { type: 'string' },
      project: { type: 'string' },
      json: { type: 'boolean' },
      'owner-email': { type: 'string' },
      'owner-password': { type: 'string' },
      url: { type: 'string' },
      'api-key': { type: 'string' },
      'dry-run': { type: 'boolean' },
      encoding: { type: 'string' },
      delimiter: { type: 'string' },
      resume: { type: 'string' },
      replace: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (
    values.help ||
    command === undefined ||
    command === 'help' ||
    command === '--help' ||
    command === '-h'
  ) {
    process.stdout.write(HELP);
    return 0;
  }
  const location = storeLocation(values.database, values['data-dir']);
  switch (command) {
    case 'start':
      return runStart({ location, port: parsePort(values.port), host: values.host ?? '0.0.0.0' });
    case 'init':
      if ((values['owner-email'] === undefined) !== (values['owner-password'] === undefined)) {
        process.stderr.write('acquaint init: give both --owner-email and --owner-password\n');
        return 2;
      }
      return runInit({
        location,
        projectName: values.project ?? 'My website',
        json: values.json ?? false,
        owner:
          values['owner-email'] !== undefined
            ? { email: values['owner-email'], password: values['owner-password'] as string }
            : undefined,
      });
    case 'migrate':
      return runMigrate(location);
    case 'backup':
    case 'restore': {
      if (positionals.length !== 1) {
        process.stderr.write(`acquaint ${command}: give one DIR\n`);
        return 2;
      }
      const dir = positionals[0];
      if (command === 'backup') return runBackup({ location, dir });
      return runRestore({ location, dir, replace: values.replace ?? false });
    }
    case 'ingestion': {
      const url = values.url ?? process.env.ACQUAINT_URL;
      const apiKey = values['api-key'] ?? process.env.ACQUAINT_API_KEY;
      if (!url || !apiKey) {
        process.stderr.write('acquaint ingestion: give --url and --api-key\n');
        return 2;
      }
      const [action, id] = positionals;
      return runIngestion({ action, id, url, apiKey, json: values.json ?? false });
    }
    case 'import': {
      const url = values.url ?? process.env.ACQUAINT_URL;
      const apiKey = values['api-key'] ?? process.env.ACQUAINT_API_KEY;
      if (positionals.length !== 1 || !url || !apiKey) {
        process.stderr.write('acquaint import: give one FILE, --url and --api-key\n');
        return 2;
      }
      return runImport({
        file: positionals[0],
        url,
        apiKey,
        dryRun: values['dry-run'] ?? false,
        encoding: values.encoding,
        delimiter: values.delimiter,
        resume: values.resume,
      });
    }
    default:
      process.stderr.write(`acquaint: unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

/** The database to use: --database, else DATABASE_URL, else the SQLite file in the data dir. */
export function storeLocation(database: string | undefined, dataDir: string | undefined): string {
  const url = database ?? process.env.DATABASE_URL;
  if (url) return url;
  return `${dataDir ?? process.env.ACQUAINT_DATA_DIR ?? './data'}/acquaint.db`;
}

function parsePort(raw: string | undefined): number {
  const value = Number(raw ?? process.env.PORT ?? 8080);
  if (!Number.isInteger(value) || value < 0 || value > 65535)
    throw new Error(`--port must be a port number, got "${raw}"`);
  return value;
}
