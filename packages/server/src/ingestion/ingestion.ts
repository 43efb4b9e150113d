import type { ProjectRow } from '../storage/project-repository.js';
import type { Store } from '../storage/store.js';
import { type IngestOptions, type IngestResult, ingestMessages } from './ingest-messages.js';
import { JetStreamIngestion } from './jetstream-ingestion.js';
import type { MessageType } from './normalize-message.js';
import { QueuedIngestion } from './queued-ingestion.js';

/** One tracking request: its project, its messages, and the body they were read from. */
export interface TrackingRequest {
  project: ProjectRow;
  messages: unknown[];
  options: IngestOptions;
  /** The body's bytes: a `{"batch": [...]}` body, or one message of `messageType` (single-message routes). */
  body: Buffer;
  messageType: MessageType | null;
}

/** How tracking messages get from a request into the database. */
export interface Ingestion {
  /** Validates the messages and applies them, or logs them durably to be applied, before answering. */
  ingest(request: TrackingRequest): Promise<IngestResult>;
  /**
   * Resolves true once every message acknowledged before the call is applied (reads see their
   * writes), or false when that took too long.
   */
  settled(): Promise<boolean>;
  status(): IngestionStatus;
  /** Logged requests of `projectId` that could not be applied and were set aside, after `afterId`. */
  listFailed(projectId: string, afterId: number, limit: number): Promise<FailedEntry[]>;
  /** Applies a set-aside request again (once its cause is fixed); forgotten once applied. */
  replayFailed(projectId: string, id: number): Promise<ReplayOutcome>;
  close(): Promise<void>;
}

/** A logged request the applier set aside, as an operator sees it. */
export interface FailedEntry {
  id: number;
  received_at: string;
  error: string;
  /** `track`… for a single-message route, null for a batch. */
  message_type: string | null;
  /** How many messages the body holds (null when it cannot be read). */
  messages: number | null;
  /** The first 20 message ids it names. */
  message_ids: string[];
  bytes: number;
}

export type ReplayOutcome =
  | { ok: true; applied: number }
  | { ok: false; code: 'NOT_FOUND' | 'REPLAY_FAILED'; message: string };

/** Whether messages wait to be applied: `backlog` counts logged requests not yet applied. */
export interface IngestionStatus {
  mode: 'direct' | 'log' | 'jetstream';
  backlog: number;
  /** Messages of those requests (0 where requests are applied before they are answered). */
  backlog_messages: number;
  /** How long the oldest request not yet applied has waited (0 with no backlog). */
  backlog_age_seconds: number;
  /** The applier runs (always true where requests are applied before they are answered). */
  applier_alive: boolean;
}

/** Hears how many messages were applied to the database (for the applied-per-second metric). */
export type AppliedListener = (messages: number) => void;

/** Applies each request's messages in its own transaction before answering. */
export class DirectIngestion implements Ingestion {
  constructor(
    private readonly store: Store,
    private readonly onApplied: AppliedListener = () => {},
  ) {}

  async ingest({ project, messages, options }: TrackingRequest): Promise<IngestResult> {
    const result = await ingestMessages(this.store, project, messages, options);
    this.onApplied(result.accepted);
    return result;
  }

  async settled(): Promise<boolean> {
    return true;
  }

  status(): IngestionStatus {
    return { mode: 'direct', backlog: 0, backlog_messages: 0, backlog_age_seconds: 0, applier_alive: true };
  }

  /** Nothing is set aside where requests are applied before they are answered. */
  async listFailed(): Promise<FailedEntry[]> {
    return [];
  }

  async replayFailed(_projectId: string, id: number): Promise<ReplayOutcome> {
    return { ok: false, code: 'NOT_FOUND', message: `no set-aside ingestion entry ${id}` };
  }

  async close(): Promise<void> {}
}

/**
 * With `ACQUAINT_QUEUE`, PostgreSQL takes messages through NATS JetStream (answered once stored
 * there, applied by the fleet). A file-backed SQLite store takes them through its ingestion log
 * (answered once logged, applied by a worker thread); PostgreSQL without a queue, and an in-memory
 * SQLite database, apply them directly.
 */
export async function createIngestion(
  store: Store,
  options: { log: boolean; config: IngestOptions['config']; onApplied?: AppliedListener },
): Promise<Ingestion> {
  if (options.config.queue !== null)
    return JetStreamIngestion.start(store, options.config, options.onApplied ?? (() => {}));
  if (options.log && store.file !== undefined)
    return QueuedIngestion.start(store, store.file, options.config, options.onApplied);
  return new DirectIngestion(store, options.onApplied);
}
