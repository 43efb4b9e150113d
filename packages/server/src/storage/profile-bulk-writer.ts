import { type TypedAttributeColumns, typedColumnsOfJson } from '../attributes/typed-attribute-value.js';
import type { PersonAttribute } from './attribute-repository.js';

/** A person an import touches, as the bulk writer reads it. */
export interface ImportedPersonRef {
  id: number;
  userId: string;
  importedAt: number | null;
}

/**
 * Attribute values to upsert, all written at time `at`, as parallel arrays (a million-row import
 * writes millions of them: no object per value); the first `count` entries count (the arrays are
 * reused and may be longer). At most one per person and name.
 */
export interface AttributeWrites {
  at: number;
  count: number;
  personIds: number[];
  names: string[];
  /** The value as stored (JSON text), or null for a tombstone (an unset value). */
  values: (string | null)[];
}

/**
 * The writes of one chunk of a bulk import, run inside a write transaction. An import writes
 * millions of rows, so each backend does them its fastest way (SQLite: cached prepared multi-row
 * statements on the transaction's connection; PostgreSQL: COPY and set-based statements)
 * instead of compiling a query-builder statement per batch. Same tables and meaning as the
 * repositories.
 */
export interface ProfileBulkWriter {
  /**
   * The persons holding these user ids, row-locked where writers run concurrently. The caller
   * already holds the user-id locks, so no other writer can give these ids to another person.
   */
  lockPersonsByUserIds(projectId: string, userIds: string[]): Promise<ImportedPersonRef[]>;
  /** Creates imported, not yet bound persons for these user ids; answers their ids, same order. */
  insertImportedPersons(projectId: string, userIds: string[], at: number): Promise<number[]>;
  /** Sets `imported_at` on persons an import writes for the first time. */
  markImported(personIds: number[], at: number): Promise<void>;
  /** Stored attributes (live values and tombstones) of these persons, only those named. */
  loadAttributes(personIds: number[], names: string[]): Promise<PersonAttribute[]>;
  /** Upserts attributes, at most one per person and name. */
  saveAttributes(projectId: string, writes: AttributeWrites): Promise<void>;
  /** Inserts attributes of persons created in this transaction (none stored yet), one per name. */
  insertNewAttributes(projectId: string, writes: AttributeWrites): Promise<void>;
}

/** Distinct values a typed-columns memo keeps before it starts over (a column of unique values). */
const TYPED_MEMO_SIZE = 4096;
/** Longer values are read each time: the memo stays under a few megabytes. */
const TYPED_MEMO_VALUE_CHARS = 64;

/**
 * `typedColumnsOfJson` with a bounded memo: an import stores the same few values over and over
 * (levels, flags, ages), and reading one through every type parses its JSON and tries four types.
 * The answer is shared between callers and must not be changed.
 */
export function memoisedTypedColumns(): (json: string | null) => Readonly<TypedAttributeColumns> {
  const memo = new Map<string | null, TypedAttributeColumns>();
  return (json) => {
    if (json !== null && json.length > TYPED_MEMO_VALUE_CHARS) return typedColumnsOfJson(json);
    let typed = memo.get(json);
    if (typed === undefined) {
      if (memo.size >= TYPED_MEMO_SIZE) memo.clear();
      typed = typedColumnsOfJson(json);
      memo.set(json, typed);
    }
    return typed;
  };
}
