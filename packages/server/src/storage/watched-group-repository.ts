import type { GroupDefinition } from '../conditions/condition.js';
import { chunked } from './chunked.js';
import { type CompileContext, compileCondition, personsMatching } from './condition-query.js';
import { conditionSqlDialect } from './condition-sql-dialect.js';
import type { Db } from './store.js';

const CHUNK = 500;

/** The ids of the project's watched groups (those whose members are kept for webhooks). */
export async function listWatchedGroupIds(db: Db, projectId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('watched_groups')
    .select('group_id')
    .where('project_id', '=', projectId)
    .orderBy('group_id')
    .execute();
  return new Set(rows.map((r) => r.group_id));
}

export async function insertWatchedGroup(db: Db, projectId: string, groupId: string, now: number) {
  await db
    .insertInto('watched_groups')
    .values({ group_id: groupId, project_id: projectId, filled_at: now })
    .onConflict((oc) => oc.column('group_id').doNothing())
    .execute();
}

/** Stops keeping the members of these groups. */
export async function deleteWatchedGroups(db: Db, groupIds: readonly string[]): Promise<void> {
  for (const ids of chunked(groupIds, CHUNK)) {
    await db.deleteFrom('watched_group_members').where('group_id', 'in', ids).execute();
    await db.deleteFrom('watched_groups').where('group_id', 'in', ids).execute();
  }
}

/** A person folded into another or erased: its kept memberships go, without events. */
export async function forgetWatchedMemberships(db: Db, personId: number): Promise<void> {
  await db.deleteFrom('watched_group_members').where('person_id', '=', personId).execute();
}

/** The persons among `personIds` that group `groupId` held when last evaluated. */
export async function keptMembersAmong(db: Db, groupId: string, personIds: readonly number[]) {
  const members = new Set<number>();
  for (const ids of chunked(personIds, CHUNK)) {
    const rows = await db
      .selectFrom('watched_group_members')
      .select('person_id')
      .where('group_id', '=', groupId)
      .where('person_id', 'in', ids)
      .execute();
    for (const r of rows) members.add(Number(r.person_id));
  }
  return members;
}

/**
 * The persons among `personIds` (all of this project) in group `groupId` now, static or dynamic,
 * `in_group` followed. Persons are found by id alone, without the project filter, and each leaf
 * looks up the person's own rows (`perPerson`): the cost follows the number of ids, not the size
 * of the project, whatever statistics the planner has (none for rows written in this very
 * transaction). Before, each chunk of 500 read every holder of the attribute in the project.
 */
export async function groupMembersAmong(
  db: Db,
  projectId: string,
  groupId: string,
  groups: ReadonlyMap<string, GroupDefinition>,
  now: number,
  personIds: readonly number[],
): Promise<Set<number>> {
  const members = new Set<number>();
  for (const ids of chunked(personIds, CHUNK)) {
    const rows = await membersAmongQuery(db, projectId, groupId, groups, now, ids).execute();
    for (const r of rows) members.add(Number(r.id));
  }
  return members;
}

/** The select `groupMembersAmong` runs for one chunk of ids. */
export function membersAmongQuery(
  db: Db,
  projectId: string,
  groupId: string,
  groups: ReadonlyMap<string, GroupDefinition>,
  now: number,
  ids: readonly number[],
) {
  const context: CompileContext = {
    now,
    groups,
    projectId,
    dialect: conditionSqlDialect(db),
    enclosingGroups: new Set(),
    perPerson: true,
  };
  return db
    .selectFrom('persons as p')
    .select('p.id')
    .where('p.id', 'in', ids)
    .where(compileCondition({ in_group: groupId }, context));
}

/**
 * Set-based: who is in group `groupId` now and not among its kept members (`entered`), and who
 * is kept but no longer in it (`left`). One query each, over the whole group.
 */
export async function groupDifferences(
  db: Db,
  projectId: string,
  groupId: string,
  groups: ReadonlyMap<string, GroupDefinition>,
  now: number,
): Promise<{ entered: number[]; left: number[] }> {
  const matching = () => personsMatching(db, projectId, { in_group: groupId }, { now, groups });
  const entered = await matching()
    .select('p.id')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('watched_group_members as w')
            .select('w.person_id')
            .where('w.group_id', '=', groupId)
            .whereRef('w.person_id', '=', 'p.id'),
        ),
      ),
    )
    .orderBy('p.id')
    .execute();
  const left = await db
    .selectFrom('watched_group_members as w')
    .select('w.person_id')
    .where('w.group_id', '=', groupId)
    .where('w.person_id', 'not in', matching().select('p.id'))
    .orderBy('w.person_id')
    .execute();
  return { entered: entered.map((r) => Number(r.id)), left: left.map((r) => Number(r.person_id)) };
}

/** Records these persons as members; answers those that were not already (a concurrent writer may have). */
export async function addKeptMembers(db: Db, groupId: string, personIds: readonly number[]) {
  const added: number[] = [];
  for (const ids of chunked(personIds, CHUNK)) {
    const rows = await db
      .insertInto('watched_group_members')
      .values(ids.map((person_id) => ({ group_id: groupId, person_id })))
      .onConflict((oc) => oc.columns(['group_id', 'person_id']).doNothing())
      .returning('person_id')
      .execute();
    for (const r of rows) added.push(Number(r.person_id));
  }
  return added;
}

/** Removes these persons from the kept members; answers those that were there. */
export async function removeKeptMembers(db: Db, groupId: string, personIds: readonly number[]) {
  const removed: number[] = [];
  for (const ids of chunked(personIds, CHUNK)) {
    const rows = await db
      .deleteFrom('watched_group_members')
      .where('group_id', '=', groupId)
      .where('person_id', 'in', ids)
      .returning('person_id')
      .execute();
    for (const r of rows) removed.push(Number(r.person_id));
  }
  return removed;
}
