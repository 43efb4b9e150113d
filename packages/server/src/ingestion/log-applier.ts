import type { AcquaintConfig } from '../config.js';
import { readAppliedSeq, writeAppliedSeq } from '../storage/ingestion-cursor-repository.js';
import type { LogEntry, SqliteIngestionLog } from '../storage/sqlite-ingestion-log.js';
import type { Store, StoreTx } from '../storage/store.js';
import { checkWithSecret, type IdentityCheck, replayIdentityCheck } from './identity-check.js';
import { applyMessages, validateMessages } from './ingest-messages.js';
import { parseJsonBody } from './json-body.js';
import type { NormalizedMessage } from './normalize-message.js';

/**
 * Request bytes applied per transaction (about 4,000 typical messages): large enough to share one
 * commit, short enough not to keep other writers waiting long.
 */
const BYTES_PER_TRANSACTION = 3_000_000;

/**
 * SQLite failures that say nothing about the entry (the database is busy, full, or failing): the
 * applier stops and tries again later rather than set an entry aside for them.
 */
const PASSING_FAILURE = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|NOMEM|CANTOPEN|READONLY|INTERRUPT|PROTOCOL)/;

export function isPassingFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && PASSING_FAILURE.test(code);
}

/**
 * Applies the ingestion log to the database, in order, a few thousand messages per transaction.
 * The cursor (how far the log is applied) is read and moved inside the same transaction as the
 * messages, so after a crash, and with more than one applier, every entry is applied exactly once.
 * An entry that fails for a reason of its own is set aside in the log with its error (`failed`)
 * before the cursor passes it, never silently dropped; a failure of the database itself is thrown,
 * to be tried again.
 */
export class LogApplier {
  private cursor: number | undefined;
  /** Messages applied since the last `takeAppliedMessages()`. */
  private appliedMessages = 0;

  constructor(
    private readonly store: Store,
    private readonly log: SqliteIngestionLog,
    private readonly config: AcquaintConfig,
  ) {}

  /** How far the log is applied. */
  async position(): Promise<number> {
    this.cursor ??= await readAppliedSeq(this.store.db);
    return this.cursor;
  }

  /** How many messages were applied since the last call. */
  takeAppliedMessages(): number {
    const count = this.appliedMessages;
    this.appliedMessages = 0;
    return count;
  }

  /**
   * Applies the next entries; returns how far the log is now applied, or null when nothing waited.
   * `onFailed` hears of each entry set aside.
   */
  async applyNext(
    onFailed: (seq: number, error: string) => void,
    maxBytes = BYTES_PER_TRANSACTION,
  ): Promise<number | null> {
    const entries = this.log.read(await this.position(), maxBytes);
    if (entries.length === 0) return null;
    try {
      this.cursor = await this.applyThrough(entries[entries.length - 1].seq, entries);
    } catch (error) {
      if (isPassingFailure(error)) throw error;
      // Find the entry that fails by applying them one at a time.
      for (const entry of entries) await this.applyAlone(entry, onFailed);
    }
    return this.cursor ?? null;
  }

  private async applyAlone(entry: LogEntry, onFailed: (seq: number, error: string) => void): Promise<void> {
    try {
      this.cursor = await this.applyThrough(entry.seq, [entry]);
    } catch (error) {
      if (isPassingFailure(error)) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      this.log.markFailed(entry.seq, reason);
      onFailed(entry.seq, reason);
      this.cursor = await this.applyThrough(entry.seq, []);
    }
  }

  /**
   * In one transaction, applies those of `entries` past the stored cursor and moves the cursor to
   * `last`; returns the cursor. Another applier may have got further first: its work stands.
   */
  private async applyThrough(last: number, entries: LogEntry[]): Promise<number> {
    const { cursor, messages } = await this.store.transaction(async (tx) => {
      const applied = await readAppliedSeq(tx.db);
      if (applied >= last) return { cursor: applied, messages: 0 };
      const messages = await applyEntries(
        tx,
        entries.filter((entry) => entry.seq > applied),
        this.config,
      );
      await writeAppliedSeq(tx, last);
      return { cursor: last, messages };
    });
    this.appliedMessages += messages;
    return cursor;
  }
}

/** The messages of a logged request and its batch's `sentAt`, read from the bytes received. */
export function readLoggedRequest(entry: LogEntry): { messages: unknown[]; sentAt: unknown } {
  const body = parseJsonBody(entry.body.toString('utf8')) as Record<string, unknown>;
  const messages = entry.messageType === null ? body.batch : [{ ...body, type: entry.messageType }];
  if (!Array.isArray(messages)) throw new Error('the logged body has no "batch" array');
  return { messages, sentAt: body.sentAt };
}

/**
 * Validates a logged request's messages again, as they were validated when it was answered (same
 * bytes, receive time, settings and generated ids, so the same messages pass under the same
 * names); returns those that passed.
 */
export function revalidateEntry(entry: LogEntry): NormalizedMessage[] {
  const { messages, sentAt } = readLoggedRequest(entry);
  return validateMessages(messages, {
    receivedAt: entry.receivedAt,
    batchSentAt: sentAt,
    maxMessageBytes: entry.maxMessageBytes,
    identityCheck: identityCheckOf(entry),
    generatedIdPrefix: entry.generatedIdPrefix,
  }).valid;
}

/**
 * Applies logged requests in order inside the caller's transaction; returns how many messages
 * were applied. Duplicates are skipped by the message-id claim, as they would have been at once.
 * strategy: consecutive entries of one project are applied as one batch (`applyMessages`), as the
 * JetStream applier does, so the work done once per batch (reading the identity graph, attribute
 * definitions and webhook subscriptions, building those queries) is shared by a few thousand
 * messages instead of each request's hundred. Messages keep their order, so the outcome is that
 * of applying the requests one after another.
 */
export async function applyEntries(
  tx: StoreTx,
  entries: LogEntry[],
  config: AcquaintConfig,
): Promise<number> {
  let applied = 0;
  for (let i = 0; i < entries.length; ) {
    const projectId = entries[i].projectId;
    const batch: NormalizedMessage[] = [];
    for (; i < entries.length && entries[i].projectId === projectId; i++) {
      for (const message of revalidateEntry(entries[i])) batch.push(message);
    }
    if (batch.length > 0) applied += (await applyMessages(tx, projectId, batch, config)).accepted;
  }
  return applied;
}

/** Applies one logged request inside the caller's transaction (see `applyEntries`). */
export function applyEntry(tx: StoreTx, entry: LogEntry, config: AcquaintConfig): Promise<number> {
  return applyEntries(tx, [entry], config);
}

/** The identity check a logged request was answered with (old entries kept the secret instead). */
function identityCheckOf(entry: LogEntry): IdentityCheck | null {
  if (entry.verifiedIndexes !== null) return replayIdentityCheck(entry.verifiedIndexes);
  return entry.legacyIdentitySecret === null ? null : checkWithSecret(entry.legacyIdentitySecret);
}
