import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { Kysely, sql } from 'kysely';
import pg from 'pg';
import { chunked } from './chunked.js';
import { OwnSchemaPostgresDialect } from './postgres-introspector.js';
import { listenForNotifications } from './postgres-listener.js';
import { postgresProfileWriter } from './postgres-profile-writer.js';
import { statementNameOf } from './prepared-query.js';
import { untyped, writeRowsInStatements } from './row-writes.js';
import type { Database } from './schema.js';
import { type StorageBackend, TransactionConflict } from './storage-backend.js';

// Times are stored as bigint milliseconds; they fit a JS number exactly.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** Error codes after which a transaction is simply run again: serialization, deadlock, unique race. */
const RETRYABLE_CODES = new Set(['40001', '40P01', '23505']);
const MAX_ATTEMPTS = 12;
/** Most per-id advisory locks one transaction takes; past it the scope is locked whole. */
const MAX_KEY_LOCKS = 256;

/**
 * The production backend: PostgreSQL through `pg`, several server processes on one database.
 * Transactions run at READ COMMITTED; identity writes take advisory locks on the ids they touch and
 * row locks on the persons, and a transaction that loses a race is retried whole.
 */
/** `application_name` of the connection that LISTENs (so operators and tests can find it). */
export const LISTENER_NAME = 'acquaint-listener';

export function openPostgresBackend(
  connectionString: string,
  options: {
    schema?: string;
    /** Told of a connection lost outside a query (default: a line on stderr). */
    onConnectionError?: (error: Error) => void;
  } = {},
): StorageBackend {
  // JIT compilation off: Acquaint's queries are short index reads, or aggregates whose plan cost
  // crosses the JIT threshold without gaining from it (the 1M report spent 1.9 s compiling).
  const settings = ['-c jit=off', ...(options.schema ? [`-c search_path=${options.schema}`] : [])];
  const connection = { connectionString, options: settings.join(' ') };
  const pool = new pg.Pool({ ...connection, max: 10 });
  // A connection PostgreSQL ends (a restart, a failover, a pooler's idle timeout) emits `error`
  // on its client, and on the pool while idle; with no listener Node ends the process. The pool
  // drops such a client and opens a new one for the next query.
  const onError = options.onConnectionError ?? reportConnectionError;
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  // The raw client of the running transaction (the first connection it takes), for COPY: the
  // query builder cannot stream rows into `COPY … FROM STDIN`.
  const transactionClient = new AsyncLocalStorage<{ client?: pg.PoolClient }>();
  const connect = async () => {
    const client = await pool.connect();
    nameHotStatements(client);
    const running = transactionClient.getStore();
    if (running && !running.client) running.client = client;
    return client;
  };
  const db = new Kysely<Database>({
    dialect: new OwnSchemaPostgresDialect({ pool: { connect, end: () => pool.end() } }),
  });

  return {
    name: 'postgres',
    capabilities: { concurrentWriters: true },
    migrationDialect: {
      name: 'postgres',
      serialType: 'bigserial',
      autoIncrement: false,
      jsonType: 'jsonb',
      withoutRowId: false,
    },
    db,
    listen: (channel, handlers) =>
      listenForNotifications({ ...connection, application_name: LISTENER_NAME }, channel, handlers),
    forUpdate: true,
    async transaction(fn) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await transactionClient.run({}, () => db.transaction().execute((trx) => fn(trx)));
        } catch (error) {
          if (attempt >= MAX_ATTEMPTS || !isRetryable(error)) throw error;
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
        }
      }
    },
    async lockKeys(trx, keys) {
      if (keys.length === 0) return;
      // PostgreSQL's lock table is shared and small (max_locks_per_transaction × connections), so
      // a transaction naming many ids locks their whole scope (project) exclusively instead;
      // everyone else holds the scope in shared mode next to their per-id locks.
      const scopes = [...new Set(keys.map(lockScope))].map(advisoryKey).sort();
      const distinct = new Set(keys);
      // Past the limit no per-id lock is taken: the ids are not even hashed (an import names 10,000).
      const wide = distinct.size > MAX_KEY_LOCKS;
      const hashes = wide ? [] : [...new Set([...distinct].map(advisoryKey))].sort();
      await sql`select case when ${wide} then pg_advisory_xact_lock(k) else pg_advisory_xact_lock_shared(k) end
        from unnest(${scopes}::bigint[]) with ordinality as t(k, n) order by n`.execute(trx);
      if (wide) return;
      await sql`select pg_advisory_xact_lock(k) from unnest(${hashes}::bigint[]) with ordinality as t(k, n) order by n`.execute(
        trx,
      );
    },
    writeRows: writeRowsInStatements,
    async insertNewRows(trx, table, rows, key, returned) {
      const inserted = new Set<string>();
      for (const chunk of chunked(rows, 5000)) {
        const found = await untyped(trx)
          .insertInto(table)
          .values(chunk as never)
          .onConflict((oc) => oc.columns(key as never).doNothing())
          .returning(returned as never)
          .execute();
        for (const row of found) inserted.add(String((row as Record<string, unknown>)[returned]));
      }
      return inserted;
    },
    async allocatePersonIds(trx, count) {
      if (count === 0) return [];
      const { rows } = await sql<{
        id: number;
      }>`select nextval(pg_get_serial_sequence('persons', 'id')) as id from generate_series(1, ${count})`.execute(
        trx,
      );
      return rows.map((r) => Number(r.id));
    },
    async migrationTableSchema() {
      const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
      return rows[0].schema;
    },
    profileWriter: (trx) => postgresProfileWriter(trx, transactionClient.getStore()?.client),
    async integrityCheck() {
      await sql`select 1`.execute(db);
      return 'ok';
    },
    async close() {
      await db.destroy();
    },
  };
}

const named = new WeakSet<pg.PoolClient>();

/**
 * Runs the prepared queries' SQL (decide's hot reads) as named statements on this connection:
 * PostgreSQL parses and plans each once per connection, and later runs send only its values.
 * Their result types never change with the schema (JSON aggregates and fixed columns), so a
 * cached statement stays valid. Other SQL goes through unchanged.
 */
function nameHotStatements(client: pg.PoolClient): void {
  if (named.has(client)) return;
  named.add(client);
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((...args: unknown[]) => {
    const [text, values] = args;
    const name = args.length === 2 && typeof text === 'string' ? statementNameOf(text) : undefined;
    return name ? query({ name, text, values }) : query(...args);
  }) as typeof client.query;
}

function reportConnectionError(error: Error): void {
  process.stderr.write(`PostgreSQL connection lost: ${error.message}\n`);
}

function isRetryable(error: unknown): boolean {
  if (error instanceof TransactionConflict) return true;
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && RETRYABLE_CODES.has(code);
}

/** The scope of a lock key: the part before its first NUL (the project), or the whole key. */
function lockScope(key: string): string {
  const end = key.indexOf('\u0000');
  return `scope\u0000${end === -1 ? key : key.slice(0, end)}`;
}

/** A stable signed 64-bit lock key for a string; collisions only make two unrelated ids wait. */
function advisoryKey(key: string): string {
  const digest = createHash('sha1').update(key).digest();
  return digest.readBigInt64BE(0).toString();
}
