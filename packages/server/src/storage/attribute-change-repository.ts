import type { PersonIds } from './event-repository.js';
import type { Db } from './store.js';

/** The person's identify events at these message times (the writes that set attributes from traffic). */
export async function identifyEventsAt(db: Db, projectId: string, ids: PersonIds, times: number[]) {
  if (times.length === 0) return [];
  return db
    .selectFrom('events')
    .select(['timestamp', 'message_id', 'context'])
    .where('project_id', '=', projectId)
    .where('type', '=', 'identify')
    .where('timestamp', 'in', [...new Set(times)].slice(0, 500))
    .where((eb) => {
      const parts = [
        ...(ids.userId === null ? [] : [eb('user_id', '=', ids.userId)]),
        ...(ids.anonymousIds.length ? [eb('anonymous_id', 'in', ids.anonymousIds)] : []),
      ];
      return parts.length ? eb.or(parts) : eb.val(false);
    })
    .execute();
}

/** Import jobs (not dry runs) that wrote with one of these times (an import writes with its start time). */
export async function importJobsAt(db: Db, projectId: string, times: number[]) {
  if (times.length === 0) return [];
  return db
    .selectFrom('import_jobs')
    .select(['id', 'file_name', 'source', 'started_at'])
    .where('project_id', '=', projectId)
    .where('dry_run', '=', 0)
    .where('started_at', 'in', [...new Set(times)].slice(0, 500))
    .execute();
}

/** One page of an attribute's stored values, by person id. */
export async function pageAttributeValues(
  db: Db,
  projectId: string,
  name: string,
  afterPersonId: number,
  limit: number,
) {
  return db
    .selectFrom('person_attributes')
    .select(['person_id', 'value'])
    .where('project_id', '=', projectId)
    .where('name', '=', name)
    .where('value', 'is not', null)
    .where('person_id', '>', afterPersonId)
    .orderBy('person_id')
    .limit(limit)
    .execute();
}
