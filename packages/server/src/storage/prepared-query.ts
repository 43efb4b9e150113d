import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Runs a read now, synchronously, when the backend can (SQLite outside a transaction); else undefined. */
export type ImmediateReader = (sql: string, parameters: readonly unknown[]) => unknown[] | undefined;

const immediateReaders = new WeakMap<Kysely<Database>, ImmediateReader>();

/** Lets prepared queries on `db` (not on its transactions) skip the driver (sqlite-backend.ts). */
export function registerImmediateReader(db: Kysely<Database>, reader: ImmediateReader): void {
  immediateReaders.set(db, reader);
}

/** Runs `reads` synchronously in one read transaction when the backend can; else undefined. */
export type SnapshotReader = <T>(reads: (read: SyncReader) => T) => T | undefined;
/** Runs one statement now and returns its rows. */
export type SyncReader = (sql: string, parameters: readonly unknown[]) => unknown[];

const snapshotReaders = new WeakMap<Kysely<Database>, SnapshotReader>();

/** Lets `readInSnapshot` on `db` run its reads on the connection (sqlite-backend.ts). */
export function registerSnapshotReader(db: Kysely<Database>, reader: SnapshotReader): void {
  snapshotReaders.set(db, reader);
}

/**
 * Runs `reads` at once, synchronously, in one read transaction — every statement sees the same
 * committed state, whatever other connections commit meanwhile — when the backend can (SQLite
 * outside a transaction); else undefined.
 */
export function readInSnapshot<T>(
  db: Kysely<Database>,
  reads: (read: <R>(query: CompiledQuery<R>) => R[]) => T,
): T | undefined {
  return snapshotReaders.get(db)?.((run) =>
    reads(<R>(query: CompiledQuery<R>) => run(query.sql, query.parameters) as R[]),
  );
}

const MARK = '\u0000acquaint-parameter:';

/** The SQL text of every prepared query compiled so far, with a statement name for it. */
const statementNames = new Map<string, string>();

/**
 * The name a backend may give `sql` as a server-side prepared statement (PostgreSQL: parsed and
 * planned once per connection), or undefined when it is not the text of a prepared query.
 */
export function statementNameOf(sql: string): string | undefined {
  return statementNames.get(sql);
}

/** A named parameter of a prepared query, filled in at each execution. */
export function param<T = never>(name: string): T {
  return `${MARK}${name}` as unknown as T;
}

interface Compiled<R> {
  query: CompiledQuery<R>;
  /** For each bound parameter: the name it is filled from, or null for a constant. */
  names: (string | null)[];
}

/**
 * A query built and compiled once per database handle, then run with new parameter values: the
 * hot reads of decide (ARCHITECTURE "Decide") skip Kysely's building and compiling per request.
 * On SQLite outside a transaction it runs the statement at once on the connection (prepared
 * statements are cached there); otherwise through the handle's driver, inside its transaction
 * when it is one (on PostgreSQL as a named statement, see `statementNameOf`). Parameters are named with `param(name)` where the builder takes a value; a
 * list parameter has a fixed length (build one query per length).
 */
export class PreparedQuery<P extends Record<string, unknown>, R> {
  private readonly compiled = new WeakMap<Kysely<Database>, Compiled<R>>();

  constructor(private readonly build: (db: Kysely<Database>) => Compilable<R>) {}

  async execute(db: Kysely<Database>, values: P): Promise<R[]> {
    const { query, names } = this.compiledFor(db);
    const parameters = names.map((name, i) => (name === null ? query.parameters[i] : values[name]));
    const immediate = immediateReaders.get(db)?.(query.sql, parameters);
    if (immediate) return immediate as R[];
    const result = await db.executeQuery<R>({ ...query, parameters });
    return result.rows;
  }

  private compiledFor(db: Kysely<Database>): Compiled<R> {
    let compiled = this.compiled.get(db);
    if (!compiled) {
      const query = this.build(db).compile();
      const names = query.parameters.map((value) =>
        typeof value === 'string' && value.startsWith(MARK) ? value.slice(MARK.length) : null,
      );
      compiled = { query, names };
      this.compiled.set(db, compiled);
      if (!statementNames.has(query.sql))
        statementNames.set(query.sql, `acquaint_${statementNames.size + 1}`);
    }
    return compiled;
  }
}
