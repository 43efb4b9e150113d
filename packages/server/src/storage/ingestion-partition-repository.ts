import type { Db, StoreTx } from './store.js';

export interface PartitionRow {
  partition: number;
  stream: string;
  applied_seq: number;
  owner: string | null;
  lease_until: number;
}

/** The key naming this database's stream, chosen by the first process to ask. */
export async function readStreamKey(db: Db, proposed: string): Promise<string> {
  await db
    .insertInto('ingestion_queue')
    .values({ id: 1, stream_key: proposed })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const row = await db
    .selectFrom('ingestion_queue')
    .select('stream_key')
    .where('id', '=', 1)
    .executeTakeFirstOrThrow();
  return row.stream_key;
}

/** Makes sure a row exists for each of `count` partitions (several processes may race to). */
export async function ensurePartitions(db: Db, count: number): Promise<void> {
  const rows = Array.from({ length: count }, (_, partition) => ({
    partition,
    stream: '',
    applied_seq: 0,
    owner: null,
    lease_until: 0,
  }));
  await db
    .insertInto('ingestion_partitions')
    .values(rows)
    .onConflict((oc) => oc.column('partition').doNothing())
    .execute();
}

export async function listPartitions(db: Db): Promise<PartitionRow[]> {
  const rows = await db.selectFrom('ingestion_partitions').selectAll().orderBy('partition').execute();
  return rows.map((row) => ({
    ...row,
    applied_seq: Number(row.applied_seq),
    lease_until: Number(row.lease_until),
  }));
}

/**
 * Says that `owner` applies partitions until `until`, and returns how many processes do (itself
 * included); processes gone for a minute are forgotten.
 */
export async function announceApplier(db: Db, owner: string, now: number, until: number): Promise<number> {
  await db
    .insertInto('ingestion_appliers')
    .values({ owner, seen_until: until })
    .onConflict((oc) => oc.column('owner').doUpdateSet({ seen_until: until }))
    .execute();
  await db
    .deleteFrom('ingestion_appliers')
    .where('seen_until', '<', now - 60_000)
    .execute();
  const row = await db
    .selectFrom('ingestion_appliers')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('seen_until', '>=', now)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function withdrawApplier(db: Db, owner: string): Promise<void> {
  await db.deleteFrom('ingestion_appliers').where('owner', '=', owner).execute();
  await db
    .updateTable('ingestion_partitions')
    .set({ owner: null, lease_until: 0 })
    .where('owner', '=', owner)
    .execute();
}

/** Takes a partition whose lease is free or expired; false when another process holds it. */
export async function claimPartition(db: Db, partition: number, owner: string, now: number, leaseMs: number) {
  const result = await db
    .updateTable('ingestion_partitions')
    .set({ owner, lease_until: now + leaseMs })
    .where('partition', '=', partition)
    .where((eb) => eb.or([eb('owner', 'is', null), eb('owner', '=', owner), eb('lease_until', '<', now)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Extends the leases `owner` still holds; returns the partitions it holds. */
export async function renewPartitions(
  db: Db,
  owner: string,
  now: number,
  leaseMs: number,
): Promise<number[]> {
  const rows = await db
    .updateTable('ingestion_partitions')
    .set({ lease_until: now + leaseMs })
    .where('owner', '=', owner)
    .where('lease_until', '>=', now)
    .returning('partition')
    .execute();
  return rows.map((row) => row.partition);
}

export async function releasePartition(db: Db, partition: number, owner: string): Promise<void> {
  await db
    .updateTable('ingestion_partitions')
    .set({ owner: null, lease_until: 0 })
    .where('partition', '=', partition)
    .where('owner', '=', owner)
    .execute();
}

/**
 * Locks a partition's row for the rest of the transaction and reads it: the applier checks that it
 * still holds the lease, and where the partition is applied to, before applying more.
 */
export async function lockPartition(tx: StoreTx, partition: number): Promise<PartitionRow> {
  const row = await tx.db
    .selectFrom('ingestion_partitions')
    .selectAll()
    .where('partition', '=', partition)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return { ...row, applied_seq: Number(row.applied_seq), lease_until: Number(row.lease_until) };
}

/** Moves a partition's cursor, in the transaction that applied its messages up to `seq`. */
export async function writePartitionSeq(tx: StoreTx, partition: number, stream: string, seq: number) {
  await tx.db
    .updateTable('ingestion_partitions')
    .set({ stream, applied_seq: seq })
    .where('partition', '=', partition)
    .execute();
}

export interface FailedQueueMessage {
  id: number;
  project_id: string;
  partition: number;
  stream_seq: number;
  received_at: number;
  error: string;
  payload: string;
}

export async function recordFailedQueueMessage(
  tx: StoreTx,
  row: Omit<FailedQueueMessage, 'id'>,
): Promise<void> {
  await tx.db.insertInto('ingestion_failed').values(row).execute();
}

export async function listFailedQueueMessages(
  db: Db,
  projectId: string,
  afterId: number,
  limit: number,
): Promise<FailedQueueMessage[]> {
  const rows = await db
    .selectFrom('ingestion_failed')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(readFailed);
}

export async function findFailedQueueMessage(
  db: Db,
  projectId: string,
  id: number,
): Promise<FailedQueueMessage | undefined> {
  const row = await db
    .selectFrom('ingestion_failed')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && readFailed(row);
}

export async function forgetFailedQueueMessage(tx: StoreTx, id: number): Promise<void> {
  await tx.db.deleteFrom('ingestion_failed').where('id', '=', id).execute();
}

export async function markFailedQueueMessage(db: Db, id: number, error: string): Promise<void> {
  await db.updateTable('ingestion_failed').set({ error }).where('id', '=', id).execute();
}

function readFailed(row: FailedQueueMessage): FailedQueueMessage {
  return { ...row, stream_seq: Number(row.stream_seq), received_at: Number(row.received_at) };
}
