import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { Database } from './schema.js';
import type { StorageBackend } from './storage-backend.js';

/**
 * The embedded backend: one SQLite file in WAL mode. Kysely's driver holds one connection behind a
 * mutex, so transactions in this process run one at a time; `BEGIN IMMEDIATE` takes the write lock
 * up front so that other processes on the same file wait (busy timeout) instead of failing mid-way.
 */
export function openSqliteBackend(filename: string): StorageBackend {
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
  const connection = new SqliteDatabase(filename);
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = NORMAL');
  connection.pragma('busy_timeout = 10000');
  connection.pragma('foreign_keys = ON');
  connection.pragma('cache_size = -65536');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: connection }) });

  return {
    name: 'sqlite',
    capabilities: { concurrentWriters: false },
    migrationDialect: { serialType: 'integer', autoIncrement: true, jsonType: 'text' },
    db,
    forUpdate: false,
    async transaction(fn) {
      return db.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          const result = await fn(conn);
          await sql`commit`.execute(conn);
          return result;
        } catch (error) {
          if (connection.inTransaction) await sql`rollback`.execute(conn);
          throw error;
        }
      });
    },
    async lockKeys() {},
    async integrityCheck() {
      const rows = connection.pragma('integrity_check') as { integrity_check: string }[];
      return rows.map((r) => r.integrity_check).join('; ');
    },
    async close() {
      await db.destroy();
    },
  };
}
