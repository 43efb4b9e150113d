import type { Kysely, Migration } from 'kysely';
import type { MigrationDialect } from './migrations.js';

/**
 * The JetStream ingestion path (PostgreSQL fleets): one row per partition of the stream, with how
 * far it is applied and which server process holds its lease; and the stream messages that could
 * not be applied, set aside with their error.
 */
export function jetstreamMigration(dialect: MigrationDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      // The name of this database's stream: the processes of one database share it, and another
      // database on the same NATS server has its own.
      await db.schema
        .createTable('ingestion_queue')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('stream_key', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('ingestion_partitions')
        .addColumn('partition', 'integer', (c) => c.primaryKey())
        // The stream's creation time: a stream made anew numbers its messages from 1 again.
        .addColumn('stream', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('applied_seq', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('owner', 'text')
        .addColumn('lease_until', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute();
      // Server processes that apply partitions, seen lately: the leases are shared out among them.
      await db.schema
        .createTable('ingestion_appliers')
        .addColumn('owner', 'text', (c) => c.primaryKey())
        .addColumn('seen_until', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('ingestion_failed')
        .addColumn('id', dialect.serialType, (c) =>
          dialect.autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey(),
        )
        .addColumn('project_id', 'text', (c) => c.notNull())
        .addColumn('partition', 'integer', (c) => c.notNull())
        .addColumn('stream_seq', 'bigint', (c) => c.notNull())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .addColumn('error', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('ingestion_failed_project')
        .on('ingestion_failed')
        .columns(['project_id', 'id'])
        .execute();
    },
  };
}
