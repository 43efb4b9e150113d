import type { Kysely } from 'kysely';
import type { MigrationDialect } from './migrations.js';
import type { Database } from './schema.js';

/** What a backend can do that the other may not; domain code asks these, never the backend's name. */
export interface StoreCapabilities {
  /**
   * Several writers may hold transactions at once (PostgreSQL), so a transaction must lock the ids
   * and persons it reads before changing them. SQLite runs one write transaction at a time.
   */
  concurrentWriters: boolean;
}

/** The few things a storage backend does differently; shared queries live in the repositories. */
export interface StorageBackend {
  readonly name: 'sqlite' | 'postgres';
  readonly capabilities: StoreCapabilities;
  readonly migrationDialect: MigrationDialect;
  readonly db: Kysely<Database>;
  /** Runs `fn` in one write transaction, retrying it whole on a transient conflict. */
  transaction<T>(fn: (db: Kysely<Database>) => Promise<T>): Promise<T>;
  /** Locks the given keys until the transaction ends (no-op where writers are serialised anyway). */
  lockKeys(db: Kysely<Database>, keys: string[]): Promise<void>;
  /** Row locks on persons for the rest of the transaction (`FOR UPDATE`); no-op where serialised. */
  forUpdate: boolean;
  /** Checks the database file or server is consistent (used after crashes). */
  integrityCheck(): Promise<string>;
  close(): Promise<void>;
}

/** Thrown inside a transaction when something it read was changed by another writer: retry it whole. */
export class TransactionConflict extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransactionConflict';
  }
}
