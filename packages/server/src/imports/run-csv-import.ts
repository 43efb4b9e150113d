import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ImportJobRow } from '../storage/import-job-repository.js';
import { countJobChunks, findImportJob, updateImportJob } from '../storage/import-job-repository.js';
import type { Store } from '../storage/store.js';
import { attributeWritesBuffer } from './apply-profile-rows.js';
import type { ImportColumn } from './column-types.js';
import { UNDECODABLE } from './csv-text-decoder.js';
import { checkRow, checkRows, columnsFor, commitChunk, emptyChunk, type RawRow } from './import-chunk.js';
import { boundHeapGrowth, IMPORT_HEAP_GROWING_PERCENT } from './import-heap-growth.js';
import type { ImportIssue, ImportRefusalCode } from './import-issue.js';
import { checkProfileFields, type ProfileFields } from './profile-fields.js';
import { type CsvProblemCode, readCsvRecords } from './read-csv-records.js';
import { SeenUserIds } from './seen-user-ids.js';

export interface CsvImportOptions {
  encoding?: string;
  delimiter?: string;
  /** Most columns a file may have (the identifier included). */
  maxFields: number;
  /** Rows per transaction; the first chunk is also the sample new columns' types are inferred from. */
  chunkRows: number;
  /** How often a running job writes its heartbeat (a job whose heartbeat stops reads as interrupted). */
  heartbeatMs: number;
  /**
   * Rows after which the import loads without the typed-value indexes (see `deferTypedIndexes`),
   * once it has also written as many rows as the database held persons when it started; default
   * `DEFER_INDEXES_AFTER_ROWS`.
   */
  deferIndexesAfterRows?: number;
  /** V8's heap growth while the import runs (see `boundHeapGrowth`); default `IMPORT_HEAP_GROWING_PERCENT`. */
  heapGrowingPercent?: number;
}

/**
 * A smaller import keeps the indexes: their upkeep is cheap while they fit the page cache, and the
 * build at the end costs in proportion to the whole table, not to the import.
 */
export const DEFER_INDEXES_AFTER_ROWS = 100_000;

type FailureCode = ImportRefusalCode | CsvProblemCode | 'IMPORT_INTERRUPTED';

/**
 * Runs a CSV import job over a byte stream, to the end of the stream; answers the job as it ends.
 * strategy: read the header (first column = user identifier, the others attribute names); on a
 * resumed job, check it is the same header and skip the rows already committed (noting their user
 * ids, for duplicate reports). Gather rows into chunks; check each (types of new columns are
 * inferred from the first chunk) and commit it with the job's counters in one transaction, so a
 * crash leaves the job with an exact count of rows written. A file-level problem (not CSV, bad
 * header, broken quoting or encoding) fails the job after the rows before it are committed; a
 * stream that breaks off leaves it interrupted and resumable.
 */
