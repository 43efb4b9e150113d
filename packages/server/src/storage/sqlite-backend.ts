import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDialectConfig, sql } from 'kysely';
import { registerImmediateReader, registerSnapshotReader } from './prepared-query.js';
import { preparePrivateDatabaseFile } from './private-files.js';
import { type RowWrite, singleRowInsertSql, type TableName } from './row-writes.js';
import type { Database } from './schema.js';
import { backgroundCheckpointer } from './sqlite-checkpointer.js';
import { registerConditionFunctions } from './sqlite-condition-functions.js';
import { groupCommitTransactions } from './sqlite-group-commit.js';
import { sqliteProfileWriter } from './sqlite-profile-writer.js';
import { registerReportFunctions } from './sqlite-report-functions.js';
import { sqliteTypedIndexes } from './sqlite-typed-indexes.js';
import type { StorageBackend } from './storage-backend.js';

/**
 * The embedded backend: one SQLite file in WAL mode. Kysely's driver holds one connection behind a
 * mutex, so transactions in this process run one at a time, and those that queue up meanwhile are
 * committed together (group commit); `BEGIN IMMEDIATE` takes the write lock up front so that other
 * processes on the same file wait (busy timeout) instead of failing mid-way.
 */
export function openSqliteBackend(
  filename: string,
  options: { backgroundCheckpoints?: boolean } = {},
): StorageBackend {
  if (filename !== ':memory:' && filename !== '') preparePrivateDatabaseFile(filename);
  const connection = new SqliteDatabase(filename);
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = NORMAL');
  connection.pragma('busy_timeout = 10000');
  connection.pragma('foreign_keys = ON');
  connection.pragma('cache_size = -65536');
  registerConditionFunctions(connection);
  registerReportFunctions(connection);
  // Checkpoint (and fsync) every ~40 MB of WAL rather than 4 MB: fewer stalls under steady ingestion.
  connection.pragma('wal_autocheckpoint = 10000');
  const statements = withStatementCache(connection);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: statements }) });
  // Reads outside a transaction run at once on the connection: nothing can interleave with a
  // synchronous statement, and inside a group commit they would see its uncommitted rows.
  registerImmediateReader(db, (text, parameters) =>
    connection.inTransaction ? undefined : (statements.prepare(text).all(parameters) as unknown[]),
  );
  // Several reads that must agree (other connections, such as the log applier's, commit meanwhile).
  registerSnapshotReader(db, (reads) =>
    connection.inTransaction
      ? undefined
      : connection.transaction(() =>
          reads((text, parameters) => statements.prepare(text).all(parameters) as unknown[]),
        )(),
  );
  /** Runs one prepared single-row statement per row: in-process SQLite has no round trips to save. */
  const runPerRow = <T extends TableName>(
    write: RowWrite<T>,
    each: (changes: number, row: Record<string, unknown>) => void,
  ) => {
    if (write.rows.length === 0) return;
    const columns = Object.keys(write.rows[0]);
    const statement = statements.prepare(singleRowInsertSql(write.table, columns, write.conflict));
    for (const row of write.rows as Record<string, unknown>[]) {
      each(Number(statement.run(columns.map((c) => row[c] ?? null)).changes), row);
    }
  };

  // WAL checkpoints run off this thread, so no commit waits for one (file databases only).
  const checkpointer = backgroundCheckpointer(filename, connection);
  if (options.backgroundCheckpoints ?? true) checkpointer.start();
  const typedIndexes = sqliteTypedIndexes(connection);
  const profileWriter = sqliteProfileWriter(connection, checkpointer);
  const transaction = groupCommitTransactions(db, connection);

  return {
    name: 'sqlite',
    ...(filename === ':memory:' || filename === '' ? {} : { file: filename }),
    capabilities: { concurrentWriters: false },
    migrationDialect: {
      name: 'sqlite',
      serialType: 'integer',
      autoIncrement: true,
      jsonType: 'text',
      withoutRowId: true,
    },
    db,
    forUpdate: false,
    transaction,
    async lockKeys() {},
    async writeRows(_trx, write) {
      runPerRow(write, () => {});
    },
    async insertNewRows(_trx, table, rows, key, returned) {
      const inserted = new Set<string>();
      runPerRow({ table, rows, conflict: { columns: key, update: [] } }, (changes, row) => {
        if (changes > 0) inserted.add(String(row[returned]));
      });
      return inserted;
    },
    async allocatePersonIds(trx, count) {
      // Writers are serialised, so the next free id cannot be taken by anyone else before commit;
      // sqlite_sequence keeps AUTOINCREMENT's promise that deleted ids are not reused.
      const { rows } = await sql<{ next: number }>`select max(
          coalesce((select max(id) from persons), 0),
          coalesce((select seq from sqlite_sequence where name = 'persons'), 0)
        ) + 1 as next`.execute(trx);
      return Array.from({ length: count }, (_, i) => rows[0].next + i);
    },
    async migrationTableSchema() {
      return undefined;
    },
    profileWriter: () => profileWriter,
    async deferTypedIndexes() {
      await transaction(async () => typedIndexes.defer());
    },
    async restoreTypedIndexes(all) {
      await transaction(async () => (all ? typedIndexes.ensure() : typedIndexes.restore()));
    },
    async integrityCheck() {
      const rows = connection.pragma('integrity_check') as { integrity_check: string }[];
      return rows.map((r) => r.integrity_check).join('; ');
    },
    async close() {
      await checkpointer.stop();
      await db.destroy();
    },
  };
}

/**
 * Kysely prepares every statement anew; SQLite's parse of a multi-row insert costs more than
 * running it. The same few hundred statement texts recur (batches of the same size), so prepared
 * statements are kept, least recently used dropped first.
 */
function withStatementCache(
  connection: SqliteDatabase.Database,
  size = 500,
): SqliteDialectConfig['database'] & { prepare(text: string): SqliteDatabase.Statement } {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => connection.close(),
    prepare(text: string) {
      let statement = cache.get(text);
      if (statement) {
        cache.delete(text);
      } else {
        statement = connection.prepare(text);
        if (cache.size >= size) cache.delete(cache.keys().next().value as string);
      }
      cache.set(text, statement);
      return statement;
    },
  };
}
