import { sql } from 'kysely';
import type { Db } from '../storage/store.js';

/** The identification figures Data Settings shows (DESIGN §1: "how many users are bound"). */
export async function identificationStats(db: Db, projectId: string) {
  const persons = await db
    .selectFrom('persons')
    .where('project_id', '=', projectId)
    .select([
      sql<number>`count(*)`.as('persons'),
      sql<number>`count(user_id)`.as('identified'),
      sql<number>`sum(case when bound_at is not null then 1 else 0 end)`.as('bound'),
      sql<number>`sum(case when imported_at is not null then 1 else 0 end)`.as('imported'),
      sql<number>`sum(case when imported_at is not null and bound_at is null then 1 else 0 end)`.as(
        'imported_not_bound',
      ),
    ])
    .executeTakeFirstOrThrow();
  const devices = await db
    .selectFrom('devices')
    .innerJoin('persons', 'persons.id', 'devices.person_id')
    .where('devices.project_id', '=', projectId)
    .select([
      sql<number>`count(*)`.as('devices'),
      sql<number>`sum(case when persons.user_id is not null then 1 else 0 end)`.as('identified_devices'),
    ])
    .executeTakeFirstOrThrow();
  const identified = Number(persons.identified);
  const identifiedDevices = Number(devices.identified_devices ?? 0);
  return {
    persons: Number(persons.persons),
    identified,
    anonymous: Number(persons.persons) - identified,
    bound: Number(persons.bound ?? 0),
    imported: Number(persons.imported ?? 0),
    imported_not_bound: Number(persons.imported_not_bound ?? 0),
    devices: Number(devices.devices),
    devices_per_identified_user:
      identified === 0 ? 0 : Math.round((identifiedDevices / identified) * 100) / 100,
  };
}
