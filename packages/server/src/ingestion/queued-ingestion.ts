import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AcquaintConfig } from '../config.js';
import { findReceivedMessageIds } from '../storage/event-repository.js';
import { ingestionLogFile, SqliteIngestionLog } from '../storage/sqlite-ingestion-log.js';
import type { Store } from '../storage/store.js';
import {
  duplicateWarning,
  type IngestResult,
  normalizeOptionsFor,
  validateMessages,
} from './ingest-messages.js';
import type { Ingestion, IngestionStatus, TrackingRequest } from './ingestion.js';
import type { ApplierWorkerData, FromApplier, ToApplier } from './log-applier-worker.js';

/** Longest a read waits for earlier messages to be applied before it answers with what is there. */
const SETTLE_TIMEOUT_MS = 10_000;

/**
 * Ingestion through the durable log (SQLite): a request's messages are validated, checked for
 * duplicates, appended to the log and answered; a worker thread applies the log in large
 * transactions. Identity outcomes (a shared device, the device cap) are found when applied, so they
 * are reported in `GET /api/ingestion/warnings` rather than in the answer.
 */
export class QueuedIngestion implements Ingestion {
  private appended: number;
  private applied: number;
  /** Message ids logged but not yet applied, by entry, so a retry meanwhile is still a duplicate. */
  private readonly pendingBySeq = new Map<number, string[]>();
  private readonly pending = new Set<string>();
  private readonly waiters: { seq: number; resolve: () => void }[] = [];
  private worker!: Worker;
  private closing = false;

  private constructor(
    private readonly store: Store,
    private readonly log: SqliteIngestionLog,
    private readonly workerData: ApplierWorkerData,
  ) {
    this.appended = log.lastSeq();
    this.applied = 0;
    this.startWorker();
  }

  static start(store: Store, databaseFile: string, config: AcquaintConfig): QueuedIngestion {
    const logFile = ingestionLogFile(databaseFile);
    return new QueuedIngestion(store, SqliteIngestionLog.open(logFile), { databaseFile, logFile, config });
  }

  async ingest({ project, messages, options, body, messageType }: TrackingRequest): Promise<IngestResult> {
    const normalizeOptions = normalizeOptionsFor(project, options);
    const { valid, rejected, warnings } = validateMessages(messages, normalizeOptions);
    if (valid.length === 0) return { accepted: 0, duplicates: 0, rejected, warnings };
    const received = await findReceivedMessageIds(
      this.store.db,
      project.id,
      valid.map((m) => m.messageId),
    );
    let fresh = 0;
    const keys: string[] = [];
    let duplicates = 0;
    for (const message of valid) {
      const key = `${project.id}\u0000${message.messageId}`;
      if (received.has(message.messageId) || this.pending.has(key)) {
        warnings.push(duplicateWarning(message));
        duplicates += 1;
        continue;
      }
      fresh += 1;
      keys.push(key);
      this.pending.add(key);
    }
    if (fresh > 0) {
      const seq = this.log.append({
        projectId: project.id,
        receivedAt: options.receivedAt,
        messageType,
        maxMessageBytes: normalizeOptions.maxMessageBytes,
        identitySecret: normalizeOptions.identitySecret,
        body,
      });
      this.pendingBySeq.set(seq, keys);
      this.appended = seq;
      this.worker.postMessage('appended' satisfies ToApplier);
    }
    warnings.sort((a, b) => a.index - b.index);
    return { accepted: fresh, duplicates, rejected, warnings };
  }

  settled(): Promise<void> {
    const seq = this.appended;
    if (this.applied >= seq) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, SETTLE_TIMEOUT_MS);
      this.waiters.push({
        seq,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  status(): IngestionStatus {
    return { mode: 'log', backlog: Math.max(0, this.appended - this.applied) };
  }

  async close(): Promise<void> {
    this.closing = true;
    const exited = new Promise((resolve) => this.worker.once('exit', resolve));
    this.worker.postMessage('stop' satisfies ToApplier);
    await exited;
    this.log.close();
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }

  private startWorker(): void {
    this.worker = applierWorker(this.workerData);
    this.worker.on('message', (message: FromApplier) => {
      if ('applied' in message) this.onApplied(message.applied);
      else {
        this.log.markFailed(message.failed, message.error);
        process.emitWarning(`ingestion log entry ${message.failed} could not be applied: ${message.error}`);
      }
    });
    this.worker.on('error', (error) => {
      process.emitWarning(`the ingestion log applier stopped: ${error.message}; restarting it`);
    });
    this.worker.on('exit', () => {
      if (!this.closing) setTimeout(() => this.closing || this.startWorker(), 1000).unref();
    });
  }

  private onApplied(seq: number): void {
    this.applied = seq;
    for (const [entry, keys] of this.pendingBySeq) {
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

/** The applier's worker thread; run from the TypeScript sources (tests), it loads them through tsx. */
function applierWorker(workerData: ApplierWorkerData): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./log-applier-worker.js', here), { workerData });
  const tsx = pathToFileURL(createRequire(here).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
  const entry = new URL('./log-applier-worker.ts', here).href;
  const source = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(source, { eval: true, workerData });
}
