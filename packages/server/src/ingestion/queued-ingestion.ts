import { randomUUID } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import type { AcquaintConfig } from '../config.js';
import { findReceivedMessageIds } from '../storage/event-repository.js';
import { readAppliedSeq } from '../storage/ingestion-cursor-repository.js';
import { ingestionLogFile, type LogEntry, SqliteIngestionLog } from '../storage/sqlite-ingestion-log.js';
import { startModuleWorker } from '../storage/start-module-worker.js';
import type { Store } from '../storage/store.js';
import { recordingIdentityCheck } from './identity-check.js';
import {
  duplicateWarning,
  type IngestResult,
  normalizeOptionsFor,
  validateMessages,
} from './ingest-messages.js';
import type {
  AppliedListener,
  FailedEntry,
  Ingestion,
  IngestionStatus,
  ReplayOutcome,
  TrackingRequest,
} from './ingestion.js';
import { applyEntry, isPassingFailure, readLoggedRequest } from './log-applier.js';
import type { ApplierWorkerData, FromApplier, ToApplier } from './log-applier-worker.js';

/**
 * Ingestion through the durable log (SQLite): a request's messages are validated, checked for
 * duplicates, appended to the log and answered; a worker thread applies the log in large
 * transactions. Identity outcomes (a shared device, the device cap) are found when applied, so they
 * are reported in `GET /api/ingestion/warnings` rather than in the answer.
 */
export class QueuedIngestion implements Ingestion {
  private appended: number;
  private applied: number;
  /**
   * Message ids logged but not yet applied, by entry, so a retry meanwhile is still a duplicate;
   * with when each entry was received (the age of the backlog).
   */
  private readonly pendingBySeq = new Map<number, { keys: string[]; receivedAt: number }>();
  private readonly pending = new Set<string>();
  private readonly waiters: { seq: number; resolve: () => void }[] = [];
  private worker!: Worker;
  private workerAlive = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private closing = false;

  private constructor(
    private readonly store: Store,
    private readonly log: SqliteIngestionLog,
    private readonly workerData: ApplierWorkerData,
    private readonly onAppliedMessages: AppliedListener,
  ) {
    this.appended = log.lastSeq();
    this.applied = 0;
    this.startWorker();
  }

  /**
   * The message ids of entries logged before a restart and not applied yet, so that a retry of one
   * is still answered as a duplicate.
   */
  private rememberWaiting(appliedSeq: number): void {
    for (let after = appliedSeq; ; ) {
      const entries = this.log.read(after, 10_000_000);
      if (entries.length === 0) return;
      for (const entry of entries) {
        const keys = messageIdsOf(entry).map((id) => pendingKey(entry.projectId, id));
        for (const key of keys) this.pending.add(key);
        this.pendingBySeq.set(entry.seq, { keys, receivedAt: entry.receivedAt });
      }
      after = entries[entries.length - 1].seq;
    }
  }

  static async start(
    store: Store,
    databaseFile: string,
    config: AcquaintConfig,
    onApplied: AppliedListener = () => {},
  ): Promise<QueuedIngestion> {
    const logFile = ingestionLogFile(databaseFile);
    const log = SqliteIngestionLog.open(logFile);
    // A log file lost or replaced would number its entries from 1 again, below what the database
    // has applied, and they would never be applied: numbering goes on after the cursor instead.
    const appliedSeq = await readAppliedSeq(store.db);
    log.continueAfter(appliedSeq);
    const ingestion = new QueuedIngestion(store, log, { databaseFile, logFile, config }, onApplied);
    ingestion.rememberWaiting(appliedSeq);
    return ingestion;
  }

  async ingest({ project, messages, options, body, messageType }: TrackingRequest): Promise<IngestResult> {
    // Messages without a messageId get `<request id>-<index>`, so the applier names them alike.
    const generatedIdPrefix = randomUUID();
    const liveOptions = normalizeOptionsFor(project, options);
    // The log keeps which userHashes were valid, never the secret they were checked with.
    const recorded = liveOptions.identityCheck && recordingIdentityCheck(liveOptions.identityCheck);
    const normalizeOptions = { ...liveOptions, identityCheck: recorded?.check ?? null, generatedIdPrefix };
    const { valid, rejected, warnings } = validateMessages(messages, normalizeOptions);
    if (valid.length === 0) return { accepted: 0, duplicates: 0, rejected, warnings };
    const received = await findReceivedMessageIds(
      this.store.db,
      project.id,
      valid.map((m) => m.messageId),
    );
    const keys = new Set<string>();
    let duplicates = 0;
    for (const message of valid) {
      const key = pendingKey(project.id, message.messageId);
      if (received.has(message.messageId) || this.pending.has(key) || keys.has(key)) {
        warnings.push(duplicateWarning(message));
        duplicates += 1;
      } else {
        keys.add(key);
      }
    }
    const fresh = keys.size;
    if (fresh > 0) {
      const seq = this.log.append({
        projectId: project.id,
        receivedAt: options.receivedAt,
        messageType,
        maxMessageBytes: normalizeOptions.maxMessageBytes,
        verifiedIndexes: recorded ? [...recorded.verified] : null,
        generatedIdPrefix,
        body,
      });
      // Pending only once logged: a failed append leaves a retry free to be accepted.
      for (const key of keys) this.pending.add(key);
      this.pendingBySeq.set(seq, { keys: [...keys], receivedAt: options.receivedAt });
      this.appended = seq;
      this.worker.postMessage('appended' satisfies ToApplier);
    }
    warnings.sort((a, b) => a.index - b.index);
    return { accepted: fresh, duplicates, rejected, warnings };
  }

