import { newId } from '../projects/keys.js';
import { insertImportJob, updateImportJob } from '../storage/import-job-repository.js';
import type { Store } from '../storage/store.js';
import { checkRows, columnsFor, commitChunk, type RawRow } from './import-chunk.js';
import type { ImportIssue, ImportRefusal } from './import-issue.js';
import { checkProfileFields } from './profile-fields.js';
import { SeenUserIds } from './seen-user-ids.js';

/** The brief's body: `{"field_name": ["user_id", ...], "values": [[...], ...]}`. */
export interface ProfileUploadBody {
  field_name: string[];
  values: unknown[];
}

export interface ProfileUploadLimits {
  /** Most users (rows of `values`) per request. */
  maxProfiles: number;
  /** Most fields (entries of `field_name`, `user_id` included) per request. */
  maxFields: number;
}

export interface ProfileUploadResult {
  job_id: string;
  received: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  duplicates: number;
  /** Refused rows; `row` is the index in `values`. */
  errors: ImportIssue[];
  /** Rows written with a remark (a user id repeated in the request: the last row wins). */
  warnings: ImportIssue[];
}

/**
 * `POST /v1/user/profiles`: upserts the rows on `user_id`, all valid rows in one transaction.
 * strategy: refuse the whole request only for what spoils every row (limits, field names); check
 * each row on its own (a bad row is reported with its index, user id, field and code, the rest
 * are written); types of new attributes are inferred from the whole request. The upload is kept
 * as a completed import job, so it shows in the import history and its users can be listed.
 */
export async function uploadProfiles(
  store: Store,
  request: { projectId: string; apiKeyId: string },
  body: ProfileUploadBody,
  limits: ProfileUploadLimits,
): Promise<{ ok: true; result: ProfileUploadResult } | ImportRefusal> {
  if (body.values.length > limits.maxProfiles) {
    return {
      ok: false,
      code: 'TOO_MANY_PROFILES',
      message: `${body.values.length} users is over the limit of ${limits.maxProfiles} users per request; split the upload`,
    };
  }
  const checked = checkProfileFields(body.field_name, 'user_id', limits.maxFields);
  if (!checked.ok) return checked;
  const { fields } = checked;
  const rows: RawRow[] = body.values.map((cells, row) => ({
    row,
    cells: Array.isArray(cells) ? cells : [cells],
  }));
  const columns = await columnsFor(store.db, request.projectId, fields, rows);
  const chunk = checkRows(rows, fields, columns, new SeenUserIds(), false);

  const now = Date.now();
  const jobId = newId('imp');
  await insertImportJob(store.db, {
    id: jobId,
    project_id: request.projectId,
    source: 'json',
    file_name: null,
    dry_run: 0,
    status: 'running',
    columns: JSON.stringify(body.field_name),
    size_bytes: null,
    api_key_id: request.apiKeyId,
    created_at: now,
    started_at: now,
    heartbeat_at: now,
  });
  const applied = await commitChunk(
    store,
    { id: jobId, projectId: request.projectId, dryRun: false, at: now },
    { ...chunk, rows: rows.length, firstRow: 0, lastRow: Math.max(0, rows.length - 1), seq: 1, errorSeq: 0 },
    columns,
    0,
  );
  await updateImportJob(store.db, jobId, { status: 'completed', finished_at: Date.now() });
  return {
    ok: true,
    result: {
      job_id: jobId,
      received: rows.length,
      created: applied.created,
      updated: applied.updated,
      unchanged: applied.unchanged,
      failed: chunk.failed,
      duplicates: chunk.duplicates,
      errors: chunk.issues.filter((i) => i.code !== 'DUPLICATE_USER_ID'),
      warnings: chunk.issues.filter((i) => i.code === 'DUPLICATE_USER_ID'),
    },
  };
}
