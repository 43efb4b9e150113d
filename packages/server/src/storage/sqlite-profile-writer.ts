import type SqliteDatabase from 'better-sqlite3';
import type { AttributeValue } from '../attributes/attribute-operation.js';
import { TYPED_COLUMNS, type TypedAttributeColumns } from '../attributes/typed-attribute-value.js';
import type { PersonAttribute } from './attribute-repository.js';
import {
  type AttributeWrites,
  type ImportedPersonRef,
  memoisedTypedColumns,
  type ProfileBulkWriter,
} from './profile-bulk-writer.js';
import type { BackgroundCheckpointer } from './sqlite-checkpointer.js';

/** Rows per multi-row statement: amortises SQLite's per-statement cost, far under its variable limit. */
const ROWS_PER_STATEMENT = 200;
const IDS_PER_LOOKUP = 500;
/** Statements with their names written in, kept per batch size. */
const NAMED_STATEMENTS_PER_SIZE = 4;
/**
 * The page cache while an import writes (KiB, as `cache_size` takes it negated): a million-row
 * import touches far more pages than any cache holds, and the last written pages (B-tree right
 * edges, where new rows go) are what it reuses; the reads' larger cache comes back after it.
 */
const IMPORT_CACHE_KIB = 16 * 1024;
/** The reads' cache returns once no import has written for this long. */
const IMPORT_CACHE_IDLE_MS = 1000;

/**
 * The SQLite bulk writer. It runs on the raw better-sqlite3 connection, which is the connection
 * of the write transaction the caller is in (writers are serialised on one connection), with
 * prepared statements kept per text. Values every row shares (project, time) are bound once, by
 * name; the rest positionally. A batch is a full-size statement, and a remainder is split into
 * powers of two, so a few statement texts serve every size. Its first write starts the background
 * checkpointer: an import's gigabyte of WAL is then copied into the database file off this thread.
 */
