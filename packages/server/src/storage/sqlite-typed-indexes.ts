import type SqliteDatabase from 'better-sqlite3';

/**
 * The partial indexes of `0005_conditions` on typed attribute values (what range conditions
 * read), written as that migration creates them (a test compares them with a migrated database).
 */
const TYPED_INDEX_SQL = ['num_value', 'time_value'].map(
  (column) =>
    `create index if not exists "person_attributes_name_${column}" on "person_attributes" ("project_id", "name", "${column}") where "${column}" is not null`,
);
const TYPED_INDEX_NAMES = ['num_value', 'time_value'].map((column) => `person_attributes_name_${column}`);

/**
 * A large import into SQLite loads `person_attributes` without its two typed-value indexes and
 * builds them again at the end, as bulk loaders do: each imported number or time lands at a
 * random place in an index larger than the page cache, so maintaining them row by row dirties
 * nearly a page per value, chunk after chunk, while one sorted build at the end costs a few
 * seconds per million values. Results stay exact meanwhile (an index never changes what a query
 * answers; range conditions scan instead). Several imports may defer at once: the indexes come back
 * when the last one ends, and `ensure` (run after every migration, so at every start) brings them
 * back after a crash mid-import.
 */
export function sqliteTypedIndexes(connection: SqliteDatabase.Database) {
  let deferring = 0;
  return {
    /** Drops the indexes (in the caller's write transaction) until `restore` is called as often. */
    defer(): void {
      deferring += 1;
      for (const name of TYPED_INDEX_NAMES) connection.exec(`drop index if exists "${name}"`);
    },
    /** Builds the indexes again (in the caller's write transaction) once no import defers them. */
    restore(): void {
      deferring = Math.max(0, deferring - 1);
      if (deferring === 0) for (const text of TYPED_INDEX_SQL) connection.exec(text);
    },
    /** Builds any that is missing, whoever dropped it. */
    ensure(): void {
      for (const text of TYPED_INDEX_SQL) connection.exec(text);
    },
  };
}
