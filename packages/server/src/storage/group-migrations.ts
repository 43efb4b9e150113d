import { type Kysely, type Migration, sql } from 'kysely';
import type { MigrationDialect } from './migrations.js';

/**
 * `0006_groups`: user groups (DESIGN §4), which groups a group's condition uses, and the user ids
 * of static groups that no person holds yet (pending). Static membership by person
 * (`group_members`) comes from `0005_conditions`.
 */
export function groupsMigration(dialect: MigrationDialect): Migration {
  const keyOnly = dialect.withoutRowId ? sql`without rowid` : sql``;
  return {
    async up(db: Kysely<unknown>) {
      const ms = 'bigint';
      await db.schema
        .createTable('groups')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('project_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('condition', dialect.jsonType)
        .addColumn('import_id', 'text')
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('updated_at', ms, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('groups_project_name')
        .on('groups')
        .columns(['project_id', 'name'])
        .unique()
        .execute();

      await db.schema
        .createTable('group_uses')
        .addColumn('project_id', 'text', (c) => c.notNull())
        .addColumn('group_id', 'text', (c) => c.notNull())
        .addColumn('used_group_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('group_uses_pk', ['group_id', 'used_group_id'])
        .modifyEnd(keyOnly)
        .execute();
      await db.schema.createIndex('group_uses_used').on('group_uses').column('used_group_id').execute();

      await db.schema
        .createTable('group_pending_users')
        .addColumn('project_id', 'text', (c) => c.notNull())
        .addColumn('group_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('group_pending_users_pk', ['group_id', 'user_id'])
        .modifyEnd(keyOnly)
        .execute();
      await db.schema
        .createIndex('group_pending_users_user')
        .on('group_pending_users')
        .columns(['project_id', 'user_id'])
        .execute();
    },
  };
}
