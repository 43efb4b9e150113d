import type { Db } from './store.js';

/** The persons a decide concerns: the one holding the user id, and the one holding the device. */
export interface DecidePersons {
  userPersonId: number | null;
  device: {
    personId: number;
    userId: string | null;
    sessionCount: number;
    landingPage: string | null;
  } | null;
}

/** Two indexed lookups; nothing is created (decide never writes identity). */
export async function findDecidePersons(
  db: Db,
  projectId: string,
  ids: { userId: string | null; anonymousId: string },
): Promise<DecidePersons> {
  const device = await db
    .selectFrom('devices as d')
    .innerJoin('persons as p', 'p.id', 'd.person_id')
    .select(['d.person_id', 'p.user_id', 'd.session_count', 'd.first_landing_page'])
    .where('d.project_id', '=', projectId)
    .where('d.anonymous_id', '=', ids.anonymousId)
    .executeTakeFirst();
  let userPersonId: number | null = null;
  if (ids.userId !== null) {
    if (device && device.user_id === ids.userId) userPersonId = Number(device.person_id);
    else {
      const person = await db
        .selectFrom('persons')
        .select('id')
        .where('project_id', '=', projectId)
        .where('user_id', '=', ids.userId)
        .executeTakeFirst();
      userPersonId = person ? Number(person.id) : null;
    }
  }
  return {
    userPersonId,
    device: device
      ? {
          personId: Number(device.person_id),
          userId: device.user_id,
          sessionCount: Number(device.session_count),
          landingPage: device.first_landing_page,
        }
      : null,
  };
}

/**
 * How many times the project's experiences, groups or attribute types changed (SQLite: counted by
 * triggers, migration `0015_decide`); 0 before the first change. One primary-key lookup.
 */
export async function definitionsVersion(db: Db, projectId: string): Promise<number> {
  const row = await db
    .selectFrom('definition_versions')
    .select('version')
    .where('project_id', '=', projectId)
    .executeTakeFirst();
  return Number(row?.version ?? 0);
}
