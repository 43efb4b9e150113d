import { sql } from 'kysely';
import type { Db } from './store.js';
import { forgetWatchedMemberships } from './watched-group-repository.js';

/**
 * The static groups of a merged person become the survivor's (DESIGN §3 rule 3: all it had
 * moves), in the merge's transaction.
 */
export async function moveGroupMembers(db: Db, survivorId: number, mergedId: number): Promise<void> {
  await db
    .insertInto('group_members')
    .columns(['project_id', 'group_id', 'person_id'])
    .expression((eb) =>
      eb
        .selectFrom('group_members')
        .select(['project_id', 'group_id', sql<number>`cast(${survivorId} as bigint)`.as('person_id')])
        .where('person_id', '=', mergedId),
    )
    .onConflict((oc) => oc.columns(['group_id', 'person_id']).doNothing())
    .execute();
  await deleteGroupMemberships(db, mergedId);
}

/** Erasure or merge: the person leaves every static group, and its kept memberships go without events. */
export async function deleteGroupMemberships(db: Db, personId: number): Promise<void> {
  await db.deleteFrom('group_members').where('person_id', '=', personId).execute();
  await forgetWatchedMemberships(db, personId);
}

/** Adds persons to a static group (already members are left as they are). */
export async function addGroupMembers(
  db: Db,
  projectId: string,
  groupId: string,
  personIds: number[],
): Promise<void> {
  for (let i = 0; i < personIds.length; i += 500) {
    const rows = personIds
      .slice(i, i + 500)
      .map((person_id) => ({ project_id: projectId, group_id: groupId, person_id }));
    if (rows.length === 0) continue;
    await db
      .insertInto('group_members')
      .values(rows)
      .onConflict((oc) => oc.columns(['group_id', 'person_id']).doNothing())
      .execute();
  }
}
