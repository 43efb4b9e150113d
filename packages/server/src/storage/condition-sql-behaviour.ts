import { type RawBuilder, sql } from 'kysely';
import {
  DAY_MS,
  type EventCondition,
  type ExperienceSeenCondition,
  type PageCondition,
  type SessionsCondition,
} from '../conditions/condition.js';
import { countPasses } from '../conditions/evaluate-condition.js';
import { EXPERIENCE_IMPRESSION } from '../conditions/person-facts.js';
import type { CompileContext } from './condition-query.js';
import { countPredicate, idWindowSql, pagePredicate, type SqlBool } from './condition-sql-values.js';
import { rollupSpan } from './event-rollup-span.js';

type BehaviourCondition = EventCondition | PageCondition | SessionsCondition | ExperienceSeenCondition;

/**
 * The project's events passing `filter`, each with the person it belongs to (DESIGN §3 rule 5):
 * by its user id when it carries one, else by the device that sent it — so a person's events
 * come from all its devices, before sign-in included. Two index-friendly joins, not one OR.
 * "No user id" is written `coalesce(e.user_id, '') = ''` (no user id is empty: it would be
 * illegal) so that the planner reads the events by name and time rather than every event without
 * a user id through the user-id index.
 */
function eventsByPerson(filter: RawBuilder<boolean>, context: CompileContext): RawBuilder<unknown> {
  return sql`select pu.id as person_id, e.anonymous_id, e.session_id from events e
      join persons pu on pu.project_id = e.project_id and pu.user_id = e.user_id
      where e.project_id = ${context.projectId} and ${filter}
    union all
    select d.person_id, e.anonymous_id, e.session_id from events e
      join devices d on d.project_id = e.project_id and d.anonymous_id = e.anonymous_id
      where e.project_id = ${context.projectId} and coalesce(e.user_id, '') = '' and ${filter}`;
}

function inWindow(days: number | null, context: CompileContext): RawBuilder<boolean> {
  return days === null
    ? sql<boolean>`1 = 1`
    : sql<boolean>`e.timestamp between ${context.now - days * DAY_MS} and ${context.now}`;
}

/**
 * The rows a count reads, each with `person_id` and the columns in `columns` (their names as in
 * `event_rollup`; `n` the number of events the row stands for): the whole hours of the window
 * from the rollup, the partial hours at its ends (or a window before 1970) from the events.
 * `rollupFilter` and `eventFilter` say the same of a rollup row and of an event.
 */
function windowRows(
  days: number | null,
  filters: { rollup: RawBuilder<boolean>; events: RawBuilder<boolean> },
  context: CompileContext,
): RawBuilder<unknown> {
  // In a page's window the rows are read by person (index `event_rollup_name_person`, 0025): the
  // unary plus keeps both planners off the hour range of `event_rollup_name`.
  // Elsewhere by hour (`event_rollup_name`): the plus keeps SQLite off the person index there.
  const hour = context.ids ? sql`+r.hour` : sql`r.hour`;
  const persons = context.ids
    ? sql<boolean>`r.person_id is not null and ${idWindowSql(sql.ref('r.person_id'), context.ids)}`
    : sql<boolean>`+r.person_id is not null`;
  const fromRollup = (hours: RawBuilder<boolean>) =>
    sql`select r.person_id, r.anonymous_id, r.session_id, r.events as n from event_rollup r
      where r.project_id = ${context.projectId} and ${persons} and ${filters.rollup} and ${hours}`;
  const fromEvents = (lo: number, hi: number) =>
    sql`select x.person_id, x.anonymous_id, x.session_id, 1 as n from (${eventsByPerson(
      sql<boolean>`${filters.events} and e.timestamp between ${lo} and ${hi}`,
      context,
    )}) x`;
  if (days === null) return fromRollup(sql<boolean>`1 = 1`);
  const span = rollupSpan(context.now - days * DAY_MS, context.now);
  const parts = [
    ...(span.hours
      ? [fromRollup(sql<boolean>`${hour} between ${span.hours.from} and ${span.hours.to}`)]
      : []),
    ...span.edges.map((edge) => fromEvents(edge.lo, edge.hi)),
  ];
  return parts.length === 0
    ? sql`select cast(null as bigint) as person_id, cast(null as text) as anonymous_id, cast(null as text) as session_id, 0 as n where 1 = 0`
    : sql.join(parts, sql` union all `);
}

/**
 * Behaviour leaves: a count of the person's matching events in the window, compared. strategy:
 * set-based, not one subquery per person — the persons whose count passes are found by one
 * grouped scan of the matching events. Persons without any matching event have a count of 0,
 * so when 0 passes the test, the leaf is "not among those whose count fails" instead.
 */
export function behaviourSql(condition: BehaviourCondition, context: CompileContext): SqlBool {
  if ('experience_seen' in condition) {
    const id = context.dialect.jsonText(sql`e.properties`, 'experience_id');
    const filter = sql<boolean>`e.type = 'track' and e.name = ${EXPERIENCE_IMPRESSION} and ${id} = ${condition.experience_seen}`;
    return sql<boolean>`p.id in (select x.person_id from (${eventsByPerson(filter, context)}) x)`;
  }
  if ('sessions' in condition) {
    // The rollup writes a missing session or anonymous id as ''.
    const rows = windowRows(
      condition.within_days,
      {
        rollup: sql<boolean>`r.session_id <> '' and r.anonymous_id <> ''`,
        events: sql<boolean>`e.session_id is not null and e.anonymous_id is not null`,
      },
      context,
    );
    return countedSql(condition.sessions, rows, sql`count(distinct x.anonymous_id || ' ' || x.session_id)`);
  }
  if ('event' in condition) {
    const rows = windowRows(
      condition.within_days,
      {
        rollup: sql<boolean>`r.type = 'track' and r.name = ${condition.event}`,
        events: sql<boolean>`e.type = 'track' and e.name = ${condition.event}`,
      },
      context,
    );
    return countedSql(condition.count, rows, sql`sum(x.n)`);
  }
  // Page rules test the URL, which the rollup does not keep: these count the events.
  const matches = sql<boolean>`e.type = 'page' and e.url is not null and ${pagePredicate(condition.page, sql`e.url`, context.dialect)}`;
  const filter = sql<boolean>`${matches} and ${inWindow(condition.within_days, context)}`;
  return countedSql(condition.count, eventsByPerson(filter, context), sql`count(*)`);
}

function countedSql(
  test: EventCondition['count'],
  events: RawBuilder<unknown>,
  count: RawBuilder<unknown>,
): SqlBool {
  if (test.op === 'gte' && test.value === 1) {
    return sql<boolean>`p.id in (select x.person_id from (${events}) x)`;
  }
  const grouped = (having: SqlBool) =>
    sql`select x.person_id from (${events}) x group by x.person_id having ${having}`;
  return countPasses(test, 0)
    ? sql<boolean>`p.id not in (${grouped(sql<boolean>`not (${countPredicate(test, count)})`)})`
    : sql<boolean>`p.id in (${grouped(countPredicate(test, count))})`;
}
