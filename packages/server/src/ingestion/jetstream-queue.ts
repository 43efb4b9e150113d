import {
  AckPolicy,
  connect,
  DeliverPolicy,
  DiscardPolicy,
  Events,
  headers,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
  nanos,
  RetentionPolicy,
  StorageType,
} from 'nats';
import { RequestError } from '../errors/error-codes.js';
import { type PulledMessage, type PullOptions, pullMessages } from './jetstream-pull.js';
import type { NormalizedMessage } from './normalize-message.js';

/**
 * Partitions of the stream: each is applied in order by one server process at a time. A message
 * goes to the partition of its project and its device (or user id), so one person's messages from
 * one device keep their order; several processes apply different partitions side by side.
 */
export const PARTITIONS = 8;
/** The stream refuses messages past this size (then 429 QUEUE_FULL until appliers catch up). */
const STREAM_MAX_BYTES = 1024 ** 3;
const PUBLISH_TIMEOUT_MS = 3_000;
/** Headers and envelope kept out of the payload budget of one stream message. */
const PAYLOAD_MARGIN = 4096;
const RETRY_AFTER = { 'retry-after': '2' };
/** What a stream message's headers (project, receive time) add to its size, at most. */
const HEADER_BYTES = 256;

/** A message as it travels through the stream: normalised, its objects kept as their JSON. */
export type QueuedMessage = Omit<NormalizedMessage, 'properties' | 'context'>;

/** One stream message read back: its partition's order number and the messages of one project. */
export interface StreamEntry {
  seq: number;
  projectId: string;
  receivedAt: number;
  data: Uint8Array;
  /** Acknowledges this message and every one before it (once their transaction committed). */
  ack(): void;
}

/**
 * The partition of a message: its project and the id its order matters for (the device; for an
 * alias the id being linked; else the user id), hashed (FNV-1a).
 */
export function partitionOf(projectId: string, message: NormalizedMessage): number {
  const key =
    message.type === 'alias'
      ? message.previousId
      : (message.anonymousId ?? message.previousId ?? message.userId);
  let hash = 0x811c9dc5;
  const text = `${projectId}\u0000${key ?? ''}`;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % PARTITIONS;
}

export function decodeEntry(data: Uint8Array): NormalizedMessage[] {
  const queued = JSON.parse(Buffer.from(data).toString('utf8')) as QueuedMessage[];
  if (!Array.isArray(queued)) throw new Error('the stream message holds no array of messages');
  return queued.map((m) => ({
    ...m,
    properties: JSON.parse(m.propertiesJson),
    context: JSON.parse(m.contextJson),
  }));
}

/**
 * The connection to NATS and the ingestion stream: publishing (with JetStream's refusals turned
 * into clear answers) and reading one partition from a position.
 */
export class JetStreamQueue {
  private connected = true;
  /** The stream's creation time: tells a stream made anew (numbered from 1 again) from the old one. */
  streamId = '';
  /** The largest stream message the stream takes (`max_msg_size`; -1: no limit of its own). */
  private maxMessageSize = -1;

  /** The stream holding this database's tracking messages until they are applied, and its subjects. */
  readonly stream: string;
  private readonly subjectPrefix: string;

  private constructor(
    readonly nc: NatsConnection,
    private jsm: JetStreamManager,
    readonly js: JetStreamClient,
    streamKey: string,
  ) {
    this.stream = `ACQUAINT_${streamKey}`;
    this.subjectPrefix = `acquaint.${streamKey}.`;
  }