export async function runCsvImport(
  store: Store,
  job: ImportJobRow,
  input: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: CsvImportOptions,
): Promise<ImportJobRow> {
  const startedAt = job.started_at ?? Date.now();
  const skip = Number(job.rows_done);
  const ref = { id: job.id, projectId: job.project_id, dryRun: job.dry_run === 1, at: startedAt };
  await updateImportJob(store.db, job.id, {
    status: 'running',
    started_at: startedAt,
    heartbeat_at: Date.now(),
    finished_at: null,
    error_code: null,
    error_message: null,
  });
  const heartbeat = setInterval(() => {
    void updateImportJob(store.db, job.id, { heartbeat_at: Date.now() }).catch(() => {});
  }, options.heartbeatMs);
  heartbeat.unref();
  // Memory: collect the chunks' promoted garbage sooner while the import runs (see the module).
  const releaseHeapGrowth = boundHeapGrowth(options.heapGrowingPercent ?? IMPORT_HEAP_GROWING_PERCENT);

  let fields: ProfileFields | null = null;
  let columns: ImportColumn[] | null = null;
  const seen = new SeenUserIds();
  const writes = attributeWritesBuffer();
  let recordIndex = 0;
  // Rows of the first chunk wait whole (new columns' types are inferred from them); later rows are
  // checked as they arrive, so their cells die young instead of living for a chunk.
  let pending: RawRow[] = [];
  let checked = emptyChunk();
  let pendingRecords = 0;
  let seq = await countJobChunks(store.db, job.id);
  let errorSeq = Number(job.error_count);
  let bytesRead = 0;
  // Bulk load (see `deferTypedIndexes`): rows this run wrote, persons stored before it.
  let rowsWritten = 0;
  let personsBefore: number | null = null;
  let deferred = false;
  let encoding = job.encoding ?? 'utf-8';
  let detected = options.encoding === undefined;
  // Rows refused for their bytes while the first chunk waits to be checked.
  let undecodedFirst: ImportIssue[] = [];

  const restoreIndexes = async () => {
    if (!deferred) return;
    deferred = false;
    await store.restoreTypedIndexes();
  };
  const flush = async () => {
    if (pendingRecords === 0 || fields === null) return;
    if (columns === null) {
      columns = await columnsFor(store.db, job.project_id, fields, pending);
      checked = checkRows(pending, fields, columns, seen, true);
      checked.issues.unshift(...undecodedFirst);
      checked.failed += undecodedFirst.length;
      pending = [];
      undecodedFirst = [];
    }
    seq += 1;
    if (!ref.dryRun && !deferred) {
      personsBefore ??= await storedPersons(store);
      if (rowsWritten >= Math.max(options.deferIndexesAfterRows ?? DEFER_INDEXES_AFTER_ROWS, personsBefore)) {
        deferred = await store.deferTypedIndexes();
      }
    }
    rowsWritten += pendingRecords;
    await commitChunk(
      store,
      ref,
      {
        ...checked,
        rows: pendingRecords,
        firstRow: recordIndex - pendingRecords + 2,
        lastRow: recordIndex + 1,
        seq,
        errorSeq,
      },
      columns,
      bytesRead,
      writes,
    );
    errorSeq += checked.issues.length;
    checked = emptyChunk();
    pendingRecords = 0;
    // Rows that arrived together (the encoding is decided on up to 1 MiB) are committed chunk by
    // chunk: let other requests (job status, tracking, /health) in between chunks.
    await nextTurn();
  };
  const finish = async (
    status: 'completed' | 'failed' | 'interrupted',
    code?: FailureCode,
    message?: string,
  ) => {
    clearInterval(heartbeat);
    releaseHeapGrowth();
    await restoreIndexes();
    await updateImportJob(store.db, job.id, {
      status,
      finished_at: Date.now(),
      error_code: code ?? null,
      error_message: message ?? null,
    });
    return (await findImportJob(store.db, job.project_id, job.id)) as ImportJobRow;
  };

  try {
    for await (const event of readCsvRecords(input, { ...options, maxCells: options.maxFields })) {
      if (event.kind === 'dialect') {
        ({ encoding, detected } = event);
        await updateImportJob(store.db, job.id, { encoding: event.encoding, delimiter: event.delimiter });
        continue;
      }
      if (event.kind === 'problem') {
        await flush();
        return finish('failed', event.code, `after row ${recordIndex + 1}: ${event.message}`);
      }
      bytesRead = event.bytesRead;
      for (const cells of event.records) {
        if (fields === null) {
          if (cells.some((c) => c.includes(UNDECODABLE))) {
            return finish(
              'failed',
              'INVALID_ENCODING',
              `row 1 (the header): ${undecodableMessage(encoding, detected)}`,
            );
          }
          const header = cells.map((c) => c.trim());
          const checked = checkProfileFields(header, 'first', options.maxFields);
          if (!checked.ok) return finish('failed', checked.code, `row 1 (the header): ${checked.message}`);
          if (skip > 0 && job.columns !== JSON.stringify(header)) {
            return finish(
              'failed',
              'HEADER_MISMATCH',
              'row 1 (the header): the file does not have the header of the file this job started with',
            );
          }
          fields = checked.fields;
          await updateImportJob(store.db, job.id, { columns: JSON.stringify(header) });
          continue;
        }
        recordIndex += 1;
        if (recordIndex <= skip) {
          const id = cells[0]?.trim();
          if (id) seen.add(id);
          continue;
        }
        pendingRecords += 1;
        if (cells.some((c) => c.includes(UNDECODABLE))) {
          const issue = undecodableRow(recordIndex + 1, encoding, detected);
          if (columns === null) undecodedFirst.push(issue);
          else {
            checked.issues.push(issue);
            checked.failed += 1;
          }
        } else if (!(cells.length === 1 && cells[0].trim() === '')) {
          if (columns === null) pending.push({ row: recordIndex + 1, cells });
          else checkRow(checked, recordIndex + 1, cells, fields, columns, seen, true);
        }
        if (pendingRecords >= options.chunkRows) await flush();
      }
    }
    await flush();
  } catch (error) {
    return finish(
      'interrupted',
      'IMPORT_INTERRUPTED',
      `the upload stopped after row ${recordIndex - pendingRecords + 1} (${(error as Error).message}); the rows counted in progress.rows are written: upload the same file again to resume`,
    );
  }
  if (fields === null) return finish('failed', 'EMPTY_FILE', 'the file is empty: it has no header row');
  const done = (await findImportJob(store.db, job.project_id, job.id)) as ImportJobRow;
  if (Number(done.rows_received) === 0) {
    return finish('failed', 'NO_ROWS', 'the file has a header but no data rows');
  }
  return finish('completed');
}

/** Persons in the database (every project), from the largest id: what the indexes' rebuild reads. */
async function storedPersons(store: Store): Promise<number> {
  const row = await store.db
    .selectFrom('persons')
    .select((eb) => eb.fn.max('id').as('last'))
    .executeTakeFirst();
  return Number(row?.last ?? 0);
}

/** A row refused because some of its bytes do not read in the file's encoding. */
function undecodableRow(row: number, encoding: string, detected: boolean): ImportIssue {
  return {
    row,
    user_id: null,
    field: null,
    code: 'INVALID_ENCODING',
    message: `row ${row}: ${undecodableMessage(encoding, detected)}`,
  };
}

function undecodableMessage(encoding: string, detected: boolean): string {
  const how = detected ? 'detected' : 'named';
  return `has bytes that do not read as ${encoding} (the encoding ${how} for this file), so the row is not imported; the file may mix encodings: save it in one encoding (UTF-8), or pass the file's encoding in the \`encoding\` option (utf-8, shift_jis, windows-1252, utf-16le, utf-16be)`;
}
