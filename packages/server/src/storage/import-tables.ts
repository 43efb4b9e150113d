import type { Generated } from 'kysely';

// Bulk imports of user attributes: jobs, their chunks and their errors. Part of `Database` (schema.ts).

/** One bulk import of user attributes: a CSV file or one `POST /v1/user/profiles` request. */
export interface ImportJobsTable {
  id: string;
  project_id: string;
  /** `csv` (a file, run as a job) or `json` (one bulk upload request). */
  source: string;
  file_name: string | null;
  dry_run: Generated<number>;
  /** pending, running, completed, failed or interrupted. */
  status: string;
  encoding: string | null;
  delimiter: string | null;
  /** JSON list of the header's attribute names, once read. */
  columns: string | null;
  /** Size of the file as the client announced it; null when unknown. */
  size_bytes: number | null;
  /** Bytes of the file behind the rows committed so far. */
  bytes_read: Generated<number>;
  /** Data rows committed so far (applied or refused); a resumed job skips this many. */
  rows_done: Generated<number>;
  /** Rows that were not blank: created + updated + unchanged + failed (or valid + failed in a dry run). */
  rows_received: Generated<number>;
  rows_created: Generated<number>;
  rows_updated: Generated<number>;
  rows_unchanged: Generated<number>;
  rows_failed: Generated<number>;
  duplicates: Generated<number>;
  /** Problems recorded in import_errors (refused rows and duplicate warnings). */
  error_count: Generated<number>;
  /** Why the job failed, when it did. */
  error_code: string | null;
  error_message: string | null;
  api_key_id: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  /** Written while a process runs the job; a running job with an old heartbeat was interrupted. */
  heartbeat_at: number | null;
}

/** The persons one committed chunk of a job wrote ("the users of import job X"). */
export interface ImportJobChunksTable {
  job_id: string;
  seq: number;
  first_row: number;
  last_row: number;
  /** JSON list of person ids. */
  person_ids: string;
}

/** A refused row or a warning of an import job, in file order. */
export interface ImportErrorsTable {
  job_id: string;
  seq: number;
  row: number;
  user_id: string | null;
  field: string | null;
  code: string;
  message: string;
}
