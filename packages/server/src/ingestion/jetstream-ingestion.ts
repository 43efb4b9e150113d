import { randomBytes, randomUUID } from 'node:crypto';
import type { AcquaintConfig } from '../config.js';
import { isDatabaseUnavailable } from '../storage/database-unavailable.js';
import { findReceivedMessageIds } from '../storage/event-repository.js';
import {
  type FailedQueueMessage,
  findFailedQueueMessage,
  forgetFailedQueueMessage,
  listFailedQueueMessages,
  listPartitions,
  markFailedQueueMessage,
  readStreamKey,
} from '../storage/ingestion-partition-repository.js';
import type { Store } from '../storage/store.js';
import {
  applyMessages,
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
import { JetStreamApplier, RENEW_MS } from './jetstream-applier.js';
import { decodeEntry, JetStreamQueue, partitionOf } from './jetstream-queue.js';
import type { NormalizedMessage } from './normalize-message.js';

/** How often the backlog is read from the stream, and the applied positions of other processes from the database. */
const BACKLOG_POLL_MS = 1_000;
const APPLIED_POLL_MS = 50;

/**
 * Ingestion for PostgreSQL fleets through NATS JetStream (`ACQUAINT_QUEUE`): a request's messages
 * are validated, split by partition (project and device), published, and answered once JetStream
 * has stored them; the applier (`jetstream-applier.ts`) of whichever process holds a partition
 * applies it into PostgreSQL in large transactions. Identity outcomes found when applying are in
 * `GET /api/ingestion/warnings`, as with the SQLite log.
 */
export class JetStreamIngestion implements Ingestion {
  /** Per partition: the last stream sequence this process published, and how far it is applied. */
  private readonly published = new Map<number, number>();
  private readonly applied = new Map<number, number>();
  /** Message ids published by this process and not applied yet, by partition and sequence. */
  private readonly pendingBySeq = new Map<number, { seq: number; keys: string[] }[]>();
  private readonly pending = new Set<string>();
  private readonly waiters: { targets: [number, number][]; resolve: () => void }[] = [];
  private backlog = { messages: 0, oldest: null as number | null };
  private readonly timers: NodeJS.Timeout[] = [];
  private pollingApplied = false;

  private constructor(
    private readonly store: Store,
    private readonly queue: JetStreamQueue,
    private readonly applier: JetStreamApplier,
    private readonly config: AcquaintConfig,
  ) {}

  static async start(
    store: Store,
    config: AcquaintConfig,
    onApplied: AppliedListener,
  ): Promise<JetStreamIngestion> {
    if (store.name !== 'postgres')
      throw new Error('ACQUAINT_QUEUE (NATS JetStream) needs PostgreSQL: set DATABASE_URL');
    const owner = randomUUID();
    const streamKey = await readStreamKey(store.db, randomBytes(6).toString('hex').toUpperCase());
    const queue = await JetStreamQueue.open(config.queue as string, `acquaint-${owner}`, streamKey);
    let ingestion: JetStreamIngestion | undefined;
    const applier = new JetStreamApplier(store, queue, config, owner, {
      applied: (partition, seq, messages) => {
        if (messages > 0) onApplied(messages);
        ingestion?.onApplied(partition, seq);
      },
      warning: (text) => process.emitWarning(text),
    });
    ingestion = new JetStreamIngestion(store, queue, applier, config);
    await applier.start();
    await ingestion.readBacklog();
    ingestion.timers.push(setInterval(() => void ingestion.readBacklog(), BACKLOG_POLL_MS).unref());
    return ingestion;
  }

  async ingest({ project, messages, options }: TrackingRequest): Promise<IngestResult> {
    // Messages without a messageId get `<request id>-<index>`, so a redelivery is named alike.
    const normalizeOptions = { ...normalizeOptionsFor(project, options), generatedIdPrefix: randomUUID() };
    const { valid, rejected, warnings } = validateMessages(messages, normalizeOptions);
    if (valid.length === 0) return { accepted: 0, duplicates: 0, rejected, warnings };
    const received = await findReceivedMessageIds(
      this.store.db,
      project.id,
      valid.map((m) => m.messageId),
    );
    const byPartition = new Map<number, NormalizedMessage[]>();
    const keys = new Set<string>();
    let duplicates = 0;
    for (const message of valid) {
      const key = pendingKey(project.id, message.messageId);
      if (received.has(message.messageId) || this.pending.has(key) || keys.has(key)) {
        warnings.push(duplicateWarning(message));
        duplicates += 1;
        continue;
      }
      keys.add(key);
      const partition = partitionOf(project.id, message);
      const list = byPartition.get(partition) ?? [];
      if (list.length === 0) byPartition.set(partition, list);
      list.push(message);
    }
    // Encoded first: a request the queue cannot take whole is refused before any of it is queued.
    const encoded = [...byPartition].map(([partition, list]) => ({
      partition,
      list,
      payloads: this.queue.encode(list),
    }));
    const outcomes = await Promise.allSettled(
      encoded.map(async ({ partition, list, payloads }) => {
        const seq = await this.queue.publish(project.id, partition, payloads, options.receivedAt);
        this.published.set(partition, Math.max(seq, this.published.get(partition) ?? 0));
        const ids = list.map((m) => pendingKey(project.id, m.messageId));
        for (const id of ids) this.pending.add(id);
        const waiting = this.pendingBySeq.get(partition) ?? [];
        if (waiting.length === 0) this.pendingBySeq.set(partition, waiting);
        waiting.push({ seq, keys: ids });
      }),
    );
    const refused = outcomes.find((o) => o.status === 'rejected');
    if (refused) throw refused.reason;
    warnings.sort((a, b) => a.index - b.index);
    return { accepted: keys.size, duplicates, rejected, warnings };
  }

  settled(): Promise<boolean> {
    const targets = [...this.published].filter(
      ([partition, seq]) => (this.applied.get(partition) ?? 0) < seq,
    );
    if (targets.length === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const at = this.waiters.findIndex((w) => w.resolve === done);
        if (at >= 0) this.waiters.splice(at, 1);
        resolve(false);
      }, this.config.ingestionWaitMs);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waiters.push({ targets, resolve: done });
      void this.pollApplied();
    });
  }

  status(): IngestionStatus {
    const { messages, oldest } = this.backlog;
    return {
      mode: 'jetstream',
      backlog: messages,
      // A stream message holds one partition's share of a request: at least one tracking message.
      backlog_messages: messages,
      backlog_age_seconds: oldest === null ? 0 : Math.max(0, (Date.now() - oldest) / 1000),
      applier_alive: this.queue.isConnected && Date.now() - this.applier.lastRenewed < 3 * RENEW_MS,
    };
  }

  async listFailed(projectId: string, afterId: number, limit: number): Promise<FailedEntry[]> {
    const rows = await listFailedQueueMessages(this.store.db, projectId, afterId, limit);
    return rows.map((row) => {
      const messages = readFailedPayload(row);
      return {
        id: row.id,
        received_at: new Date(row.received_at).toISOString(),
        error: row.error,
        message_type: null,
        messages: messages?.length ?? null,
        message_ids: (messages ?? []).slice(0, 20).map((m) => m.messageId),
        bytes: Buffer.byteLength(row.payload),
      };
    });
  }

  /**
   * strategy: a set-aside stream message was passed by its partition, so it is applied on its own,
   * out of order, in one transaction that also forgets it; messages applied meanwhile under the
   * same ids are skipped by the message-id claim, and last-writer-wins keeps attributes as in order.
   */
  async replayFailed(projectId: string, id: number): Promise<ReplayOutcome> {
    const row = await findFailedQueueMessage(this.store.db, projectId, id);
    if (row === undefined)
      return { ok: false, code: 'NOT_FOUND', message: `no set-aside ingestion entry ${id} in this project` };
    try {
      const applied = await this.store.transaction(async (tx) => {
        const messages = decodeEntry(Buffer.from(row.payload));
        await forgetFailedQueueMessage(tx, id);
        return messages.length === 0
          ? 0
          : (await applyMessages(tx, projectId, messages, this.config)).accepted;
      });
      return { ok: true, applied };
    } catch (error) {
      if (isDatabaseUnavailable(error)) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      await markFailedQueueMessage(this.store.db, id, reason);
      return { ok: false, code: 'REPLAY_FAILED', message: `entry ${id} failed again: ${reason}` };
    }
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.applier.stop();
    await this.queue.close();
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }

  private onApplied(partition: number, seq: number): void {
    if ((this.applied.get(partition) ?? 0) >= seq) return;
    this.applied.set(partition, seq);
    const waiting = this.pendingBySeq.get(partition);
    while (waiting && waiting.length > 0 && waiting[0].seq <= seq)
      for (const key of waiting.shift()?.keys ?? []) this.pending.delete(key);
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].targets.every(([p, target]) => (this.applied.get(p) ?? 0) >= target))
        this.waiters.splice(i, 1)[0].resolve();
    }
  }

  /** While requests wait, reads how far the partitions other processes hold are applied. */
  private async pollApplied(): Promise<void> {
    if (this.pollingApplied) return;
    this.pollingApplied = true;
    try {
      while (this.waiters.length > 0) {
        try {
          for (const row of await listPartitions(this.store.db))
            if (row.stream === this.queue.streamId) this.onApplied(row.partition, row.applied_seq);
        } catch {
          // the database is away: the waiters time out
        }
        await new Promise((resolve) => setTimeout(resolve, APPLIED_POLL_MS));
      }
    } finally {
      this.pollingApplied = false;
    }
  }

  private async readBacklog(): Promise<void> {
    try {
      this.backlog = await this.queue.backlog();
    } catch {
      // NATS is away: the last figures stand, and the applier reads as not alive
    }
  }
}

const pendingKey = (projectId: string, messageId: string) => `${projectId}\u0000${messageId}`;

function readFailedPayload(row: FailedQueueMessage): NormalizedMessage[] | null {
  try {
    return decodeEntry(Buffer.from(row.payload));
  } catch {
    return null;
  }
}
