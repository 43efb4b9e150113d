import { type RawBuilder, sql } from 'kysely';
import type { OffsetSegment } from '../reports/time-zone.js';

/** Which events a report reads: one project's, in `[from, to)`. */
export interface ReportWindow {
  projectId: string;
  from: number;
  to: number;
}

/** How events fall into the buckets of a series: wall-clock days or Monday weeks of a zone. */
export interface SeriesBuckets {
  segments: OffsetSegment[];
  unit: 'day' | 'week';
}

/**
 * The events of the window, each with the person it belongs to, as a subquery (`ev`) with
 * `person_id`, `anonymous_id`, `session_id`, `type`, `name`, `device_type`, `timestamp`, `id`,
 * `bucket` and the extra columns asked for.
 * strategy: events are never rewritten, so the person is found at query time (DESIGN §3 rule 5):
 * the person holding the event's user id when it has one, else the person holding its anonymous
 * id's device, so events sent before sign-in count for the person who signed in later. Events of
 * devices flagged as crawlers (`device_type = 'bot'`) are left out.
 */
export function resolvedEvents(
  window: ReportWindow,
  buckets: SeriesBuckets | null,
  extra: RawBuilder<unknown> = sql``,
): RawBuilder<unknown> {
  return sql`(select coalesce(pu.id, d.person_id) as person_id, e.anonymous_id, e.session_id, e.type,
      e.name, d.device_type, e.timestamp, e.id, ${bucketOf(buckets)} as bucket ${extra}
    from events e
    left join persons pu on e.user_id is not null and pu.project_id = e.project_id and pu.user_id = e.user_id
    left join devices d on d.project_id = e.project_id and d.anonymous_id = e.anonymous_id
    where e.project_id = ${window.projectId} and e.timestamp >= ${window.from} and e.timestamp < ${window.to}
      and (d.device_type is null or d.device_type <> 'bot'))`;
}

/**
 * The bucket number of `e.timestamp`: its wall-clock day (days since 1970-01-01 where the owner
 * lives) or the week of that day, numbered so that week n starts on day 7n − 3, a Monday. The
 * zone's offsets over the range are literals computed in code (both backends do the same integer
 * arithmetic; neither needs to know the zone). Without a series, every event is in bucket 0.
 */
function bucketOf(buckets: SeriesBuckets | null): RawBuilder<unknown> {
  if (buckets === null) return sql`0`;
  const { segments } = buckets;
  const offset =
    segments.length === 1
      ? sql.lit(segments[0].offsetMs)
      : sql`case ${sql.join(
          segments
            .slice(1)
            .map(
              (segment, i) =>
                sql`when e.timestamp < ${sql.lit(segment.from)} then ${sql.lit(segments[i].offsetMs)}`,
            ),
          sql` `,
        )} else ${sql.lit(segments[segments.length - 1].offsetMs)} end`;
  const day = sql`((e.timestamp + ${offset}) / 86400000)`;
  return buckets.unit === 'day' ? day : sql`((${day} + 3) / 7)`;
}
