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
import { countPredicate, pagePredicate, type SqlBool } from './condition-sql-values.js';

type BehaviourCondition = EventCondition | PageCondition | SessionsCondition | ExperienceSeenCondition;

/**
 * The project's events passing `filter`, each with the person it belongs to (DESIGN §3 rule 5):
 * by its user id when it carries one, else by the device that sent it — so a person's events
 * come from all its devices, before sign-in included. Two index-friendly joins, not one OR.
 */
function eventsByPerson(filter: RawBuilder<boolean>, context: CompileContext): RawBuilder<unknown> {
  return sql`select pu.id as person_id, e.anonymous_id, e.session_id from events e
      join persons pu on pu.project_id = e.project_id and pu.user_id = e.user_id
      where e.project_id = ${context.projectId} and ${filter}
    union all
    select d.person_id, e.anonymous_id, e.session_id from events e
      join devices d on d.project_id = e.project_id and d.anonymous_id = e.anonymous_id
      where e.project_id = ${context.projectId} and e.user_id is null and ${filter}`;
}

function inWindow(days: number | null, context: CompileContext): RawBuilder<boolean> {
  return days === null
    ? sql<boolean>`1 = 1`
    : sql<boolean>`e.timestamp between ${context.now - days * DAY_MS} and ${context.now}`;
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
    const filter = sql<boolean>`e.session_id is not null and e.anonymous_id is not null and ${inWindow(condition.within_days, context)}`;
    return countedSql(
      condition.sessions,
      filter,
      sql`count(distinct x.anonymous_id || ' ' || x.session_id)`,
      context,
    );
  }
  const matches =
    'event' in condition
      ? sql<boolean>`e.type = 'track' and e.name = ${condition.event}`
      : sql<boolean>`e.type = 'page' and e.url is not null and ${pagePredicate(condition.page, sql`e.url`, context.dialect)}`;
  const filter = sql<boolean>`${matches} and ${inWindow(condition.within_days, context)}`;
  return countedSql(condition.count, filter, sql`count(*)`, context);
}

function countedSql(
  test: EventCondition['count'],
  filter: RawBuilder<boolean>,
  count: RawBuilder<unknown>,
  context: CompileContext,
): SqlBool {
  const events = eventsByPerson(filter, context);
  if (test.op === 'gte' && test.value === 1) {
    return sql<boolean>`p.id in (select x.person_id from (${events}) x)`;
  }
  const grouped = (having: SqlBool) =>
    sql`select x.person_id from (${events}) x group by x.person_id having ${having}`;
  return countPasses(test, 0)
    ? sql<boolean>`p.id not in (${grouped(sql<boolean>`not (${countPredicate(test, count)})`)})`
    : sql<boolean>`p.id in (${grouped(countPredicate(test, count))})`;
}
