import { type IdWindow, personsMatching } from '../storage/condition-query.js';
import {
  activeSince,
  countPersons,
  firstSeenSince,
  type MemberRow,
  type PersonsQuery,
  staticGroupPersons,
} from '../storage/group-member-query.js';
import type { GroupRow } from '../storage/group-repository.js';
import { countPendingUsers } from '../storage/static-member-repository.js';
import type { Db } from '../storage/store.js';
import { loadGroupDefinitions } from './group-condition.js';

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/** A group in `GET /api/groups`. */
export interface GroupSummary {
  id: string;
  name: string;
  type: string;
  users: number;
}

/** A group in `GET /api/groups/:id` (DESIGN §4). */
export interface GroupOverview extends GroupSummary {
  condition?: unknown;
  pending?: number;
  import_id?: string;
  new_users_7d: number;
  active_users_7d: number;
  created_at: string;
  updated_at: string;
}

/** A member as the API shows it. */
export interface GroupMember {
  person_id: number;
  user_id: string | null;
  first_seen: string;
  last_seen: string;
}

/**
 * Reads a group's members: the persons its condition matches, or its static members; with `ids`,
 * only those in that window of person ids (a member page walks windows, `pagePersons`).
 */
export type GroupPersons = (group: GroupRow, ids?: IdWindow) => PersonsQuery;

/**
 * How to read the members of any group of the project at `now`: static groups by their member
 * rows; dynamic groups by their condition (which may name other groups).
 */
export async function groupPersons(db: Db, projectId: string, now: number): Promise<GroupPersons> {
  const groups = await loadGroupDefinitions(db, projectId);
  return (group, ids) =>
    group.type === 'static'
      ? staticGroupPersons(db, projectId, group.id, ids)
      : (personsMatching(db, projectId, { in_group: group.id }, { now, groups, ids }) as PersonsQuery);
}

export async function summarizeGroup(group: GroupRow, persons: GroupPersons): Promise<GroupSummary> {
  return { id: group.id, name: group.name, type: group.type, users: await countPersons(persons(group)) };
}

/** users = persons in the group now; new = first seen in the last 7 days; active = any event in them. */
export async function overviewGroup(
  db: Db,
  group: GroupRow,
  persons: GroupPersons,
  now: number,
): Promise<GroupOverview> {
  const since = now - WEEK_MS;
  const [users, newUsers, activeUsers] = await Promise.all([
    countPersons(persons(group)),
    countPersons(firstSeenSince(persons(group), since)),
    countPersons(activeSince(persons(group), group.project_id, since)),
  ]);
  return {
    id: group.id,
    name: group.name,
    type: group.type,
    ...(group.condition === null ? {} : { condition: JSON.parse(group.condition) as unknown }),
    users,
    ...(group.type === 'static' ? { pending: await countPendingUsers(db, group.id) } : {}),
    ...(group.import_id === null ? {} : { import_id: group.import_id }),
    new_users_7d: newUsers,
    active_users_7d: activeUsers,
    created_at: new Date(group.created_at).toISOString(),
    updated_at: new Date(group.updated_at).toISOString(),
  };
}

export function showMember(row: MemberRow): GroupMember {
  return {
    person_id: row.person_id,
    user_id: row.user_id,
    first_seen: new Date(row.first_seen).toISOString(),
    last_seen: new Date(row.last_seen).toISOString(),
  };
}