export function sqliteProfileWriter(
  connection: SqliteDatabase.Database,
  checkpointer?: BackgroundCheckpointer,
): ProfileBulkWriter {
  // Per kind of statement, by batch size; the text is built only when first prepared.
  const statements = new Map<string, SqliteDatabase.Statement[]>();
  const prepared = (kind: string, size: number, text: (size: number) => string) => {
    let bySize = statements.get(kind);
    if (!bySize) {
      bySize = [];
      statements.set(kind, bySize);
    }
    bySize[size] ??= connection.prepare(text(size));
    return bySize[size];
  };
  const typedOf = memoisedTypedColumns();
  // Memory is bounded while an import runs: its writes use the smaller cache (see IMPORT_CACHE_KIB).
  const readsCache = connection.pragma('cache_size', { simple: true }) as number;
  let restoreCache: NodeJS.Timeout | undefined;
  const importing = () => {
    checkpointer?.start();
    if (restoreCache === undefined) connection.pragma(`cache_size = -${IMPORT_CACHE_KIB}`);
    else clearTimeout(restoreCache);
    restoreCache = setTimeout(() => {
      restoreCache = undefined;
      if (connection.open) connection.pragma(`cache_size = ${readsCache}`);
    }, IMPORT_CACHE_IDLE_MS);
    restoreCache.unref();
  };
  const placeholders = (count: number, tuple: string) => Array(count).fill(tuple).join(',');
  // Arrays of bound values, reused: a statement reads them while it runs and keeps nothing.
  const boundArrays = new Map<number, unknown[]>();
  const boundOfSize = (size: number) => {
    let bound = boundArrays.get(size);
    if (!bound) {
      bound = new Array(size).fill(null);
      boundArrays.set(size, bound);
    }
    return bound;
  };

  /**
   * A batch of an import repeats the same names over and over (person after person, column after
   * column): a statement with those names written in (not bound, row after row) runs faster. A
   * few such statements are kept per batch size, each for its sequence of names; a batch that
   * matches none (rows with empty cells shift the sequence) binds its names.
   */
  const withNames = new Map<number, { names: string[]; statement: SqliteDatabase.Statement }[]>();
  const namedStatement = (names: string[], start: number, size: number) => {
    let known = withNames.get(size);
    if (!known) {
      known = [];
      withNames.set(size, known);
    }
    next: for (const candidate of known) {
      for (let i = 0; i < size; i++) if (candidate.names[i] !== names[start + i]) continue next;
      return candidate.statement;
    }
    if (known.length >= NAMED_STATEMENTS_PER_SIZE) return null;
    const batch = names.slice(start, start + size);
    if (batch.some((name) => name.includes('\u0000'))) return null;
    const statement = connection.prepare(
      saveSql(batch.map((name) => `(@p,?,'${name.replaceAll("'", "''")}',?,@at,?,?,?,?,?)`)),
    );
    known.push({ names: batch, statement });
    return statement;
  };

  const saveAttributes = (projectId: string, { at, count, personIds, names, values }: AttributeWrites) => {
    importing();
    const shared = { p: projectId, at };
    batches(count, ROWS_PER_STATEMENT, (start, size) => {
      const literal = namedStatement(names, start, size);
      if (literal) {
        const bound = boundOfSize(size * 7);
        for (let i = 0, j = start; i < bound.length; i += 7, j++) {
          bound[i] = personIds[j];
          bound[i + 1] = values[j];
          bindTyped(bound, i + 2, typedOf(values[j]));
        }
        literal.run(bound, shared);
        return;
      }
      const bound = boundOfSize(size * 8);
      for (let i = 0, j = start; i < bound.length; i += 8, j++) {
        bound[i] = personIds[j];
        bound[i + 1] = names[j];
        bound[i + 2] = values[j];
        bindTyped(bound, i + 3, typedOf(values[j]));
      }
      prepared('save', size, (n) => saveSql(Array(n).fill('(@p,?,?,?,@at,?,?,?,?,?)'))).run(bound, shared);
    });
  };

  return {
    async lockPersonsByUserIds(projectId, userIds) {
      const found: ImportedPersonRef[] = [];
      batches(userIds.length, IDS_PER_LOOKUP, (start, size) => {
        const rows = prepared(
          'lock',
          size,
          (n) =>
            `select id, user_id, imported_at from persons where project_id = @p and user_id in (${placeholders(n, '?')})`,
        ).all(userIds.slice(start, start + size), { p: projectId }) as {
          id: number;
          user_id: string;
          imported_at: number | null;
        }[];
        for (const row of rows) found.push({ id: row.id, userId: row.user_id, importedAt: row.imported_at });
      });
      return found;
    },

    async insertImportedPersons(projectId, userIds, at) {
      importing();
      const ids: number[] = [];
      batches(userIds.length, ROWS_PER_STATEMENT, (start, size) => {
        const { lastInsertRowid } = prepared(
          'persons',
          size,
          (n) =>
            `insert into persons (project_id, user_id, created_at, first_seen, last_seen, imported_at) values ${placeholders(n, '(@p,?,@at,@at,@at,@at)')}`,
        ).run(userIds.slice(start, start + size), { p: projectId, at });
        // One statement on the only writer's connection takes consecutive rowids.
        const last = Number(lastInsertRowid);
        for (let i = size - 1; i >= 0; i--) ids.push(last - i);
      });
      return ids;
    },

    async markImported(personIds, at) {
      batches(personIds.length, IDS_PER_LOOKUP, (start, size) => {
        prepared(
          'mark',
          size,
          (n) =>
            `update persons set imported_at = @at where imported_at is null and id in (${placeholders(n, '?')})`,
        ).run(personIds.slice(start, start + size), { at });
      });
    },

    async loadAttributes(personIds, names) {
      const wanted = new Set(names);
      const found: PersonAttribute[] = [];
      batches(personIds.length, IDS_PER_LOOKUP, (start, size) => {
        const rows = prepared(
          'load',
          size,
          (n) =>
            `select person_id, name, value, updated_at from person_attributes where person_id in (${placeholders(n, '?')})`,
        ).all(personIds.slice(start, start + size)) as {
          person_id: number;
          name: string;
          value: string | null;
          updated_at: number;
        }[];
        for (const row of rows) {
          if (!wanted.has(row.name)) continue;
          found.push({
            personId: row.person_id,
            name: row.name,
            value: row.value === null ? undefined : (JSON.parse(row.value) as AttributeValue),
            updatedAt: row.updated_at,
          });
        }
      });
      return found;
    },

    async saveAttributes(projectId, writes) {
      saveAttributes(projectId, writes);
    },

    async insertNewAttributes(projectId, writes) {
      // The same statements: their conflict clause costs nothing when no value is stored yet.
      saveAttributes(projectId, writes);
    },
  };
}

function saveSql(tuples: string[]): string {
  return `insert into person_attributes (project_id, person_id, name, value, updated_at, ${TYPED_COLUMNS.join(', ')}) values ${tuples.join(',')}
    on conflict (person_id, name) do update set value = excluded.value, updated_at = excluded.updated_at, ${TYPED_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}`;
}

/** Binds the typed columns of a stored value at `at` and the four places after it. */
function bindTyped(bound: unknown[], at: number, typed: Readonly<TypedAttributeColumns>): void {
  bound[at] = typed.text_value;
  bound[at + 1] = typed.num_value;
  bound[at + 2] = typed.time_value;
  bound[at + 3] = typed.bool_value;
  bound[at + 4] = typed.items;
}

/** Calls `each` on consecutive ranges of `count` items: full ones of `max`, then powers of two. */
function batches(count: number, max: number, each: (start: number, size: number) => void): void {
  let start = 0;
  for (; start + max <= count; start += max) each(start, max);
  for (let size = 1 << Math.floor(Math.log2(max)); size >= 1; size >>= 1) {
    if (start + size <= count) {
      each(start, size);
      start += size;
    }
  }
}