  /** `streamKey` names the stream of one database (`ingestion_queue`). */
  static async open(url: string, name: string, streamKey: string): Promise<JetStreamQueue> {
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: url,
        name,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 500,
        timeout: 5_000,
      });
    } catch (error) {
      throw new Error(`cannot reach NATS at ${url} (ACQUAINT_QUEUE): ${(error as Error).message}`);
    }
    const queue = new JetStreamQueue(nc, await nc.jetstreamManager(), nc.jetstream(), streamKey);
    await queue.ensureStream();
    void queue.watchStatus();
    return queue;
  }

  partitionSubject(partition: number): string {
    return `${this.subjectPrefix}${partition}`;
  }

  get isConnected(): boolean {
    return this.connected && !this.nc.isClosed();
  }

  /** Creates the stream, or brings its settings up to date; any number of processes may race to. */
  async ensureStream(): Promise<void> {
    const config = {
      name: this.stream,
      subjects: [`${this.subjectPrefix}*`],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.New,
      max_bytes: STREAM_MAX_BYTES,
      max_msg_size: this.nc.info?.max_payload ?? 1024 * 1024,
    };
    let info = await this.jsm.streams.info(this.stream).catch(() => null);
    if (info === null) {
      info = await this.jsm.streams.add(config).catch(async (error) => {
        // Another process created it meanwhile.
        const found = await this.jsm.streams.info(this.stream).catch(() => null);
        if (found === null) throw error;
        return found;
      });
    } else if (info.config.max_bytes !== config.max_bytes || info.config.discard !== config.discard) {
      info = await this.jsm.streams.update(this.stream, { ...info.config, ...config });
    }
    this.streamId = info.created;
    this.maxMessageSize = info.config.max_msg_size ?? -1;
  }

  private async watchStatus(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === Events.Disconnect) this.connected = false;
      if (status.type === Events.Reconnect) {
        this.connected = true;
        // A NATS server started afresh may have lost the stream.
        await this.ensureStream().catch(() => {});
      }
    }
  }

  /**
   * The messages of one partition as stream messages (JSON arrays, as few as fit NATS's payload
   * limit), checked before anything is published: a message that alone exceeds what NATS or the
   * stream takes refuses the whole request with 413 QUEUE_MESSAGE_TOO_LARGE, so no part of a
   * refused request is acknowledged by JetStream while the client is told to drop it.
   */
  encode(messages: NormalizedMessage[]): Uint8Array[] {
    const maxPayload = this.nc.info?.max_payload ?? 1024 * 1024;
    const accepted = Math.min(maxPayload, this.maxMessageSize > 0 ? this.maxMessageSize : maxPayload);
    // Grouped under the smaller limit, so only a message alone can exceed it.
    const budget = accepted > 2 * PAYLOAD_MARGIN ? accepted - PAYLOAD_MARGIN : accepted - HEADER_BYTES;
    const encoded = [...payloads(messages, budget)];
    const tooLarge = encoded.find((payload) => payload.length + HEADER_BYTES > accepted);
    if (tooLarge)
      throw new RequestError(
        'QUEUE_MESSAGE_TOO_LARGE',
        `a message of ${tooLarge.length} bytes as queued is larger than the ingestion queue takes (${accepted} bytes a stream message); nothing of this request was queued: send it without that message, or with smaller properties and context`,
      );
    return encoded;
  }

  /**
   * Publishes the stream messages of one project and partition (from `encode`), in order; resolves
   * with the partition's stream sequence of the last one once JetStream has stored them. Refusals
   * become RequestErrors: 503 QUEUE_UNAVAILABLE (NATS down, no answer), 429 QUEUE_FULL (the stream
   * is at its limit), 413 QUEUE_MESSAGE_TOO_LARGE.
   */
  async publish(projectId: string, partition: number, encoded: Uint8Array[], receivedAt: number) {
    if (!this.isConnected)
      throw new RequestError(
        'QUEUE_UNAVAILABLE',
        'the ingestion queue (NATS) is unreachable; retry shortly',
        RETRY_AFTER,
      );
    let seq = 0;
    for (const payload of encoded) {
      const h = headers();
      h.set('Acquaint-Project', projectId);
      h.set('Acquaint-Received-At', String(receivedAt));
      try {
        const ack = await this.js.publish(this.partitionSubject(partition), payload, {
          headers: h,
          timeout: PUBLISH_TIMEOUT_MS,
        });
        seq = ack.seq;
      } catch (error) {
        throw refusal(error);
      }
    }
    return seq;
  }

  /** How many stream messages wait (applied ones are purged) and when the oldest arrived. */
  async backlog(): Promise<{ messages: number; oldest: number | null }> {
    const info = await this.jsm.streams.info(this.stream);
    const { messages, first_ts } = info.state;
    return { messages, oldest: messages > 0 ? Date.parse(first_ts) : null };
  }

  /** Drops a partition's messages before `seq` (applied; the database holds them now). */
  async purgeBefore(partition: number, seq: number): Promise<void> {
    await this.jsm.streams.purge(this.stream, { filter: this.partitionSubject(partition), seq });
  }

  /** A consumer of its own for one partition from stream sequence `from`. */
  async openReader(partition: number, from: number): Promise<PartitionReader> {
    const info = await this.jsm.consumers.add(this.stream, {
      filter_subject: this.partitionSubject(partition),
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: Math.max(1, from),
      ack_policy: AckPolicy.All,
      ack_wait: nanos(10 * 60_000),
      max_ack_pending: 1_000_000,
      inactive_threshold: nanos(60_000),
      mem_storage: true,
    });
    return new PartitionReader(this, info.name);
  }

  async deleteConsumer(name: string): Promise<void> {
    await this.jsm.consumers.delete(this.stream, name).catch(() => {});
  }

  async close(): Promise<void> {
    await this.nc.drain().catch(() => this.nc.close());
  }
}

