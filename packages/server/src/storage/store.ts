import { type Kysely, Migrator } from 'kysely';
import { CodeMigrationProvider } from './migrations.js';
import { openPostgresBackend } from './postgres-backend.js';
import type { Listener, NotificationHandlers } from './postgres-listener.js';
import type { ProfileBulkWriter } from './profile-bulk-writer.js';
import type { RowWrite, TableName } from './row-writes.js';
import type { Database } from './schema.js';
import { openSqliteBackend } from './sqlite-backend.js';
import type { StorageBackend, StoreCapabilities } from './storage-backend.js';

/** A database handle usable inside or outside a transaction. */
export type Db = Kysely<Database>;

/** A write transaction: its database handle, plus the locking the backend needs for identity writes. */
export interface StoreTx {
  readonly db: Db;
  readonly capabilities: StoreCapabilities;
  /** Row-lock the persons read for change (`FOR UPDATE` where writers run concurrently). */
  readonly forUpdate: boolean;
  lockKeys(keys: string[]): Promise<void>;
  /** Bulk writes of imports on this transaction. */
  readonly profiles: ProfileBulkWriter;
  /** Reserves ids for persons this transaction will insert (see StorageBackend.allocatePersonIds). */
  allocatePersonIds(count: number): Promise<number[]>;
  /** Writes many rows of one table in the backend's fastest way (see StorageBackend.writeRows). */
  writeRows<T extends TableName>(write: RowWrite<T>): Promise<void>;
  /** Inserts the rows whose `key` is new; returns their `returned` values. */
  insertNewRows<T extends TableName>(
    table: T,
    rows: RowWrite<T>['rows'],
    key: (keyof Database[T] & string)[],
    returned: keyof Database[T] & string,
  ): Promise<Set<string>>;
}

/**
 * The one storage interface of Acquaint. Queries live once in the repositories (`*-repository.ts`)
 * and run on either backend; the backend only opens connections, runs transactions and locks.
 */
export class Store {
  private closing: Promise<void> | undefined;

  constructor(private readonly backend: StorageBackend) {}

  get name(): 'sqlite' | 'postgres' {
    return this.backend.name;
  }

  /** The SQLite database file, when the data lives in one. */
  get file(): string | undefined {
    return this.backend.file;
  }

  get capabilities(): StoreCapabilities {
    return this.backend.capabilities;
  }

  /** For reads; writes go through `transaction`. */
  get db(): Db {
    return this.backend.db;
  }

  /** Runs `fn` in one write transaction, retried whole when it loses a race to another writer. */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.backend.transaction((db) =>
      fn({
        db,
        capabilities: this.backend.capabilities,
        forUpdate: this.backend.forUpdate,
        lockKeys: (keys) => this.backend.lockKeys(db, keys),
        profiles: this.backend.profileWriter(db),
        allocatePersonIds: (count) => this.backend.allocatePersonIds(db, count),
        writeRows: (write) => this.backend.writeRows(db, write),
        insertNewRows: (table, rows, key, returned) =>
          this.backend.insertNewRows(db, table, rows, key, returned),
      }),
    );
  }

  /**
   * Creates or upgrades the schema; safe to run again and from several processes. `upTo` stops
   * after the named migration (to build a database of an earlier version, in upgrade tests).
   */
  async migrate(upTo?: string): Promise<void> {
    const migrator = await this.migrator();
    const { error } = upTo ? await migrator.migrateTo(upTo) : await migrator.migrateToLatest();
    if (error) throw error;
    // An import that stopped mid-way (a crash) may have left its deferred indexes dropped.
    if (!upTo) await this.backend.restoreTypedIndexes?.(true);
  }

  /**
   * A large import's bulk load: the indexes on typed attribute values are dropped until
   * `restoreTypedIndexes` (SQLite; answers false, doing nothing, where the backend keeps them).
   */
  async deferTypedIndexes(): Promise<boolean> {
    if (!this.backend.deferTypedIndexes) return false;
    await this.backend.deferTypedIndexes();
    return true;
  }

  /** Ends a `deferTypedIndexes` that answered true: builds the indexes again once no import defers. */
  async restoreTypedIndexes(): Promise<void> {
    await this.backend.restoreTypedIndexes?.();
  }

  /** The names of the migrations this code has that the database has not run yet. */
  async pendingMigrations(): Promise<string[]> {
    const migrations = await (await this.migrator()).getMigrations();
    return migrations.filter((m) => m.executedAt === undefined).map((m) => m.name);
  }

  private async migrator(): Promise<Migrator> {
    const migrationTableSchema = await this.backend.migrationTableSchema();
    return new Migrator({
      db: this.backend.db,
      provider: new CodeMigrationProvider(this.backend.migrationDialect),
      ...(migrationTableSchema ? { migrationTableSchema } : {}),
    });
  }

  /** Notifications on `channel` from every server process (PostgreSQL); null on SQLite. */
  listen(channel: string, handlers: NotificationHandlers): Listener | null {
    return this.backend.listen?.(channel, handlers) ?? null;
  }

  integrityCheck(): Promise<string> {
    return this.backend.integrityCheck();
  }

  /** Closes the connections; closing again waits for the first close. */
  close(): Promise<void> {
    this.closing ??= this.backend.close();
    return this.closing;
  }
}

/**
 * Where the data lives: a `postgres://` URL, or else an SQLite file path (`:memory:` for tests).
 * `schema` places PostgreSQL tables (tests); `backgroundCheckpoints: false` leaves an SQLite file's
 * WAL checkpoints to another connection of the process that runs them.
 */
export function openStore(
  location: string,
  options: { schema?: string; backgroundCheckpoints?: boolean } = {},
): Store {
  if (/^postgres(ql)?:\/\//.test(location)) return new Store(openPostgresBackend(location, options));
  return new Store(openSqliteBackend(location.replace(/^sqlite:(\/\/)?/, ''), options));
}