  settled(): Promise<boolean> {
    const seq = this.appended;
    if (this.applied >= seq) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), this.workerData.config.ingestionWaitMs);
      this.waiters.push({
        seq,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      });
    });
  }

  status(): IngestionStatus {
    const oldest = this.pendingBySeq.values().next().value?.receivedAt;
    return {
      mode: 'log',
      backlog: Math.max(0, this.appended - this.applied),
      backlog_messages: this.pending.size,
      backlog_age_seconds: oldest === undefined ? 0 : Math.max(0, (Date.now() - oldest) / 1000),
      applier_alive: this.workerAlive,
    };
  }

  async listFailed(projectId: string, afterId: number, limit: number): Promise<FailedEntry[]> {
    return this.log.listFailed(projectId, afterId, limit).map((entry) => {
      let messages: unknown[] | null = null;
      try {
        messages = readLoggedRequest(entry).messages;
      } catch {
        // a body that cannot be read is why some entries were set aside
      }
      return {
        id: entry.seq,
        received_at: new Date(entry.receivedAt).toISOString(),
        error: entry.error,
        message_type: entry.messageType,
        messages: messages?.length ?? null,
        message_ids: messageIdsOf(entry).slice(0, 20),
        bytes: entry.body.length,
      };
    });
  }

  /**
   * strategy: a set-aside entry was passed by the cursor, so it is applied on its own, out of
   * order, in one transaction, validated as when it was answered; messages applied meanwhile
   * under the same ids are skipped by the message-id claim, and last-writer-wins by message time
   * keeps attributes as in order. Applied, it is forgotten; failing again, its error is updated.
   * A failure of the database itself is thrown (the answer is 503), leaving the entry set aside.
   */
  async replayFailed(projectId: string, id: number): Promise<ReplayOutcome> {
    const entry = this.log.findFailed(id);
    if (entry === undefined || entry.projectId !== projectId)
      return { ok: false, code: 'NOT_FOUND', message: `no set-aside ingestion entry ${id} in this project` };
    try {
      const config = this.workerData.config;
      const applied = await this.store.transaction((tx) => applyEntry(tx, entry, config));
      this.log.forgetFailed(id);
      this.onAppliedMessages(applied);
      return { ok: true, applied };
    } catch (error) {
      if (isPassingFailure(error)) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      this.log.markFailed(id, reason);
      return { ok: false, code: 'REPLAY_FAILED', message: `entry ${id} failed again: ${reason}` };
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.restartTimer);
    if (this.workerAlive) {
      const exited = new Promise((resolve) => this.worker.once('exit', resolve));
      this.worker.postMessage('stop' satisfies ToApplier);
      await exited;
    }
    this.log.close();
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }

  private startWorker(): void {
    this.worker = startModuleWorker(new URL('./log-applier-worker.js', import.meta.url), {
      workerData: this.workerData,
    });
    this.workerAlive = true;
    this.worker.on('message', (message: FromApplier) => {
      if ('applied' in message) {
        this.onApplied(message.applied);
        if (message.messages > 0) this.onAppliedMessages(message.messages);
      } else process.emitWarning(message.warning);
    });
    this.worker.on('error', (error) => {
      process.emitWarning(`the ingestion log applier stopped: ${error.message}; restarting it`);
    });
    this.worker.on('exit', () => {
      this.workerAlive = false;
      if (!this.closing) this.restartTimer = setTimeout(() => this.startWorker(), 1000).unref();
    });
  }

  private onApplied(seq: number): void {
    this.applied = seq;
    for (const [entry, { keys }] of this.pendingBySeq) {
      if (entry > seq) break;
      for (const key of keys) this.pending.delete(key);
      this.pendingBySeq.delete(entry);
    }
    this.log.trim(seq);
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].seq <= seq) this.waiters.splice(i, 1)[0].resolve();
    }
  }
}

const pendingKey = (projectId: string, messageId: string) => `${projectId}\u0000${messageId}`;

/** The messageIds a logged request names (those it was sent with; generated ones cannot be retried). */
function messageIdsOf(entry: LogEntry): string[] {
  try {
    return readLoggedRequest(entry)
      .messages.map((m) => (m as { messageId?: unknown } | null)?.messageId)
      .filter((id): id is string => typeof id === 'string' && id.length > 0);
  } catch {
    return []; // an entry the applier will set aside
  }
}
