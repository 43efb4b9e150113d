import { sql } from 'kysely';
import { chunked } from './chunked.js';
import { HOLDER_SHARDS } from './event-rollup-migration.js';
import type { StoreTx } from './store.js';

/**
 * Holder-count changes a writer adds itself, set-based (see attribute-holders-migration.ts): per
 * attribute name and shard, the persons that came to hold a value minus those that stopped.
 */
export class HolderCounts {
  private readonly deltas = new Map<string, Map<number, number>>();

  /** A value of `name` written for `personId`: `held` before, `holds` after. */
  change(personId: number, name: string, held: boolean, holds: boolean): void {
    if (held === holds) return;
    let shards = this.deltas.get(name);
    if (!shards) {
      shards = new Map();
      this.deltas.set(name, shards);
    }
    const shard = personId % HOLDER_SHARDS;
    shards.set(shard, (shards.get(shard) ?? 0) + (holds ? 1 : -1));
  }

  /** The rows to add, in key order (so concurrent writers take the counter rows in one order). */
  rows(projectId: string): { project_id: string; name: string; shard: number; holders: number }[] {
    const rows = [];
    for (const name of [...this.deltas.keys()].sort()) {
      const shards = this.deltas.get(name) as Map<number, number>;
      for (const shard of [...shards.keys()].sort((a, b) => a - b)) {
        const holders = shards.get(shard) as number;
        if (holders !== 0) rows.push({ project_id: projectId, name, shard, holders });
      }
    }
    return rows;
  }
}

/**
 * Runs `write` with the row triggers that count holders paused, when the backend has them
 * pausable (SQLite; see attribute-holders-migration.ts), then adds the counts `write` answers.
 * On PostgreSQL `write` gets no counts to keep (its statement triggers count set-based). The writer
 * must know exactly what each value replaced: SQLite's one writer reads it in its transaction.
 */
export async function withHolderCounts<T>(
  tx: StoreTx,
  projectId: string,
  write: (counts: HolderCounts | null) => Promise<T>,
): Promise<T> {
  if (tx.capabilities.concurrentWriters) return write(null);
  const counts = new HolderCounts();
  await sql`insert into attribute_holders_paused (paused) values (1)`.execute(tx.db);
  let result: T;
  try {
    result = await write(counts);
  } finally {
    await sql`delete from attribute_holders_paused`.execute(tx.db);
  }
  for (const rows of chunked(counts.rows(projectId), 500)) {
    await tx.db
      .insertInto('attribute_holders')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['project_id', 'name', 'shard']).doUpdateSet((eb) => ({
          holders: eb('attribute_holders.holders', '+', eb.ref('excluded.holders')),
        })),
      )
      .execute();
  }
  return result;
}
