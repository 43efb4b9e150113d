import type { Insertable } from 'kysely';
import { loadAttributeDefinitions } from '../storage/attribute-repository.js';
import { addChunkToJob, insertImportErrors, insertJobChunk } from '../storage/import-job-repository.js';
import type { AttributeWrites } from '../storage/profile-bulk-writer.js';
import type { ImportErrorsTable } from '../storage/schema.js';
import type { Db, Store } from '../storage/store.js';
import { applyProfileRows } from './apply-profile-rows.js';
import { type ImportColumn, resolveColumnTypes } from './column-types.js';
import type { ImportIssue } from './import-issue.js';
import type { ProfileFields } from './profile-fields.js';
import { readProfileRow, type ValidProfileRow } from './read-profile-row.js';
import type { SeenUserIds } from './seen-user-ids.js';

/** Rows of a file as read, before checking. */
export interface RawRow {
  row: number;
  cells: readonly unknown[];
}

/** A checked chunk: the rows to write and the problems found, duplicates included. */
export interface CheckedChunk {
  valid: ValidProfileRow[];
  issues: ImportIssue[];
  failed: number;
  duplicates: number;
}

/** The types of an upload's columns: existing definitions, else inferred from `sample`. */
export async function columnsFor(
  db: Db,
  projectId: string,
  fields: ProfileFields,
  sample: readonly RawRow[],
): Promise<ImportColumn[]> {
  const names = fields.attributes.map((a) => a.name);
  const definitions = await loadAttributeDefinitions(db, projectId, names);
  return resolveColumnTypes(
    fields,
    definitions,
    sample.map((r) => r.cells),
  );
}

/**
 * Checks rows; `seen` holds the user ids of earlier rows of the same upload, so a repeated id is
 * reported (and still written: the last row wins).
 */
export function checkRows(
  rows: readonly RawRow[],
  fields: ProfileFields,
  columns: readonly ImportColumn[],
  seen: SeenUserIds,
  trimIds: boolean,
): CheckedChunk {
  const chunk = emptyChunk();
  for (const { row, cells } of rows) checkRow(chunk, row, cells, fields, columns, seen, trimIds);
  return chunk;
}

export function emptyChunk(): CheckedChunk {
  return { valid: [], issues: [], failed: 0, duplicates: 0 };
}

/** Checks one row into `chunk` (see checkRows). */
export function checkRow(
  chunk: CheckedChunk,
  row: number,
  cells: readonly unknown[],
  fields: ProfileFields,
  columns: readonly ImportColumn[],
  seen: SeenUserIds,
  trimIds: boolean,
): void {
  const read = readProfileRow(cells, row, fields, columns, trimIds);
  if (!read.ok) {
    chunk.issues.push(read.issue);
    chunk.failed += 1;
    return;
  }
  const { userId } = read.row;
  if (seen.add(userId)) {
    chunk.duplicates += 1;
    chunk.issues.push({
      row,
      user_id: userId,
      field: fields.idName,
      code: 'DUPLICATE_USER_ID',
      message: `user id "${userId}" appeared in an earlier row too; this later row wins`,
    });
  }
  chunk.valid.push(read.row);
}

/**
 * Commits one checked chunk of a job in one transaction: its rows (unless a dry run), the persons
 * it wrote, its problems and the job's counters, so the job's `rows_done` always says exactly how
 * many rows of the file are in the database.
 */
export async function commitChunk(
  store: Store,
  job: { id: string; projectId: string; dryRun: boolean; at: number },
  chunk: CheckedChunk & { rows: number; firstRow: number; lastRow: number; seq: number; errorSeq: number },
  columns: readonly ImportColumn[],
  bytesRead: number,
  writes?: AttributeWrites,
): Promise<{ created: number; updated: number; unchanged: number }> {
  const errors: Insertable<ImportErrorsTable>[] = chunk.issues.map((issue, i) => ({
    job_id: job.id,
    seq: chunk.errorSeq + i + 1,
    ...issue,
  }));
  return store.transaction(async (tx) => {
    const applied =
      job.dryRun || chunk.valid.length === 0
        ? { created: 0, updated: 0, unchanged: 0, personIds: [] }
        : await applyProfileRows(tx, job.projectId, chunk.valid, columns, job.at, {
            distinctIds: chunk.duplicates === 0,
            writes,
          });
    if (applied.personIds.length > 0) {
      await insertJobChunk(tx.db, {
        jobId: job.id,
        seq: chunk.seq,
        firstRow: chunk.firstRow,
        lastRow: chunk.lastRow,
        personIds: applied.personIds,
      });
    }
    await insertImportErrors(tx.db, errors);
    await addChunkToJob(
      tx.db,
      job.id,
      {
        rows: chunk.rows,
        received: chunk.valid.length + chunk.failed,
        created: applied.created,
        updated: applied.updated,
        unchanged: applied.unchanged,
        failed: chunk.failed,
        duplicates: chunk.duplicates,
        errors: errors.length,
      },
      { bytesRead, at: Date.now() },
    );
    return applied;
  });
}
