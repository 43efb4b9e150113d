import type { Kysely, Migration } from 'kysely';

/** Ingestion warnings by receive time, so the periodic pruning of old ones reads only those. */
export const ingestionWarningRetentionMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex('ingestion_warnings_received_at')
      .on('ingestion_warnings')
      .columns(['received_at', 'id'])
      .execute();
  },
};
