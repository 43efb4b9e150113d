import { type CreateTableBuilder, type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';
import { CRAWLER_MARKERS } from '../devices/crawler-agents.js';
import { createAccountTables } from './account-migrations.js';
import { attributeHoldersMigration } from './attribute-holders-migration.js';
import { conditionMigrations } from './condition-migrations.js';
import { decideMigration } from './decide-migration.js';
import { eventRollupMigration, resolvingFunctions } from './event-rollup-migration.js';
import { experienceMigration } from './experience-migration.js';
import { groupsMigration } from './group-migrations.js';
import { groupWatchMigration } from './group-watch-migration.js';
import { holdersByWriterMigration } from './holders-by-writer-migration.js';
import { ingestionWarningRetentionMigration } from './ingestion-warning-retention-migration.js';
import { jetstreamMigration } from './jetstream-migration.js';
import { leanEventsMigration } from './lean-events-migration.js';
import { webhookMigration } from './webhook-migration.js';

/** What differs between backends when creating tables. */
export interface MigrationDialect {
  /** Which database: triggers are written in its own language. */
  name: 'sqlite' | 'postgres';
  /** Column type of an auto-incrementing integer primary key. */
  serialType: 'integer' | 'bigserial';
  /** Whether the serial column needs an explicit AUTOINCREMENT (SQLite, so ids are never reused). */
  autoIncrement: boolean;
  /** Column type for JSON documents. */
  jsonType: 'text' | 'jsonb';
  /**
   * Store key-only tables as their primary-key B-tree (SQLite `WITHOUT ROWID`): one B-tree to
   * write per row instead of a table plus its key index. PostgreSQL tables are heaps anyway.
   */
  withoutRowId: boolean;
}

/** The schema's history, in order. Each step runs once per database; never edit a shipped step. */
export function migrationsFor(dialect: MigrationDialect): Record<string, Migration> {
  const keyOnly = (table: CreateTableBuilder<string, never>) =>
    dialect.withoutRowId ? table.modifyEnd(sql`without rowid`) : table;
  return {
    '0001_core': {
      async up(db: Kysely<unknown>) {
        const ms = 'bigint';
        await db.schema
          .createTable('projects')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('write_key', 'text', (c) => c.notNull().unique())
          .addColumn('identity_secret', 'text', (c) => c.notNull())
          .addColumn('verify_identity', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', ms, (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('api_keys')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('prefix', 'text', (c) => c.notNull())
          .addColumn('key_hash', 'text', (c) => c.notNull().unique())
          .addColumn('scopes', 'text', (c) => c.notNull())
          .addColumn('created_at', ms, (c) => c.notNull())
          .addColumn('last_used_at', ms)
          .addColumn('revoked_at', ms)
          .execute();

        await db.schema
          .createTable('persons')
          .addColumn('id', dialect.serialType, (c) =>
            dialect.autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey(),
          )
          .addColumn('project_id', 'text', (c) => c.notNull())
          .addColumn('user_id', 'text')
          .addColumn('created_at', ms, (c) => c.notNull())
          .addColumn('first_seen', ms, (c) => c.notNull())
          .addColumn('last_seen', ms, (c) => c.notNull())
          .addColumn('bound_at', ms)
          .addColumn('imported_at', ms)
          .execute();
        await db.schema
          .createIndex('persons_project_user')
          .on('persons')
          .columns(['project_id', 'user_id'])
          .unique()
          .execute();

        await db.schema
          .createTable('devices')
          .addColumn('project_id', 'text', (c) => c.notNull())
          .addColumn('anonymous_id', 'text', (c) => c.notNull())
          .addColumn('person_id', 'bigint', (c) => c.notNull())
          .addColumn('first_seen', ms, (c) => c.notNull())
          .addColumn('last_seen', ms, (c) => c.notNull())
          .addColumn('user_agent', 'text')
          .addColumn('device_type', 'text')
          .addColumn('os', 'text')
          .addColumn('browser', 'text')
          .addColumn('screen', 'text')
          .addColumn('locale', 'text')
          .addColumn('first_referrer', 'text')
          .addColumn('first_landing_page', 'text')
          .addColumn('utm_source', 'text')
          .addColumn('utm_medium', 'text')
          .addColumn('utm_campaign', 'text')
          .addColumn('session_count', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('session_id', 'text')
          .addColumn('session_last_at', ms)
          .addPrimaryKeyConstraint('devices_pk', ['project_id', 'anonymous_id'])
          .$call(keyOnly)
          .execute();
        await db.schema.createIndex('devices_person').on('devices').column('person_id').execute();

        await db.schema
          .createTable('person_attributes')
          .addColumn('project_id', 'text', (c) => c.notNull())
          .addColumn('person_id', 'bigint', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('value', 'text')
          .addColumn('updated_at', ms, (c) => c.notNull())
          .addPrimaryKeyConstraint('person_attributes_pk', ['person_id', 'name'])
          .$call(keyOnly)
          .execute();

        await db.schema
          .createTable('attribute_definitions')
          .addColumn('project_id', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('type_source', 'text', (c) => c.notNull())
          .addColumn('from_sdk', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('from_server', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('from_import', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('first_seen', ms, (c) => c.notNull())
          .addColumn('last_seen', ms, (c) => c.notNull())
          .addPrimaryKeyConstraint('attribute_definitions_pk', ['project_id', 'name'])
          .execute();

        await db.schema
          .createTable('events')
          .addColumn('id', dialect.serialType, (c) => c.primaryKey())
          .addColumn('project_id', 'text', (c) => c.notNull())
          .addColumn('message_id', 'text', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('name', 'text')
          .addColumn('anonymous_id', 'text')
          .addColumn('user_id', 'text')
          .addColumn('timestamp', ms, (c) => c.notNull())
          .addColumn('received_at', ms, (c) => c.notNull())
          .addColumn('session_id', 'text')
          .addColumn('url', 'text')
          .addColumn('referrer', 'text')
          .addColumn('properties', dialect.jsonType, (c) => c.notNull())
          .addColumn('context', dialect.jsonType, (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('events_user_time')
          .on('events')
          .columns(['project_id', 'user_id', 'timestamp'])
          .execute();
        await db.schema
          .createIndex('events_anonymous_time')
          .on('events')
          .columns(['project_id', 'anonymous_id', 'timestamp'])
          .execute();

        await db.schema
          .createTable('received_messages')
          .addColumn('project_id', 'text', (c) => c.notNull())
          .addColumn('message_id', 'text', (c) => c.notNull())
          .addColumn('received_at', ms, (c) => c.notNull())
          .addPrimaryKeyConstraint('received_messages_pk', ['project_id', 'message_id'])
          .$call(keyOnly)
          .execute();

        await db.schema
          .createTable('audit_log')
          .addColumn('id', dialect.serialType, (c) => c.primaryKey())
          .addColumn('project_id', 'text', (c) => c.notNull())
          .addColumn('at', ms, (c) => c.notNull())
          .addColumn('actor', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('details', dialect.jsonType, (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('audit_log_project_at')
          .on('audit_log')
          .columns(['project_id', 'at'])
          .execute();
      },
    },
    '0002_imports': {
      async up(db: Kysely<unknown>) {
        const ms = 'bigint';
        await db.schema
          .createTable('import_jobs')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('project_id', 'text', (c) => c.notNull())
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('file_name', 'text')
          .addColumn('dry_run', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('encoding', 'text')
          .addColumn('delimiter', 'text')
          .addColumn('columns', 'text')
          .addColumn('size_bytes', ms)
          .addColumn('bytes_read', ms, (c) => c.notNull().defaultTo(0))
          .addColumn('rows_done', ms, (c) => c.notNull().defaultTo(0))
          .addColumn('rows_received', ms, (c) => c.notNull().defaultTo(0))
          .addColumn('rows_created', ms, (c) => c.notNull().defaultTo(0))
          .addColumn('rows_updated', ms, (c) => c.notNull().defaultTo(0))
          .addColumn('rows_unchanged', ms, (c) => c.notNull().defaultTo(0))
          .addColumn('rows_failed', ms, (c) => c.notNull().defaultTo(0))
          .addColumn('duplicates', ms, (c) => c.notNull().defaultTo(0))
          .addColumn('error_count', ms, (c) => c.notNull().defaultTo(0))
          .addColumn('error_code', 'text')
          .addColumn('error_message', 'text')
          .addColumn('api_key_id', 'text')
          .addColumn('created_at', ms, (c) => c.notNull())
          .addColumn('started_at', ms)
          .addColumn('finished_at', ms)
          .addColumn('heartbeat_at', ms)
          .execute();
        await db.schema
          .createIndex('import_jobs_project_created')
          .on('import_jobs')
          .columns(['project_id', 'created_at'])
          .execute();

        await db.schema
          .createTable('import_job_chunks')
          .addColumn('job_id', 'text', (c) => c.notNull())
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('first_row', ms, (c) => c.notNull())
          .addColumn('last_row', ms, (c) => c.notNull())
          .addColumn('person_ids', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('import_job_chunks_pk', ['job_id', 'seq'])
          .execute();

        await db.schema
          .createTable('import_errors')
          .addColumn('job_id', 'text', (c) => c.notNull())
          .addColumn('seq', ms, (c) => c.notNull())
          .addColumn('row', ms, (c) => c.notNull())
          .addColumn('user_id', 'text')
          .addColumn('field', 'text')
          .addColumn('code', 'text', (c) => c.notNull())
          .addColumn('message', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('import_errors_pk', ['job_id', 'seq'])
          .execute();
      },
    },
    '0003_ingestion_log': {
      async up(db: Kysely<unknown>) {
        const ms = 'bigint';
        await db.schema
          .createTable('ingestion_warnings')
          .addColumn('id', dialect.serialType, (c) =>
            dialect.autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey(),
          )
          .addColumn('project_id', 'text', (c) => c.notNull())
          .addColumn('message_id', 'text', (c) => c.notNull())
          .addColumn('code', 'text', (c) => c.notNull())
          .addColumn('message', 'text', (c) => c.notNull())
          .addColumn('received_at', ms, (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('ingestion_warnings_project')
          .on('ingestion_warnings')
          .columns(['project_id', 'id'])
          .execute();
        await db.schema
          .createTable('ingestion_log_cursor')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('applied_seq', ms, (c) => c.notNull())
          .execute();
      },
    },
    ...conditionMigrations(dialect),
    '0006_groups': groupsMigration(dialect),
    '0007_reports': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .alterTable('projects')
          .addColumn('timezone', 'text', (c) => c.notNull().defaultTo('UTC'))
          .execute();
        // Reports read the events of a time range; events are written in time order, so the
        // range is one stretch of this index.
        await db.schema
          .createIndex('events_project_time')
          .on('events')
          .columns(['project_id', 'timestamp'])
          .execute();
        // Devices whose user agent the crawler list now recognises become `bot` devices, as new
        // ones are flagged when they arrive (the same substring test).
        await db
          .updateTable('devices' as never)
          .set({ device_type: 'bot' } as never)
          .where((eb) =>
            eb.or(CRAWLER_MARKERS.map((marker) => eb(sql`lower(user_agent)`, 'like', `%${marker}%`))),
          )
          .execute();
      },
    },
    '0008_experiences': experienceMigration(dialect),
    '0011_webhooks': webhookMigration(dialect),
    '0012_accounts': { up: createAccountTables },
    '0013_event_rollup': eventRollupMigration(dialect),
    '0014_group_membership': groupWatchMigration(dialect),
    '0015_decide': decideMigration(dialect),
    '0017_dashboard': {
      async up(db: Kysely<unknown>) {
        // The install page's live events (`GET /api/events`): a project's newest events by id. Without
        // it both backends read and sort every event of the project on each poll.
        await db.schema.createIndex('events_project_id').on('events').columns(['project_id', 'id']).execute();
      },
    },
    '0018_jetstream': jetstreamMigration(dialect),
    '0020_lean_events': leanEventsMigration(dialect),
    '0025_groups_rollup_person': {
      async up(db: Kysely<unknown>) {
        // A member page tests the persons of a window of ids: a behaviour leaf reads the rollup
        // rows of one event name for those persons (one stretch of this index), not the rows of
        // every person in its hours (`event_rollup_name`).
        await db.schema
          .createIndex('event_rollup_name_person')
          .on('event_rollup')
          .columns(['project_id', 'type', 'name', 'person_id', 'hour', 'events'])
          .execute();
      },
    },
    '0027_webhook_claim': {
      async up(db: Kysely<unknown>) {
        // The worker claims per subscription (so one with a backlog cannot fill every slot): the
        // pending deliveries of one subscription in `seq` order. It replaces the all-subscriptions
        // `(status, seq)` index, which nothing reads any more.
        await db.schema
          .createIndex('webhook_deliveries_claim')
          .on('webhook_deliveries')
          .columns(['webhook_id', 'status', 'seq'])
          .execute();
        await db.schema.dropIndex('webhook_deliveries_pending').execute();
      },
    },
    '0030_cleanup_ingestion_warnings_received_at': ingestionWarningRetentionMigration,
    '0032_assignments_by_experience_time': {
      async up(db: Kysely<unknown>) {
        // Deleting an experience deletes its assignments: one stretch of this index. Keyed by
        // `(experience_id, variant)` each first decide put its ~10 entries at ~10 random leaf
        // pages (ordered by person id within a variant), most of the pages its commit wrote to
        // the WAL; keyed by the time assigned they go to the tail of each experience's stretch,
        // pages the decides of the same moments share.
        await db.schema
          .createIndex('experience_assignments_experience_time')
          .on('experience_assignments')
          .columns(['experience_id', 'assigned_at'])
          .execute();
        await db.schema.dropIndex('experience_assignments_experience').execute();
      },
    },
    '0036_import_holder_counts': attributeHoldersMigration(dialect),
    '0037_holders_by_writer': holdersByWriterMigration(dialect),
    '0038_attribute_values_by_name': {
      async up(db: Kysely<unknown>) {
        // SQLite: a breakdown by an attribute reads the holders of its name value by value from one
        // stretch of this index, without a look-up of each holder's row or a sort by value
        // (`attribute-activity-in-process.ts`). Each new value lands at a random place in it, so
        // large imports defer it with the typed-value indexes (`sqlite-typed-indexes.ts`).
        // PostgreSQL reports in SQL alone, so it does without.
        if (dialect.name !== 'sqlite') return;
        await db.schema
          .createIndex('person_attributes_name_value')
          .ifNotExists()
          .on('person_attributes')
          .columns(['project_id', 'name', 'value'])
          .execute();
      },
    },
    '0039_rollup_resolve_by_id': {
      async up(db: Kysely<unknown>) {
        // PostgreSQL: a person's or device's rollup rows are found through the id's own index
        // whatever the statistics were when the connection planned the trigger (see
        // `resolvingFunctions`). SQLite's triggers have done so since 0013.
        if (dialect.name !== 'postgres') return;
        const { person, device } = resolvingFunctions('create or replace', 'postgres-by-id');
        await person.execute(db);
        await device.execute(db);
      },
    },
  };
}

/** Serves the migrations above to Kysely's Migrator. */
export class CodeMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: MigrationDialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrationsFor(this.dialect);
  }
}
