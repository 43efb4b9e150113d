import type SqliteDatabase from 'better-sqlite3';

/**
 * The indexes of `person_attributes` keyed by value, written as the migrations create them (a
 * test compares them with a migrated database): the partial ones of `0005_conditions` on typed
 * values (what range conditions read) and `0038_attribute_values_by_name` on the stored value
 * (what a breakdown by an attribute reads).
 */
const VALUE_COLUMNS = ['num_value', 'time_value', 'value'];
const TYPED_INDEX_NAMES = VALUE_COLUMNS.map((column) => `person_attributes_name_${column}`);
const TYPED_INDEX_SQL = VALUE_COLUMNS.map(
  (column, i) =>
    `create index if not exists "${TYPED_INDEX_NAMES[i]}" on "person_attributes" ("project_id", "name", "${column}")${column === 'value' ? '' : ` where "${column}" is not null`}`,
);
/**
 * The page cache while the indexes are built (KiB): SQLite's sorter keeps runs as large as the
 * cache in memory, and smaller runs cost no time here (1M persons: 5.1 s with 2 MB, 5.2 s with
 * 16 MB) but keep the build's memory off the import's peak (+2 MB instead of +16 MB).
 */
const BUILD_CACHE_KIB = 2 * 1024;

/**
 * A large import into SQLite loads `person_attributes` without its three value indexes and
 * builds them again at the end, as bulk loaders do: each imported number or time lands at a
 * random place in an index larger than the page cache, so maintaining them row by row dirties
 * nearly a page per value, chunk after chunk, while one sorted build at the end costs a few
 * seconds per million values. Results stay exact meanwhile (an index never changes what a query
 * answers; a range condition or a report reads the holders of its name through `(project_id, name)`
 * instead).
 * Several imports may defer at once: the indexes come back
 * when the last one ends, and `ensure` (run after every migration, so at every start) brings them
 * back after a crash mid-import.
 */
export function sqliteTypedIndexes(connection: SqliteDatabase.Database) {
  let deferring = 0;
  const build = () => {
    const cache = connection.pragma('cache_size', { simple: true }) as number;
    connection.pragma(`cache_size = -${BUILD_CACHE_KIB}`);
    // A helper thread sorts beside the main one: 3.5M values of a name index built in 2.9 s of
    // wall time instead of 4.1 s (for 4.2 s of CPU instead of 3.7 s), the memory unchanged.
    connection.pragma('threads = 1');
    try {
      for (const text of TYPED_INDEX_SQL) connection.exec(text);
    } finally {
      connection.pragma('threads = 0');
      connection.pragma(`cache_size = ${cache}`);
    }
  };
  return {
    /** Drops the indexes (in the caller's write transaction) until `restore` is called as often. */
    defer(): void {
      deferring += 1;
      for (const name of TYPED_INDEX_NAMES) connection.exec(`drop index if exists "${name}"`);
    },
    /** Builds the indexes again (in the caller's write transaction) once no import defers them. */
    restore(): void {
      deferring = Math.max(0, deferring - 1);
      if (deferring === 0) build();
    },
    /** Builds any that is missing, whoever dropped it. */
    ensure(): void {
      build();
    },
  };
}
