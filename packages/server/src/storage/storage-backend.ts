import type { Kysely } from 'kysely';
import type { MigrationDialect } from './migrations.js';
import type { Listener, NotificationHandlers } from './postgres-listener.js';
import type { ProfileBulkWriter } from './profile-bulk-writer.js';
import type { RowWrite, TableName } from './row-writes.js';
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
  /** The SQLite database file (not for `:memory:` nor PostgreSQL). */
  readonly file?: string;
  readonly capabilities: StoreCapabilities;
  readonly migrationDialect: MigrationDialect;
  readonly db: Kysely<Database>;
  /**
   * Notifications from every process on the database (PostgreSQL LISTEN on its own connection);
   * absent where one process owns the database (SQLite).
   */
  listen?(channel: string, handlers: NotificationHandlers): Listener;
  /** Runs `fn` in one write transaction, retrying it whole on a transient conflict. */
  transaction<T>(fn: (db: Kysely<Database>) => Promise<T>): Promise<T>;
  /**
   * Locks the given keys until the transaction ends (no-op where writers are serialised anyway).
   * A key's scope is its part before the first NUL (the project): a transaction naming very many
   * keys may lock their whole scope instead.
   */
  lockKeys(db: Kysely<Database>, keys: string[]): Promise<void>;
  /**
   * Reserves `count` new person ids inside a write transaction, so a batch can create its persons
   * in one multi-row insert. No id is handed out while another transaction may use it, and none
   * collides with a person written before; an id reserved but left unused may come again later.
   */
  allocatePersonIds(db: Kysely<Database>, count: number): Promise<number[]>;
  /** Writes many rows of one table inside a transaction, in the backend's fastest way. */
  writeRows<T extends TableName>(db: Kysely<Database>, write: RowWrite<T>): Promise<void>;
  /**
   * Inserts rows whose `key` is not stored yet and returns the keys it inserted (the others are
   * left as they are): how a batch claims its message ids.
   */
  insertNewRows<T extends TableName>(
    db: Kysely<Database>,
    table: T,
    rows: RowWrite<T>['rows'],
    key: (keyof Database[T] & string)[],
    returned: keyof Database[T] & string,
  ): Promise<Set<string>>;
  /** Row locks on persons for the rest of the transaction (`FOR UPDATE`); no-op where serialised. */
  forUpdate: boolean;
  /**
   * The schema that holds Kysely's migration tables, where the database has schemas (PostgreSQL's
   * current schema); else undefined. Without it Kysely takes those tables in any schema for ours.
   */
  migrationTableSchema(): Promise<string | undefined>;
  /**
   * Bulk loads: drops the indexes on typed attribute values until as many `restoreTypedIndexes`
   * calls (SQLite; see `sqlite-typed-indexes.ts`). Absent where the database maintains them
   * itself at COPY (PostgreSQL: dropping an index there locks the table against every reader).
   */
  deferTypedIndexes?(): Promise<void>;
  /** Ends one `deferTypedIndexes`; `all`: builds any missing index whoever dropped it (at start). */
  restoreTypedIndexes?(all?: boolean): Promise<void>;
  /** The bulk writer of imports, on a write transaction's database handle. */
  profileWriter(db: Kysely<Database>): ProfileBulkWriter;
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
