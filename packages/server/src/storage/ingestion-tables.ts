import type { Generated } from 'kysely';

// What applying tracking messages keeps: received ids, warnings, the log cursor and JetStream state. Part of `Database` (schema.ts).

export interface ReceivedMessagesTable {
  project_id: string;
  message_id: string;
  received_at: number;
}

/** What applying a message found that its sender could not be told at once (identity outcomes). */
export interface IngestionWarningsTable {
  id: Generated<number>;
  project_id: string;
  message_id: string;
  code: string;
  message: string;
  received_at: number;
}

/** How far the ingestion log (SQLite) has been applied: one row, moved in the same transaction. */
export interface IngestionLogCursorTable {
  id: number;
  applied_seq: number;
}

/** Which JetStream stream this database's tracking messages go through. */
export interface IngestionQueueTable {
  id: number;
  stream_key: string;
}

/** A partition of the JetStream ingestion stream: how far it is applied, and who applies it. */
export interface IngestionPartitionsTable {
  partition: number;
  stream: string;
  applied_seq: number;
  owner: string | null;
  lease_until: number;
}

/** A server process applying JetStream partitions, and until when it counts as alive. */
export interface IngestionAppliersTable {
  owner: string;
  seen_until: number;
}

/** A JetStream ingestion message that could not be applied, set aside with its error. */
export interface IngestionFailedTable {
  id: Generated<number>;
  project_id: string;
  partition: number;
  stream_seq: number;
  received_at: number;
  error: string;
  payload: string;
}
