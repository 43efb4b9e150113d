import { newId } from '../projects/keys.js';
import {
  findImportJob,
  type ImportJobRow,
  insertImportJob,
  interruptRunningJobs,
  listImportJobs,
  loadImportErrors,
} from '../storage/import-job-repository.js';
import type { Db, Store } from '../storage/store.js';
import { type ImportJobView, INLINE_ERRORS, importJobView } from './import-job-view.js';

/** A running job whose heartbeat is this many beats old is taken as interrupted (its process died). */
const MISSED_BEATS = 3;

export interface NewCsvJob {
  projectId: string;
  apiKeyId: string | null;
  fileName: string | null;
  sizeBytes: number | null;
  dryRun: boolean;
  /** The encoding the file will be read in (a name `namedEncoding` understands); detected when null. */
  encoding?: string | null;
}

/** Creates a CSV import job waiting for its file. */
export async function createCsvImportJob(store: Store, job: NewCsvJob): Promise<ImportJobRow> {
  const id = newId('imp');
  await insertImportJob(store.db, {
    id,
    project_id: job.projectId,
    source: 'csv',
    file_name: job.fileName,
    dry_run: job.dryRun ? 1 : 0,
    status: 'pending',
    size_bytes: job.sizeBytes,
    api_key_id: job.apiKeyId,
    encoding: job.encoding ?? null,
    created_at: Date.now(),
  });
  return (await findImportJob(store.db, job.projectId, id)) as ImportJobRow;
}

/** Whether a job can take a file now: a new job, or an interrupted one to resume. */
export function acceptsFile(job: ImportJobRow): boolean {
  return job.source === 'csv' && (job.status === 'pending' || job.status === 'interrupted');
}

/**
 * Marks the project's running jobs whose process stopped writing heartbeats as interrupted. Run
 * before jobs are shown, so a job of a crashed server never reads as running for long.
 */
export async function sweepStaleJobs(db: Db, projectId: string, heartbeatMs: number): Promise<void> {
  const now = Date.now();
  await interruptRunningJobs(db, now, now - MISSED_BEATS * heartbeatMs, projectId);
}

/** A job with its first problems, as `GET /api/imports/:id` shows it. */
export async function viewImportJob(db: Db, job: ImportJobRow): Promise<ImportJobView> {
  return importJobView(job, await loadImportErrors(db, job.id, 0, INLINE_ERRORS));
}

/**
 * A page of the project's import history, newest first (without the inline problems), and the
 * position of its last job when more follow (for the next page's cursor).
 */
export async function importHistory(
  db: Db,
  projectId: string,
  page: { limit: number; offset?: number; after?: { createdAt: number; id: string } },
): Promise<{ imports: ImportJobView[]; next: [number, string] | null }> {
  const rows = await listImportJobs(db, projectId, { ...page, limit: page.limit + 1 });
  const shown = rows.slice(0, page.limit);
  const last = shown[shown.length - 1];
  return {
    imports: shown.map((job) => importJobView(job, [])),
    next: rows.length > page.limit && last ? [last.created_at, last.id] : null,
  };
}
