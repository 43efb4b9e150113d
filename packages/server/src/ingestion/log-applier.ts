import type { AcquaintConfig } from '../config.js';
import type { LogEntry, SqliteIngestionLog } from '../storage/sqlite-ingestion-log.js';
import type { Store, StoreTx } from '../storage/store.js';
import { applyMessages, validateMessages } from './ingest-messages.js';
import { parseJsonBody } from './json-body.js';

/**
 * Request bytes applied per transaction (about 4,000 typical messages): large enough to share one
 * commit, short enough not to keep other writers waiting long.
 */
const BYTES_PER_TRANSACTION = 3_000_000;

/**
 * Applies the ingestion log to the database, in order, a few thousand messages per transaction.
 * The cursor (how far the log is applied) moves in the same transaction as the messages, so after
 * a crash every entry is applied exactly once. An entry that cannot be applied is set aside in the
 * log with its error (`onFailed`), never silently dropped, and the rest go on.
 */
export class LogApplier {
  private cursor: number | undefined;

  constructor(
    private readonly store: Store,
    private readonly log: SqliteIngestionLog,
    private readonly config: AcquaintConfig,
    private readonly onFailed: (seq: number, error: unknown) => void,
  ) {}

  /** How far the log is applied. */
  async position(): Promise<number> {
    this.cursor ??= await readCursor(this.store);
    return this.cursor;
  }

  /** Applies the next entries; returns the last sequence number applied, or null when none waited. */
  async applyNext(maxBytes = BYTES_PER_TRANSACTION): Promise<number | null> {
    this.cursor ??= await readCursor(this.store);
    const batches = this.log.read(this.cursor, maxBytes);
    if (batches.length === 0) return null;
    const last = batches[batches.length - 1].seq;
    try {
      await this.store.transaction(async (tx) => {
        for (const batch of batches) await applyEntry(tx, batch, this.config);
        await writeCursor(tx, last);
      });
    } catch {
      // Find the entry that fails by applying them one at a time.
      for (const batch of batches) {
        try {
          await this.store.transaction(async (tx) => {
            await applyEntry(tx, batch, this.config);
            await writeCursor(tx, batch.seq);
          });
        } catch (error) {
          this.onFailed(batch.seq, error);
          await this.store.transaction((tx) => writeCursor(tx, batch.seq));
        }
      }
    }
    this.cursor = last;
    return last;
  }
}

/**
 * Validates a logged request's messages again, as they were validated when it was answered (same
 * bytes, receive time and settings), and applies those that passed. Duplicates are skipped by the
 * message-id claim, as they would have been at once.
 */
async function applyEntry(tx: StoreTx, entry: LogEntry, config: AcquaintConfig): Promise<void> {
  const body = parseJsonBody(entry.body.toString('utf8')) as Record<string, unknown>;
  const messages =
    entry.messageType === null ? (body.batch as unknown[]) : [{ ...body, type: entry.messageType }];
  const { valid } = validateMessages(messages, {
    receivedAt: entry.receivedAt,
    batchSentAt: body.sentAt,
    maxMessageBytes: entry.maxMessageBytes,
    identitySecret: entry.identitySecret,
  });
  if (valid.length > 0) await applyMessages(tx, entry.projectId, valid, config);
}

async function readCursor(store: Store): Promise<number> {
  const row = await store.db
    .selectFrom('ingestion_log_cursor')
    .select('applied_seq')
    .where('id', '=', 1)
    .executeTakeFirst();
  return Number(row?.applied_seq ?? 0);
}

async function writeCursor(tx: StoreTx, seq: number): Promise<void> {
  await tx.db
    .insertInto('ingestion_log_cursor')
    .values({ id: 1, applied_seq: seq })
    .onConflict((oc) => oc.column('id').doUpdateSet({ applied_seq: seq }))
    .execute();
}
