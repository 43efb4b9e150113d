import type { GroupDefinition } from '../conditions/condition.js';
import { loadGroupDefinitions } from '../groups/group-condition.js';
import {
  type GroupFootprint,
  groupFootprint,
  type PersonTouch,
  touchReaches,
} from '../groups/group-footprint.js';
import { listGroups } from '../storage/group-repository.js';
import type { Db } from '../storage/store.js';
import {
  addKeptMembers,
  deleteWatchedGroups,
  groupDifferences,
  groupMembersAmong,
  insertWatchedGroup,
  keptMembersAmong,
  listWatchedGroupIds,
  removeKeptMembers,
} from '../storage/watched-group-repository.js';
import type { ActiveSubscription } from '../storage/webhook-repository.js';

/** A person entered or left a group. */
export interface GroupChange {
  type: 'group.entered' | 'group.left';
  groupId: string;
  groupName: string;
  personId: number;
}

/** The project's watched groups, with what each depends on. */
export interface WatchedGroups {
  ids: Set<string>;
  definitions: Map<string, GroupDefinition>;
  names: Map<string, string>;
  footprints: Map<string, GroupFootprint>;
}

export const GROUP_EVENT_TYPES: readonly string[] = ['group.entered', 'group.left'];

/** Whether a subscription listens to group events. */
export function hearsGroupEvents(subscription: ActiveSubscription): boolean {
  return subscription.events.some((e) => GROUP_EVENT_TYPES.includes(e));
}

/** The watched groups of a project, or null when it has none (then no group event can fire). */
export async function loadWatchedGroups(db: Db, projectId: string): Promise<WatchedGroups | null> {
  const ids = await listWatchedGroupIds(db, projectId);
  if (ids.size === 0) return null;
  const rows = await listGroups(db, projectId);
  const definitions = await loadGroupDefinitions(db, projectId, rows);
  const footprints = new Map<string, GroupFootprint>();
  for (const id of ids) footprints.set(id, groupFootprint(id, definitions));
  return { ids, definitions, names: new Map(rows.map((g) => [g.id, g.name])), footprints };
}

/**
 * The membership changes of the persons a transaction touched, written to the kept members.
 * strategy: for each watched group, only the touched persons whose touch reaches what the group
 * depends on (group-footprint.ts) are evaluated, in SQL restricted to their ids (`in_group`
 * followed, as the group counts do), and compared with the kept members. Only rows really
 * inserted or deleted become changes, so two writers racing on one person send one event.
 */
export async function membershipChangesOf(
  db: Db,
  projectId: string,
  watched: WatchedGroups,
  touches: ReadonlyMap<number, PersonTouch>,
  now: number,
): Promise<GroupChange[]> {
  const changes: GroupChange[] = [];
  for (const groupId of watched.ids) {
    const footprint = watched.footprints.get(groupId);
    if (!footprint) continue;
    const persons: number[] = [];
    for (const [personId, touch] of touches) if (touchReaches(touch, footprint)) persons.push(personId);
    if (persons.length === 0) continue;
    // Groups by id, persons by id: every writer takes the kept rows' locks in one order.
    persons.sort((a, b) => a - b);
    const members = await groupMembersAmong(db, projectId, groupId, watched.definitions, now, persons);
    const kept = await keptMembersAmong(db, groupId, persons);
    const entering = persons.filter((id) => members.has(id) && !kept.has(id));
    const leaving = persons.filter((id) => !members.has(id) && kept.has(id));
    changes.push(...(await applyDifferences(db, watched, groupId, { entered: entering, left: leaving })));
  }
  return changes;
}

/**
 * Re-counts the watched groups that use any of `groupIds` (themselves included) set-based, and
 * writes the differences to the kept members (a group edited, a static list changed, time passed).
 */
export async function recountGroups(
  db: Db,
  projectId: string,
  watched: WatchedGroups,
  groupIds: ReadonlySet<string>,
  now: number,
): Promise<GroupChange[]> {
  const changes: GroupChange[] = [];
  for (const groupId of watched.ids) {
    const footprint = watched.footprints.get(groupId);
    if (!footprint || ![...groupIds].some((id) => footprint.groups.has(id))) continue;
    const differences = await groupDifferences(db, projectId, groupId, watched.definitions, now);
    changes.push(...(await applyDifferences(db, watched, groupId, differences)));
  }
  return changes;
}

async function applyDifferences(
  db: Db,
  watched: WatchedGroups,
  groupId: string,
  differences: { entered: number[]; left: number[] },
): Promise<GroupChange[]> {
  const groupName = watched.names.get(groupId) ?? groupId;
  const entered = await addKeptMembers(db, groupId, differences.entered);
  const left = await removeKeptMembers(db, groupId, differences.left);
  return [
    ...entered.map((personId) => ({ type: 'group.entered' as const, groupId, groupName, personId })),
    ...left.map((personId) => ({ type: 'group.left' as const, groupId, groupName, personId })),
  ];
}

/**
 * Keeps the members of exactly the groups active subscriptions listen to: a group named by one
 * (or every group, for a subscription that names none). A group newly watched is filled
 * set-based without events (its members did not just enter it); one no longer watched is dropped.
 */
export async function syncWatchedGroups(
  db: Db,
  projectId: string,
  subscriptions: readonly ActiveSubscription[],
  now: number,
): Promise<void> {
  const listening = subscriptions.filter(hearsGroupEvents);
  const all = (await listGroups(db, projectId)).map((g) => g.id);
  const wanted = new Set(
    listening.some((s) => s.groupIds === null)
      ? all
      : listening.flatMap((s) => s.groupIds ?? []).filter((id) => all.includes(id)),
  );
  const current = await listWatchedGroupIds(db, projectId);
  const dropped = [...current].filter((id) => !wanted.has(id));
  if (dropped.length > 0) await deleteWatchedGroups(db, dropped);
  const added = [...wanted].filter((id) => !current.has(id));
  if (added.length === 0) return;
  const definitions = await loadGroupDefinitions(db, projectId);
  for (const groupId of added) {
    await insertWatchedGroup(db, projectId, groupId, now);
    const { entered } = await groupDifferences(db, projectId, groupId, definitions, now);
    await addKeptMembers(db, groupId, entered);
  }
}
