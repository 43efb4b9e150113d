import type { AcquaintConfig } from '../config.js';
import { isDatabaseUnavailable } from '../storage/database-unavailable.js';
import {
  announceApplier,
  claimPartition,
  ensurePartitions,
  listPartitions,
  lockPartition,
  recordFailedQueueMessage,
  releasePartition,
  renewPartitions,
  withdrawApplier,
  writePartitionSeq,
} from '../storage/ingestion-partition-repository.js';
import type { Store } from '../storage/store.js';
import { applyMessages } from './ingest-messages.js';
import {
  decodeEntry,
  type JetStreamQueue,
  PARTITIONS,
  type PartitionReader,
  type StreamEntry,
} from './jetstream-queue.js';

/** How long a partition's lease lasts, and how often its holder renews it. */
const LEASE_MS = 15_000;
export const RENEW_MS = 2_000;
/** Stream messages and bytes read for one transaction (a few thousand typical messages). */
const BATCH_MESSAGES = 2_000;
const BATCH_BYTES = 3_000_000;
/** How long an idle partition waits for its next message before looking again. */
const IDLE_WAIT_MS = 1_000;

export interface ApplierEvents {
  /** A partition is applied up to `seq`; `messages` were applied by this process just now. */
  applied(partition: number, seq: number, messages: number): void;
  warning(text: string): void;
}

/** The partition's lease went to another process: this one stops applying it. */
class LeaseLost extends Error {}

/**
 * Applies the JetStream partitions this process holds a lease on, each in order, into PostgreSQL.
 * strategy: the partitions are shared out among the live server processes through lease rows
 * (`ingestion_partitions`, renewed every 2 s, 15 s long); a process takes its fair share of the
 * free or expired ones and gives back what is over it. A partition's transaction locks its row,
 * checks the lease is still this process's, applies the stream messages past the stored sequence
 * and stores the new one — so with any number of processes, after any crash, each stream message
 * is applied exactly once and in order. Applied messages are then purged from the stream.
 */
export class JetStreamApplier {
  private readonly loops = new Map<number, PartitionLoop>();
  private timer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> = Promise.resolve();
  /** When the leases were last renewed (the applier is alive while this is recent). */
  lastRenewed = 0;

  constructor(
    private readonly store: Store,
    private readonly queue: JetStreamQueue,
    private readonly config: AcquaintConfig,
    readonly owner: string,
    private readonly events: ApplierEvents,
  ) {}

  async start(): Promise<void> {
    await ensurePartitions(this.store.db, PARTITIONS);
    await this.renew();
    this.timer = setInterval(() => {
      this.renewing = this.renewing.then(() => this.renew());
    }, RENEW_MS).unref();
  }

  /** The partitions this process applies now. */
  get held(): number[] {
    return [...this.loops.keys()];
  }

  private async renew(): Promise<void> {
    try {
      const now = Date.now();
      const db = this.store.db;
      const processes = await announceApplier(db, this.owner, now, now + LEASE_MS);
      const held = new Set(await renewPartitions(db, this.owner, now, LEASE_MS));
      for (const [partition, loop] of this.loops)
        if (!held.has(partition)) {
          this.loops.delete(partition);
          void loop.stop();
        }
      const fair = Math.ceil(PARTITIONS / Math.max(1, processes));
      for (const partition of [...held].slice(fair)) {
        await this.loops.get(partition)?.stop();
        this.loops.delete(partition);
        await releasePartition(db, partition, this.owner);
        held.delete(partition);
      }
      for (const row of await listPartitions(db)) {
        if (held.size >= fair) break;
        if (held.has(row.partition) || (row.owner !== null && row.lease_until >= now)) continue;
        if (await claimPartition(db, row.partition, this.owner, now, LEASE_MS)) held.add(row.partition);
      }
      for (const partition of held)
        if (!this.loops.has(partition)) {
          const loop = new PartitionLoop(
            partition,
            this.store,
            this.queue,
            this.config,
            this.owner,
            this.events,
          );
          this.loops.set(partition, loop);
          loop.done.then(() => this.loops.get(partition) === loop && this.loops.delete(partition));
        }
      this.lastRenewed = Date.now();
    } catch (error) {
      this.events.warning(`the JetStream applier could not renew its leases: ${(error as Error).message}`);
    }
  }

  /** Stops applying and hands the partitions back at once, so other processes take them over. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.renewing;
    await Promise.all([...this.loops.values()].map((loop) => loop.stop()));
    this.loops.clear();
    await withdrawApplier(this.store.db, this.owner).catch(() => {});
  }
}

/** Applies one partition, in order, while this process holds its lease. */
class PartitionLoop {
  private running = true;
  /** Stream messages of this partition before this sequence are applied and may be purged. */
  private purgeBefore = 0;
  readonly done: Promise<void>;