/** How long past its own wait a pull may stay unanswered before the read is started again. */
const PULL_GRACE_MS = 15_000;
const ACK = new TextEncoder().encode('+ACK');

/**
 * Reads one partition in order through a consumer of its own. A pull that ends on the client
 * while the server is still delivering to it would drop a message out of sight (and a later
 * acknowledgement would pass it): every delivery is checked to follow the one before, and a jump
 * fails the read, so the partition is read again from its stored sequence.
 */
export class PartitionReader {
  private delivered = 0;

  constructor(
    private readonly queue: JetStreamQueue,
    readonly name: string,
  ) {}

  /**
   * The next stream messages: whatever waits (up to `max` messages / `maxBytes`), or, when nothing
   * does, the first to arrive within `waitMs` and what came with it.
   */
  async next(max: number, maxBytes: number, waitMs: number): Promise<StreamEntry[]> {
    let found = await this.fetch({ batch: max, max_bytes: maxBytes, no_wait: true });
    if (found.length === 0) {
      found = await this.fetch({ batch: 1, expires: waitMs });
      if (found.length > 0)
        found.push(...(await this.fetch({ batch: max - 1, max_bytes: maxBytes, no_wait: true })));
    }
    return found;
  }

  /**
   * One pull. A pull on a consumer that a restarted NATS has forgotten (consumers are kept in
   * memory) never answers, so a pull that outlasts its wait by `PULL_GRACE_MS` fails the read and
   * the partition is read again from its stored sequence through a new consumer. A message larger
   * than the whole byte budget is pulled alone, so it cannot stall its partition.
   */
  private async fetch(options: PullOptions): Promise<StreamEntry[]> {
    const { nc, stream } = this.queue;
    const limitMs = (options.expires ?? 0) + PULL_GRACE_MS;
    const { messages, sizeExceeded } = await pullMessages(nc, stream, this.name, options, limitMs);
    if (messages.length === 0 && sizeExceeded) return this.fetch({ batch: 1, no_wait: true });
    return messages.map((pulled) => this.entryOf(pulled));
  }

  private entryOf({ msg, streamSequence, deliverySequence }: PulledMessage): StreamEntry {
    if (deliverySequence !== this.delivered + 1)
      throw new Error(
        `consumer ${this.name} delivered ${deliverySequence} after ${this.delivered}; reading again`,
      );
    this.delivered = deliverySequence;
    return {
      seq: streamSequence,
      projectId: msg.headers?.get('Acquaint-Project') ?? '',
      receivedAt: Number(msg.headers?.get('Acquaint-Received-At') ?? Date.now()),
      data: msg.data,
      ack: () => msg.respond(ACK),
    };
  }

  async close(): Promise<void> {
    await this.queue.deleteConsumer(this.name);
  }
}

/** The messages as JSON arrays of at most `limit` bytes each (a message alone may be larger). */
function* payloads(messages: NormalizedMessage[], limit: number): Generator<Uint8Array> {
  let parts: string[] = [];
  let bytes = 2;
  for (const { properties: _p, context: _c, ...queued } of messages) {
    const json = JSON.stringify(queued);
    const size = Buffer.byteLength(json) + 1;
    if (parts.length > 0 && bytes + size > limit) {
      yield Buffer.from(`[${parts.join(',')}]`);
      parts = [];
      bytes = 2;
    }
    parts.push(json);
    bytes += size;
  }
  if (parts.length > 0) yield Buffer.from(`[${parts.join(',')}]`);
}

/** What the client is told when JetStream does not take a message. */
function refusal(error: unknown): RequestError {
  const text = `${(error as { api_error?: { description?: string } }).api_error?.description ?? ''} ${(error as Error).message ?? ''}`;
  if (/maximum (bytes|messages)|storage|resources exceeded|insufficient/i.test(text))
    return new RequestError('QUEUE_FULL', `the ingestion queue is full (${text.trim()}); retry later`, {
      'retry-after': '10',
    });
  if (/size exceeds|MAX_PAYLOAD/i.test(text))
    return new RequestError(
      'QUEUE_MESSAGE_TOO_LARGE',
      `the ingestion queue refused the request: ${text.trim()}`,
    );
  return new RequestError(
    'QUEUE_UNAVAILABLE',
    `the ingestion queue (NATS JetStream) did not take the request (${text.trim()}); retry shortly`,
    RETRY_AFTER,
  );
}
