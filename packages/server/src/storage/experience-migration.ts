import type { Kysely, Migration } from 'kysely';
import type { MigrationDialect } from './migrations.js';

/**
 * `0008_experiences`: personalised experiences, their sticky variant assignments, and the
 * project's `allow_scripts` setting for experience HTML.
 */
export function experienceMigration(dialect: MigrationDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const ms = 'bigint';
      await db.schema
        .alterTable('projects')
        .addColumn('allow_scripts', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();

      await db.schema
        .createTable('experiences')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('project_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('starts_at', ms)
        .addColumn('ends_at', ms)
        .addColumn('definition', dialect.jsonType, (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('updated_at', ms, (c) => c.notNull())
        .addColumn('published_at', ms)
        .execute();
      await db.schema
        .createIndex('experiences_project_status')
        .on('experiences')
        .columns(['project_id', 'status'])
        .execute();

      // One row per person and experience: the variant decide answered first (sticky across
      // devices), and when and in which session it last answered it (frequency).
      await db.schema
        .createTable('experience_assignments')
        .addColumn('project_id', 'text', (c) => c.notNull())
        .addColumn('experience_id', 'text', (c) => c.notNull())
        .addColumn('person_id', 'bigint', (c) => c.notNull())
        .addColumn('variant', 'text', (c) => c.notNull())
        .addColumn('assigned_at', ms, (c) => c.notNull())
        .addColumn('last_shown_at', ms, (c) => c.notNull())
        .addColumn('last_session_id', 'text')
        .addPrimaryKeyConstraint('experience_assignments_pk', ['person_id', 'experience_id'])
        .execute();
      await db.schema
        .createIndex('experience_assignments_experience')
        .on('experience_assignments')
        .columns(['experience_id', 'variant'])
        .execute();
    },
  };
}