  constructor(
    private readonly partition: number,
    private readonly store: Store,
    private readonly queue: JetStreamQueue,
    private readonly config: AcquaintConfig,
    private readonly owner: string,
    private readonly events: ApplierEvents,
  ) {
    this.done = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }

  private async run(): Promise<void> {
    let reader: PartitionReader | null = null;
    let retryMs = 0;
    while (this.running) {
      try {
        if (reader === null) {
          const row = (await listPartitions(this.store.db)).find((r) => r.partition === this.partition);
          const applied = row?.stream === this.queue.streamId ? row.applied_seq : 0;
          reader = await this.queue.openReader(this.partition, applied + 1);
          this.purgeBefore = applied + 1;
          this.events.applied(this.partition, applied, 0);
        }
        // The stream's message count is the backlog: what is applied leaves it (a purge that
        // failed, NATS being away, is tried again).
        if (this.purgeBefore > 1) {
          await this.queue.purgeBefore(this.partition, this.purgeBefore);
          this.purgeBefore = 0;
        }
        const entries = await reader.next(BATCH_MESSAGES, BATCH_BYTES, IDLE_WAIT_MS);
        if (entries.length > 0) await this.apply(entries);
        retryMs = 0;
      } catch (error) {
        if (error instanceof LeaseLost) break;
        // NATS or the database failed: nothing is skipped; read again from the stored sequence.
        retryMs = Math.min(Math.max(retryMs * 2, 100), 5_000);
        this.events.warning(
          `JetStream partition ${this.partition}: will retry in ${retryMs} ms: ${(error as Error).message}`,
        );
        await reader?.close();
        reader = null;
        await new Promise((resolve) => setTimeout(resolve, retryMs));
      }
    }
    this.running = false;
    await reader?.close();
  }

  private async apply(entries: StreamEntry[]): Promise<void> {
    try {
      await this.applyThrough(entries);
    } catch (error) {
      if (error instanceof LeaseLost || isDatabaseUnavailable(error)) throw error;
      // Find the stream message that fails by applying them one at a time.
      for (const entry of entries) await this.applyAlone(entry);
    }
    entries[entries.length - 1].ack();
    this.purgeBefore = entries[entries.length - 1].seq + 1;
  }

  /** Applies one stream message; one that fails for a reason of its own is set aside with its error. */
  private async applyAlone(entry: StreamEntry): Promise<void> {
    try {
      await this.applyThrough([entry]);
    } catch (error) {
      if (error instanceof LeaseLost || isDatabaseUnavailable(error)) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      this.events.warning(
        `JetStream partition ${this.partition}, message ${entry.seq} could not be applied and was set aside: ${reason}`,
      );
      await this.applyThrough([entry], reason);
    }
  }

  /**
   * In one transaction: checks the lease, applies those of `entries` past the partition's stored
   * sequence (or, with `failure`, sets them aside with it), and stores the sequence of the last.
   */
  private async applyThrough(entries: StreamEntry[], failure?: string): Promise<number> {
    const streamId = this.queue.streamId;
    const { seq, messages } = await this.store.transaction(async (tx) => {
      const row = await lockPartition(tx, this.partition);
      if (row.owner !== this.owner || row.lease_until < Date.now()) throw new LeaseLost();
      const applied = row.stream === streamId ? row.applied_seq : 0;
      const fresh = entries.filter((entry) => entry.seq > applied);
      let messages = 0;
      for (let i = 0; i < fresh.length; ) {
        const projectId = fresh[i].projectId;
        const batch = [];
        for (; i < fresh.length && fresh[i].projectId === projectId; i++) {
          if (failure === undefined) batch.push(...decodeEntry(fresh[i].data));
          else
            await recordFailedQueueMessage(tx, {
              project_id: projectId,
              partition: this.partition,
              stream_seq: fresh[i].seq,
              received_at: fresh[i].receivedAt,
              error: failure,
              payload: Buffer.from(fresh[i].data).toString('utf8'),
            });
        }
        if (batch.length > 0) messages += (await applyMessages(tx, projectId, batch, this.config)).accepted;
      }
      const last = entries[entries.length - 1].seq;
      if (last <= applied) return { seq: applied, messages: 0 };
      await writePartitionSeq(tx, this.partition, streamId, last);
      return { seq: last, messages };
    });
    this.events.applied(this.partition, seq, messages);
    return seq;
  }
}
