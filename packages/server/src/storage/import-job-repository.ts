import type { Insertable, Selectable } from 'kysely';
import { chunked } from './chunked.js';
import { afterKey } from './keyset.js';
import type { ImportErrorsTable, ImportJobsTable } from './schema.js';
import type { Db } from './store.js';

export type ImportJobRow = Selectable<ImportJobsTable>;
export type NewImportJob = Insertable<ImportJobsTable>;
export type ImportErrorRow = Selectable<ImportErrorsTable>;

/** Counters a committed chunk adds to its job. */
export interface ChunkCounts {
  rows: number;
  received: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  duplicates: number;
  errors: number;
}

export async function insertImportJob(db: Db, job: NewImportJob): Promise<void> {
  await db.insertInto('import_jobs').values(job).execute();
}

export async function findImportJob(
  db: Db,
  projectId: string,
  jobId: string,
): Promise<ImportJobRow | undefined> {
  return db
    .selectFrom('import_jobs')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('id', '=', jobId)
    .executeTakeFirst();
}

/**
 * The project's import jobs, newest first: by `offset`, or after the `(created_at, id)` of the
 * previous page's last job (`after`, the cursor's position).
 */
export async function listImportJobs(
  db: Db,
  projectId: string,
  page: { limit: number; offset?: number; after?: { createdAt: number; id: string } },
): Promise<ImportJobRow[]> {
  let query = db.selectFrom('import_jobs').selectAll().where('project_id', '=', projectId);
  const after = page.after;
  if (after) query = query.where(afterKey('created_at', { first: after.createdAt, id: after.id }, 'desc'));
  return query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit)
    .offset(page.offset ?? 0)
    .execute();
}

export async function updateImportJob(
  db: Db,
  jobId: string,
  changes: Partial<Omit<ImportJobRow, 'id' | 'project_id'>>,
): Promise<void> {
  await db.updateTable('import_jobs').set(changes).where('id', '=', jobId).execute();
}

/** Adds a committed chunk's counts to its job, in the chunk's own transaction. */
export async function addChunkToJob(
  db: Db,
  jobId: string,
  counts: ChunkCounts,
  progress: { bytesRead: number; at: number },
): Promise<void> {
  await db
    .updateTable('import_jobs')
    .set((eb) => ({
      rows_done: eb('rows_done', '+', counts.rows),
      rows_received: eb('rows_received', '+', counts.received),
      rows_created: eb('rows_created', '+', counts.created),
      rows_updated: eb('rows_updated', '+', counts.updated),
      rows_unchanged: eb('rows_unchanged', '+', counts.unchanged),
      rows_failed: eb('rows_failed', '+', counts.failed),
      duplicates: eb('duplicates', '+', counts.duplicates),
      error_count: eb('error_count', '+', counts.errors),
      bytes_read: progress.bytesRead,
      heartbeat_at: progress.at,
    }))
    .where('id', '=', jobId)
    .execute();
}

/** Records the persons a chunk wrote, so "the users of import job X" can be listed later. */
export async function insertJobChunk(
  db: Db,
  chunk: { jobId: string; seq: number; firstRow: number; lastRow: number; personIds: number[] },
): Promise<void> {
  await db
    .insertInto('import_job_chunks')
    .values({
      job_id: chunk.jobId,
      seq: chunk.seq,
      first_row: chunk.firstRow,
      last_row: chunk.lastRow,
      person_ids: JSON.stringify(chunk.personIds),
    })
    .execute();
}

export async function countJobChunks(db: Db, jobId: string): Promise<number> {
  const row = await db
    .selectFrom('import_job_chunks')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('job_id', '=', jobId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The person ids of a job's chunks, chunk by chunk from `afterSeq`. */
export async function loadJobChunkPersons(
  db: Db,
  jobId: string,
  afterSeq: number,
  limit: number,
): Promise<{ seq: number; personIds: number[] }[]> {
  const rows = await db
    .selectFrom('import_job_chunks')
    .select(['seq', 'person_ids'])
    .where('job_id', '=', jobId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ seq: r.seq, personIds: JSON.parse(r.person_ids) as number[] }));
}

export async function insertImportErrors(db: Db, errors: Insertable<ImportErrorsTable>[]): Promise<void> {
  for (const rows of chunked(errors, 500)) await db.insertInto('import_errors').values(rows).execute();
}

/** A job's problems in file order, `limit` from after `afterSeq`. */
export async function loadImportErrors(
  db: Db,
  jobId: string,
  afterSeq: number,
  limit: number,
): Promise<ImportErrorRow[]> {
  return db
    .selectFrom('import_errors')
    .selectAll()
    .where('job_id', '=', jobId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

/**
 * Marks running jobs interrupted: all of them (`olderThan` undefined: no other process can be
 * running them), or those whose heartbeat stopped before `olderThan`.
 */
export async function interruptRunningJobs(
  db: Db,
  at: number,
  olderThan: number | undefined,
  projectId?: string,
): Promise<number> {
  let query = db
    .updateTable('import_jobs')
    .set({
      status: 'interrupted',
      error_code: 'IMPORT_INTERRUPTED',
      error_message:
        'the server stopped while this job ran; the rows counted in rows_done are written, the rest are not: upload the file again to resume',
      finished_at: at,
    })
    .where('status', '=', 'running');
  if (olderThan !== undefined) query = query.where('heartbeat_at', '<', olderThan);
  if (projectId !== undefined) query = query.where('project_id', '=', projectId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}
