import type { ImportErrorRow, ImportJobRow } from '../storage/import-job-repository.js';
import { delimiterName } from './csv-dialect.js';
import type { ImportIssue } from './import-issue.js';

/** How many problems a job's status shows inline; all of them are in its errors CSV. */
export const INLINE_ERRORS = 20;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** An import job as the API shows it: progress, counts, the first problems and where the rest are. */
export function importJobView(job: ImportJobRow, firstErrors: ImportErrorRow[]) {
  const failed = Number(job.rows_failed);
  const received = Number(job.rows_received);
  const size = job.size_bytes === null ? null : Number(job.size_bytes);
  const bytes = Number(job.bytes_read);
  const finished = job.status === 'completed';
  return {
    id: job.id,
    source: job.source,
    file_name: job.file_name,
    dry_run: job.dry_run === 1,
    status: job.status,
    encoding: job.encoding,
    delimiter: job.delimiter === null ? null : delimiterName(job.delimiter),
    columns: job.columns === null ? null : (JSON.parse(job.columns) as string[]),
    progress: {
      rows: Number(job.rows_done),
      bytes,
      size_bytes: size,
      percent: finished ? 100 : size ? Math.min(100, Math.floor((bytes / size) * 1000) / 10) : null,
    },
    counts: {
      received,
      valid: received - failed,
      created: Number(job.rows_created),
      updated: Number(job.rows_updated),
      unchanged: Number(job.rows_unchanged),
      failed,
      duplicates: Number(job.duplicates),
    },
    error: job.error_code === null ? null : { code: job.error_code, message: job.error_message },
    errors: firstErrors.slice(0, INLINE_ERRORS).map(issueOf),
    errors_total: Number(job.error_count),
    errors_csv: `/api/imports/${job.id}/errors.csv`,
    created_at: iso(job.created_at),
    started_at: iso(job.started_at),
    finished_at: iso(job.finished_at),
  };
}

export type ImportJobView = ReturnType<typeof importJobView>;

export function issueOf(row: ImportErrorRow): ImportIssue {
  return {
    row: Number(row.row),
    user_id: row.user_id,
    field: row.field,
    code: row.code as ImportIssue['code'],
    message: row.message,
  };
}
