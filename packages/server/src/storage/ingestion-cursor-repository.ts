import type { Db, StoreTx } from './store.js';

/** How far the ingestion log has been applied (0 before anything was). */
export async function readAppliedSeq(db: Db): Promise<number> {
  const row = await db
    .selectFrom('ingestion_log_cursor')
    .select('applied_seq')
    .where('id', '=', 1)
    .executeTakeFirst();
  return Number(row?.applied_seq ?? 0);
}

/** Moves the cursor, in the transaction that applied the entries up to `seq`. */
export async function writeAppliedSeq(tx: StoreTx, seq: number): Promise<void> {
  await tx.db
    .insertInto('ingestion_log_cursor')
    .values({ id: 1, applied_seq: seq })
    .onConflict((oc) => oc.column('id').doUpdateSet({ applied_seq: seq }))
    .execute();
}
