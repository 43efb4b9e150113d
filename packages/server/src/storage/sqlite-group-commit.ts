import type SqliteDatabase from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';

/** Most transactions folded into one commit. */
const MAX_GROUP = 32;

interface Waiting {
  fn: (db: Kysely<Database>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for the one SQLite writer connection. A commit writes every page a transaction
 * dirtied to the WAL, and small transactions of random-key inserts dirty nearly as many pages as
 * large ones; so transactions that arrive while another is running wait, then run one after
 * another inside a single `BEGIN IMMEDIATE … COMMIT`, each in its own savepoint. A failing
 * transaction rolls back to its savepoint alone; none is answered before the group is durable.
 */
export function groupCommitTransactions(db: Kysely<Database>, connection: SqliteDatabase.Database) {
  const waiting: Waiting[] = [];
  let draining = false;

  async function runGroup(group: Waiting[]): Promise<void> {
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      await db.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          // Alone, a transaction needs no savepoint: its failure rolls back the whole (below). A
          // savepoint copies each page it first changes into the sub-journal, and an import's chunk
          // changes thousands of index pages.
          if (group.length === 1) outcomes.push({ ok: true, value: await group[0].fn(conn) });
          else
            for (const item of group) {
              await sql`savepoint member`.execute(conn);
              try {
                outcomes.push({ ok: true, value: await item.fn(conn) });
                await sql`release member`.execute(conn);
              } catch (error) {
                await sql`rollback to member`.execute(conn);
                await sql`release member`.execute(conn);
                outcomes.push({ ok: false, error });
              }
            }
          await sql`commit`.execute(conn);
        } catch (error) {
          if (connection.inTransaction) await sql`rollback`.execute(conn);
          throw error;
        }
      });
    } catch (error) {
      for (const item of group) item.reject(error);
      return;
    }
    group.forEach((item, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }

  async function drain(): Promise<void> {
    draining = true;
    try {
      while (waiting.length > 0) await runGroup(waiting.splice(0, MAX_GROUP));
    } finally {
      draining = false;
    }
  }

  return function transaction<T>(fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      waiting.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (!draining) void drain();
    });
  };
}
