import { sql } from 'kysely';
import type { Db } from '../../src/storage/store.js';

export interface RollupRow {
  key: string;
  events: number;
  person_id: number | null;
  report_person_id: number | null;
  device_type: string | null;
}

const rowKey = (r: Record<string, unknown>) =>
  [r.hour, r.type, r.name, r.user_id, r.anonymous_id, r.session_id].map(String).join('|');

/** The rollup as stored, and as counted from `events`, `persons` and `devices` now. */
export async function rollupAndRecount(db: Db, projectId: string): Promise<[RollupRow[], RollupRow[]]> {
  const stored = await db
    .selectFrom('event_rollup')
    .selectAll()
    .where('project_id', '=', projectId)
    .execute();
  const { rows: recounted } = await sql<Record<string, unknown>>`
    select g.*,
      case when g.user_id <> '' then pu.id else d.person_id end as person_id,
      coalesce(pu.id, d.person_id) as report_person_id, d.device_type
    from (select e.timestamp / 3600000 as hour, e.type, coalesce(e.name, '') as name,
        coalesce(e.user_id, '') as user_id, coalesce(e.anonymous_id, '') as anonymous_id,
        coalesce(e.session_id, '') as session_id, count(*) as events
      from events e where e.project_id = ${projectId} group by 1, 2, 3, 4, 5, 6) g
    left join persons pu on pu.project_id = ${projectId} and pu.user_id = g.user_id
    left join devices d on d.project_id = ${projectId} and d.anonymous_id = g.anonymous_id`.execute(db);
  const shape = (r: Record<string, unknown>): RollupRow => ({
    key: rowKey(r),
    events: Number(r.events),
    person_id: r.person_id === null ? null : Number(r.person_id),
    report_person_id: r.report_person_id === null ? null : Number(r.report_person_id),
    device_type: (r.device_type as string | null) ?? null,
  });
  const sorted = (rows: Record<string, unknown>[]) =>
    rows.map(shape).sort((a, b) => a.key.localeCompare(b.key));
  return [sorted(stored), sorted(recounted)];
}
