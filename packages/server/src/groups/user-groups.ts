import type { ConditionWarning } from '../conditions/parse-context.js';
import { userIdLock } from '../identity/identity-graph.js';
import { targetGroups } from '../personalization/target-groups.js';
import { newId } from '../projects/keys.js';
import { allExperiences } from '../storage/experience-repository.js';
import {
  deleteGroup,
  findGroup,
  findGroupByName,
  findGroupsUsing,
  type GroupRow,
  insertGroup,
  updateGroup,
} from '../storage/group-repository.js';
import {
  addStaticMembers,
  clearStaticMembers,
  removeStaticMembers,
} from '../storage/static-member-repository.js';
import type { Store, StoreTx } from '../storage/store.js';
import {
  forgetDeletedGroup,
  noteGroupDefinitionChanged,
  noteWatchedGroupsChanged,
} from '../webhooks/group-edit-events.js';
import { type CheckedCondition, checkGroupCondition, saveGroupUses } from './group-condition.js';
import { type Checked, type GroupChanges, type GroupSource, refuse } from './group-input.js';
import { usersOfImport } from './users-of-import.js';

/** Who is changing groups, in which project, and when. */
export interface GroupContext {
  store: Store;
  projectId: string;
  now: number;
}

/** A group as saved, with the warnings its condition raised (an attribute no one holds yet). */
export interface SavedGroup {
  group: GroupRow;
  warnings: ConditionWarning[];
}

/**
 * Creates a group in one transaction: a dynamic group's condition is checked (every `in_group` must
 * name a group of this project); a static group's user ids become members or pending ids.
 */
export async function createGroup(
  ctx: GroupContext,
  input: { name: string; source: GroupSource },
): Promise<Checked<SavedGroup>> {
  const { source } = input;
  let userIds: string[] = [];
  let importId: string | null = null;
  if ('importId' in source) {
    const users = await usersOfImport(ctx.store.db, ctx.projectId, source.importId);
    if (!users.ok) return users;
    userIds = users.value;
    importId = source.importId;
  } else if ('userIds' in source) userIds = source.userIds;
  return ctx.store.transaction(async (tx) => {
    if (await findGroupByName(tx.db, ctx.projectId, input.name)) return nameTaken(input.name);
    const id = newId('grp');
    let checked: CheckedCondition | null = null;
    if (source.type === 'dynamic') {
      const result = await checkGroupCondition(tx.db, ctx.projectId, source.condition, null);
      if (!result.ok) return result;
      checked = result.value;
    }
    const group: GroupRow = {
      id,
      project_id: ctx.projectId,
      name: input.name,
      type: source.type,
      condition: checked ? JSON.stringify(checked.condition) : null,
      import_id: importId,
      created_at: ctx.now,
      updated_at: ctx.now,
    };
    await insertGroup(tx.db, group);
    if (checked) await saveGroupUses(tx.db, ctx.projectId, id, checked);
    else await addUserIds(tx, ctx.projectId, id, userIds);
    await noteWatchedGroupsChanged(tx, ctx.projectId, ctx.now);
    return { ok: true, value: { group, warnings: checked?.warnings ?? [] } };
  });
}

