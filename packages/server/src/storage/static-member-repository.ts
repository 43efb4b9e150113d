import { chunked } from './chunked.js';
import type { Db } from './store.js';

/** Largest IN-list sent in one statement. */
const CHUNK = 500;

/**
 * Adds user ids to a static group: those a person holds become members (`group_members`), the
 * others are kept pending until a person holds them. Ids already in the group are left as they are.
 * Returns how many of the ids are members now and how many are pending.
 */
export async function addStaticMembers(
  db: Db,
  projectId: string,
  groupId: string,
  userIds: readonly string[],
): Promise<{ members: number; pending: number }> {
  let members = 0;
  let pending = 0;
  for (const ids of chunked([...new Set(userIds)], CHUNK)) {
    const persons = await db
      .selectFrom('persons')
      .select(['id', 'user_id'])
      .where('project_id', '=', projectId)
      .where('user_id', 'in', ids)
      .execute();
    const known = new Set(persons.map((p) => p.user_id));
    const missing = ids.filter((id) => !known.has(id));
    if (persons.length > 0) {
      await db
        .insertInto('group_members')
        .values(persons.map((p) => ({ project_id: projectId, group_id: groupId, person_id: p.id })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    if (missing.length > 0) {
      await db
        .insertInto('group_pending_users')
        .values(missing.map((user_id) => ({ project_id: projectId, group_id: groupId, user_id })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    members += persons.length;
    pending += missing.length;
  }
  return { members, pending };
}

/** Takes user ids out of a static group, members and pending alike. */
export async function removeStaticMembers(
  db: Db,
  projectId: string,
  groupId: string,
  userIds: readonly string[],
): Promise<void> {
  for (const ids of chunked([...new Set(userIds)], CHUNK)) {
    await db
      .deleteFrom('group_members')
      .where('group_id', '=', groupId)
      .where('person_id', 'in', (eb) =>
        eb.selectFrom('persons').select('id').where('project_id', '=', projectId).where('user_id', 'in', ids),
      )
      .execute();
    await db
      .deleteFrom('group_pending_users')
      .where('group_id', '=', groupId)
      .where('user_id', 'in', ids)
      .execute();
  }
}

/** Empties a static group (before its list is replaced). */
export async function clearStaticMembers(db: Db, groupId: string): Promise<void> {
  await db.deleteFrom('group_members').where('group_id', '=', groupId).execute();
  await db.deleteFrom('group_pending_users').where('group_id', '=', groupId).execute();
}

/**
 * Makes persons who just received these user ids members of the static groups that were waiting
 * for them, in the caller's transaction (identify, first event of a user, import). One indexed
 * probe when the project has no pending ids at all, the usual case.
 */
export async function admitPendingMembers(
  db: Db,
  projectId: string,
  userIds: readonly string[],
): Promise<void> {
  if (userIds.length === 0) return;
  const anyPending = await db
    .selectFrom('group_pending_users')
    .select('group_id')
    .where('project_id', '=', projectId)
    .limit(1)
    .executeTakeFirst();
  if (!anyPending) return;
  for (const ids of chunked([...new Set(userIds)], CHUNK)) {
    await db
      .insertInto('group_members')
      .columns(['project_id', 'group_id', 'person_id'])
      .expression((eb) =>
        eb
          .selectFrom('group_pending_users as gp')
          .innerJoin('persons as p', (join) =>
            join.onRef('p.project_id', '=', 'gp.project_id').onRef('p.user_id', '=', 'gp.user_id'),
          )
          .select(['gp.project_id', 'gp.group_id', 'p.id'])
          .where('gp.project_id', '=', projectId)
          .where('gp.user_id', 'in', ids),
      )
      .onConflict((oc) => oc.doNothing())
      .execute();
    await db
      .deleteFrom('group_pending_users')
      .where('project_id', '=', projectId)
      .where('user_id', 'in', ids)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('persons as p')
            .select('p.id')
            .where('p.project_id', '=', projectId)
            .whereRef('p.user_id', '=', 'group_pending_users.user_id'),
        ),
      )
      .execute();
  }
}

/** How many user ids of a static group no person holds yet. */
export async function countPendingUsers(db: Db, groupId: string): Promise<number> {
  const row = await db
    .selectFrom('group_pending_users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('group_id', '=', groupId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
