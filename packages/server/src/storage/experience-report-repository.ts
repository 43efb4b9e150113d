import { sql } from 'kysely';
import type { Db } from './store.js';

/** One event of a report, already resolved to its person (DESIGN §3 rule 5). */
export interface ReportEvent {
  personId: number;
  name: string | null;
  type: string;
  timestamp: number;
  url: string | null;
  properties: Record<string, unknown>;
}

export const EXPERIENCE_EVENTS = [
  '$experience_impression',
  '$experience_click',
  '$experience_dismiss',
] as const;

/**
 * Events of the project in `[from, to)` with their person: by the user id when the event has one,
 * else by its anonymous id's device. `filter` narrows them: the experience events naming
 * `experienceId`, an event by name, or page views.
 */
export async function loadReportEvents(
  db: Db,
  projectId: string,
  range: { from: number; to: number },
  filter: { experienceId: string } | { event: string } | { pageViews: true },
): Promise<ReportEvent[]> {
  let query = db
    .selectFrom('events as e')
    .leftJoin('persons as pu', (join) =>
      join.onRef('pu.project_id', '=', 'e.project_id').onRef('pu.user_id', '=', 'e.user_id'),
    )
    .leftJoin('devices as d', (join) =>
      join.onRef('d.project_id', '=', 'e.project_id').onRef('d.anonymous_id', '=', 'e.anonymous_id'),
    )
    .select([
      'e.name',
      'e.type',
      'e.timestamp',
      'e.url',
      'e.properties',
      'pu.id as user_person',
      'd.person_id as device_person',
    ])
    .where('e.project_id', '=', projectId)
    .where('e.timestamp', '>=', range.from)
    .where('e.timestamp', '<', range.to);
  if ('experienceId' in filter) {
    query = query
      .where('e.name', 'in', [...EXPERIENCE_EVENTS])
      // A coarse text match first; the exact property is checked on the rows read.
      .where(sql<string>`cast(${sql.ref('e.properties')} as text)`, 'like', `%${filter.experienceId}%`);
  } else if ('event' in filter) {
    query = query.where('e.type', '=', 'track').where('e.name', '=', filter.event);
  } else {
    query = query.where('e.type', '=', 'page');
  }
  const rows = await query.execute();
  const events: ReportEvent[] = [];
  for (const row of rows) {
    const personId = row.user_person ?? row.device_person;
    if (personId === null || personId === undefined) continue;
    events.push({
      personId: Number(personId),
      name: row.name,
      type: row.type,
      timestamp: Number(row.timestamp),
      url: row.url,
      properties: (typeof row.properties === 'string'
        ? JSON.parse(row.properties)
        : row.properties) as Record<string, unknown>,
    });
  }
  return events;
}
