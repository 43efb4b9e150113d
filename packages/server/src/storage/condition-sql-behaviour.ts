import { type RawBuilder, sql } from 'kysely';
import {
  DAY_MS,
  type EventCondition,
  type ExperienceSeenCondition,
  type PageCondition,
  type SessionsCondition,
} from '../conditions/condition.js';
import { EXPERIENCE_IMPRESSION } from '../conditions/person-facts.js';
import type { CompileContext } from './condition-query.js';
import { countPredicate, pagePredicate, type SqlBool } from './condition-sql-values.js';

type BehaviourCondition = EventCondition | PageCondition | SessionsCondition | ExperienceSeenCondition;

/**
 * The events of person `p` (DESIGN §3 rule 5): those carrying its user id, and those without a
 * user id sent from one of its devices (before sign-in, or anonymous), on every device.
 */
function personEvents(context: CompileContext): RawBuilder<boolean> {
  return sql<boolean>`e.project_id = ${context.projectId} and (e.user_id = p.user_id or (e.user_id is null and e.anonymous_id in (select d.anonymous_id from devices d where d.person_id = p.id)))`;
}

function inWindow(days: number | null, context: CompileContext): RawBuilder<boolean> {
  return days === null
    ? sql<boolean>`1 = 1`
    : sql<boolean>`e.timestamp between ${context.now - days * DAY_MS} and ${context.now}`;
}

/** Behaviour leaves: a count of the person's matching events in the window, compared. */
export function behaviourSql(condition: BehaviourCondition, context: CompileContext): SqlBool {
  const events = personEvents(context);
  if ('experience_seen' in condition) {
    const id = context.dialect.jsonText(sql`e.properties`, 'experience_id');
    return sql<boolean>`exists (select 1 from events e where ${events} and e.type = 'track' and e.name = ${EXPERIENCE_IMPRESSION} and ${id} = ${condition.experience_seen})`;
  }
  if ('sessions' in condition) {
    const count = sql`(select count(distinct e.anonymous_id || ' ' || e.session_id) from events e where ${events} and e.session_id is not null and e.anonymous_id is not null and ${inWindow(condition.within_days, context)})`;
    return countPredicate(condition.sessions, count);
  }
  const matches =
    'event' in condition
      ? sql<boolean>`e.type = 'track' and e.name = ${condition.event}`
      : sql<boolean>`e.type = 'page' and e.url is not null and ${pagePredicate(condition.page, sql`e.url`, context.dialect)}`;
  const count = sql`(select count(*) from events e where ${events} and ${matches} and ${inWindow(condition.within_days, context)})`;
  return countPredicate(condition.count, count);
}