/** Renames a group, replaces a dynamic group's condition or a static group's user ids. */
export async function changeGroup(
  ctx: GroupContext,
  groupId: string,
  changes: GroupChanges,
): Promise<Checked<SavedGroup>> {
  return ctx.store.transaction(async (tx) => {
    const group = await findGroup(tx.db, ctx.projectId, groupId);
    if (!group) return groupNotFound(groupId);
    if (changes.condition !== undefined && group.type !== 'dynamic') {
      return refuse(
        'GROUP_TYPE_MISMATCH',
        'a static group has no condition: change its user_ids instead',
        '/condition',
      );
    }
    if (changes.userIds !== undefined && group.type !== 'static') {
      return refuse(
        'GROUP_TYPE_MISMATCH',
        'a dynamic group has no user list: change its condition instead',
        '/user_ids',
      );
    }
    if (changes.name !== undefined && changes.name !== group.name) {
      if (await findGroupByName(tx.db, ctx.projectId, changes.name)) return nameTaken(changes.name);
      group.name = changes.name;
    }
    let warnings: ConditionWarning[] = [];
    if (changes.condition !== undefined) {
      const checked = await checkGroupCondition(tx.db, ctx.projectId, changes.condition, group.id);
      if (!checked.ok) return checked;
      group.condition = JSON.stringify(checked.value.condition);
      warnings = checked.value.warnings;
      await saveGroupUses(tx.db, ctx.projectId, group.id, checked.value);
    }
    if (changes.userIds !== undefined) {
      await clearStaticMembers(tx.db, group.id);
      await addUserIds(tx, ctx.projectId, group.id, changes.userIds);
    }
    group.updated_at = ctx.now;
    await updateGroup(tx.db, group.id, { name: group.name, condition: group.condition, updated_at: ctx.now });
    if (changes.condition !== undefined || changes.userIds !== undefined)
      await noteGroupDefinitionChanged(tx, ctx.projectId, group.id, changes.condition !== undefined, ctx.now);
    return { ok: true, value: { group, warnings } };
  });
}

/** Deletes a group, unless another group's condition uses it (409 `GROUP_IN_USE`). */
export async function removeGroup(ctx: GroupContext, groupId: string): Promise<Checked<null>> {
  return ctx.store.transaction(async (tx) => {
    const group = await findGroup(tx.db, ctx.projectId, groupId);
    if (!group) return groupNotFound(groupId);
    const experiences = (await allExperiences(tx.db, ctx.projectId)).filter((e) =>
      targetGroups(e.target).includes(group.id),
    );
    const users = [
      ...(await findGroupsUsing(tx.db, group.id)).map((u) => `group "${u.name}" (${u.id})`),
      ...experiences.map((e) => `experience "${e.name}" (${e.id})`),
    ];
    if (users.length > 0) {
      return refuse(
        'GROUP_IN_USE',
        `group "${group.name}" is used by ${users.join(', ')}; change those first`,
      );
    }
    await deleteGroup(tx.db, group.id);
    await forgetDeletedGroup(tx, group.id);
    return { ok: true, value: null };
  });
}

/** Adds user ids to (or removes them from) a static group. */
export async function changeStaticMembers(
  ctx: GroupContext,
  groupId: string,
  userIds: string[],
  change: 'add' | 'remove',
): Promise<Checked<{ members: number; pending: number } | null>> {
  return ctx.store.transaction(async (tx) => {
    const group = await findGroup(tx.db, ctx.projectId, groupId);
    if (!group) return groupNotFound(groupId);
    if (group.type !== 'static') {
      return refuse(
        'GROUP_TYPE_MISMATCH',
        `group "${group.name}" is dynamic: its members follow its condition`,
      );
    }
    await tx.db.updateTable('groups').set({ updated_at: ctx.now }).where('id', '=', group.id).execute();
    if (change === 'remove') {
      await removeStaticMembers(tx.db, ctx.projectId, group.id, userIds);
      await noteGroupDefinitionChanged(tx, ctx.projectId, group.id, false, ctx.now);
      return { ok: true, value: null };
    }
    const added = await addUserIds(tx, ctx.projectId, group.id, userIds);
    await noteGroupDefinitionChanged(tx, ctx.projectId, group.id, false, ctx.now);
    return { ok: true, value: added };
  });
}

/**
 * strategy: lock the user ids as identity writers do (DESIGN §3 rule 12), so a user id being
 * added as pending and the same user's first identify take turns: either the identify sees the
 * pending id and admits the person, or this sees the person and adds it as a member.
 */
async function addUserIds(tx: StoreTx, projectId: string, groupId: string, userIds: string[]) {
  if (tx.capabilities.concurrentWriters) await tx.lockKeys(userIds.map((id) => userIdLock(projectId, id)));
  return addStaticMembers(tx.db, projectId, groupId, userIds);
}

export function groupNotFound(groupId: string) {
  return refuse('NOT_FOUND', `no group "${groupId}" in this project`);
}

function nameTaken(name: string) {
  return refuse('GROUP_NAME_TAKEN', `a group named "${name}" exists already; pick another name`, '/name');
}
