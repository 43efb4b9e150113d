import type { MessageIssue } from '../ingestion/message-issues.js';
import type { Db, StoreTx } from './store.js';

/** Keeps what applying messages found about their identities, to be read through the API later. */
export async function recordIngestionWarnings(
  tx: StoreTx,
  projectId: string,
  warnings: MessageIssue[],
  receivedAt: number,
): Promise<void> {
  if (warnings.length === 0) return;
  await tx.db
    .insertInto('ingestion_warnings')
    .values(
      warnings.map((w) => ({
        project_id: projectId,
        message_id: w.messageId ?? '',
        code: w.code,
        message: w.message,
        received_at: receivedAt,
      })),
    )
    .execute();
}

export interface IngestionWarningRow {
  id: number;
  message_id: string;
  code: string;
  message: string;
  received_at: number;
}

/** The project's ingestion warnings, newest first, `limit` at a time before the id `before`. */
export async function listIngestionWarnings(
  db: Db,
  projectId: string,
  options: { limit: number; before?: number; messageId?: string },
): Promise<IngestionWarningRow[]> {
  let query = db
    .selectFrom('ingestion_warnings')
    .select(['id', 'message_id', 'code', 'message', 'received_at'])
    .where('project_id', '=', projectId);
  if (options.before !== undefined) query = query.where('id', '<', options.before);
  if (options.messageId !== undefined) query = query.where('message_id', '=', options.messageId);
  const rows = await query.orderBy('id', 'desc').limit(options.limit).execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), received_at: Number(r.received_at) }));
}

/**
 * Deletes up to `limit` ingestion warnings received before `before` (oldest first); answers how
 * many. Callers repeat while a full batch went, keeping each transaction short.
 */
export async function pruneIngestionWarnings(db: Db, before: number, limit: number): Promise<number> {
  const rows = await db
    .selectFrom('ingestion_warnings')
    .select('id')
    .where('received_at', '<', before)
    .orderBy('received_at')
    .limit(limit)
    .execute();
  if (rows.length === 0) return 0;
  await db
    .deleteFrom('ingestion_warnings')
    .where(
      'id',
      'in',
      rows.map((r) => r.id),
    )
    .execute();
  return rows.length;
}
