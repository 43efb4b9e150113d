import { listGroups } from '../storage/group-repository.js';
import type { Db } from '../storage/store.js';
import { type GroupSummary, groupPersons } from './group-view.js';

/**
 * The groups a person belongs to now (a profile's "groups"): each group's members narrowed to
 * this one person id, so a dynamic group costs one indexed probe, not a count of its members.
 */
export async function groupsOfPerson(
  db: Db,
  projectId: string,
  personId: number,
  now: number,
): Promise<Omit<GroupSummary, 'users'>[]> {
  const persons = await groupPersons(db, projectId, now);
  const found = [];
  for (const group of await listGroups(db, projectId)) {
    const member = await persons(group).select('p.id').where('p.id', '=', personId).executeTakeFirst();
    if (member) found.push({ id: group.id, name: group.name, type: group.type });
  }
  return found;
}
