import { type Kysely, type Migration, sql } from 'kysely';
import type { MigrationDialect } from './migrations.js';

/**
 * `0014_group_membership`: the last known members of the groups a webhook subscription listens
 * to, so `group.entered` / `group.left` fire only on a real change. `watched_groups` says which
 * groups are kept (filled set-based when a subscription starts listening); `watched_group_members`
 * holds one row per (group, person) in the group. Pending deliveries are claimed in order, finished ones found by age for pruning.
 */
export function groupWatchMigration(dialect: MigrationDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('watched_groups')
        .addColumn('group_id', 'text', (c) => c.primaryKey())
        .addColumn('project_id', 'text', (c) => c.notNull())
        .addColumn('filled_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('watched_groups_project')
        .on('watched_groups')
        .columns(['project_id'])
        .execute();
      await db.schema
        .createTable('watched_group_members')
        .addColumn('group_id', 'text', (c) => c.notNull())
        .addColumn('person_id', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('watched_group_members_pk', ['group_id', 'person_id'])
        .modifyEnd(dialect.withoutRowId ? sql`without rowid` : sql``)
        .execute();
      await db.schema
        .createIndex('watched_group_members_person')
        .on('watched_group_members')
        .columns(['person_id'])
        .execute();
      // The worker claims the oldest pending deliveries: in `seq` order it stops after a few rows,
      // where the due index made it visit (and sort) every pending one, a cost per claim.
      await db.schema
        .createIndex('webhook_deliveries_pending')
        .on('webhook_deliveries')
        .columns(['status', 'seq'])
        .execute();
      await db.schema
        .createIndex('webhook_deliveries_finished')
        .on('webhook_deliveries')
        .columns(['status', 'finished_at'])
        .execute();
    },
  };
}
