import type { Insertable, Selectable } from 'kysely';
import { afterKey } from './keyset.js';
import type { GroupsTable } from './schema.js';
import type { Db } from './store.js';
import { containsText } from './text-search.js';

export type GroupRow = Selectable<GroupsTable>;
export type NewGroup = Insertable<GroupsTable>;

export async function insertGroup(db: Db, group: NewGroup): Promise<void> {
  await db.insertInto('groups').values(group).execute();
}

/** The condition as JSON text on both backends (PostgreSQL hands jsonb back parsed). */
function asRow(row: GroupRow): GroupRow {
  const condition = row.condition as unknown;
  return condition === null || typeof condition === 'string'
    ? row
    : { ...row, condition: JSON.stringify(condition) };
}

export async function findGroup(db: Db, projectId: string, groupId: string): Promise<GroupRow | undefined> {
  const row = await db
    .selectFrom('groups')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('id', '=', groupId)
    .executeTakeFirst();
  return row && asRow(row);
}

/** The project's groups by name (a project holds tens or hundreds of groups, never millions). */
export async function listGroups(db: Db, projectId: string): Promise<GroupRow[]> {
  const rows = await db
    .selectFrom('groups')
    .selectAll()
    .where('project_id', '=', projectId)
    .orderBy('name')
    .orderBy('id')
    .execute();
  return rows.map(asRow);
}

/** One page of the project's groups by name, after the `(name, id)` of the previous page's last. */
export async function listGroupsPage(
  db: Db,
  projectId: string,
  page: { limit: number; after?: { name: string; id: string }; nameContains?: string },
): Promise<GroupRow[]> {
  let query = db.selectFrom('groups').selectAll().where('project_id', '=', projectId);
  if (page.nameContains) query = query.where(containsText('name', page.nameContains));
  const after = page.after;
  if (after) query = query.where(afterKey('name', { first: after.name, id: after.id }, 'asc'));
  const rows = await query.orderBy('name').orderBy('id').limit(page.limit).execute();
  return rows.map(asRow);
}

export async function findGroupByName(
  db: Db,
  projectId: string,
  name: string,
): Promise<GroupRow | undefined> {
  return db
    .selectFrom('groups')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('name', '=', name)
    .executeTakeFirst();
}

export async function updateGroup(
  db: Db,
  groupId: string,
  changes: Partial<Pick<GroupRow, 'name' | 'condition' | 'updated_at'>>,
): Promise<void> {
  await db.updateTable('groups').set(changes).where('id', '=', groupId).execute();
}

/** Deletes a group with its uses, members and pending user ids. */
export async function deleteGroup(db: Db, groupId: string): Promise<void> {
  await db.deleteFrom('group_uses').where('group_id', '=', groupId).execute();
  await db.deleteFrom('group_members').where('group_id', '=', groupId).execute();
  await db.deleteFrom('group_pending_users').where('group_id', '=', groupId).execute();
  await db.deleteFrom('groups').where('id', '=', groupId).execute();
}

/** Records the groups a group's condition names (`in_group`), replacing what it named before. */
export async function replaceGroupUses(
  db: Db,
  projectId: string,
  groupId: string,
  usedGroupIds: readonly string[],
): Promise<void> {
  await db.deleteFrom('group_uses').where('group_id', '=', groupId).execute();
  if (usedGroupIds.length === 0) return;
  await db
    .insertInto('group_uses')
    .values(
      [...new Set(usedGroupIds)].map((used) => ({
        project_id: projectId,
        group_id: groupId,
        used_group_id: used,
      })),
    )
    .execute();
}

/** Every `in_group` edge of the project: which group uses which. */
export async function loadGroupUses(db: Db, projectId: string): Promise<{ from: string; to: string }[]> {
  const rows = await db
    .selectFrom('group_uses')
    .select(['group_id', 'used_group_id'])
    .where('project_id', '=', projectId)
    .execute();
  return rows.map((r) => ({ from: r.group_id, to: r.used_group_id }));
}

/** The groups whose conditions name this one. */
export async function findGroupsUsing(db: Db, groupId: string): Promise<{ id: string; name: string }[]> {
  return db
    .selectFrom('group_uses as u')
    .innerJoin('groups as g', 'g.id', 'u.group_id')
    .select(['g.id', 'g.name'])
    .where('u.used_group_id', '=', groupId)
    .orderBy('g.name')
    .execute();
}
