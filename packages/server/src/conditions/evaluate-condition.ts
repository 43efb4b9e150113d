import {
  type Condition,
  type CountTest,
  DAY_MS,
  type GroupDefinition,
  type PageOp,
  type VisitFacts,
} from './condition.js';
import { matchesValueTest, typedScalar } from './match-value.js';
import { EXPERIENCE_IMPRESSION, type PersonEventFact, type PersonFacts } from './person-facts.js';
import { regexMatches } from './safe-regex.js';

export interface EvaluationContext {
  /** The time windows end here (ms). */
  now: number;
  /** The visit being decided; without it a visit leaf matches when any of the person's devices does. */
  visit?: VisitFacts;
  /** The groups `in_group` may name; an unknown one matches no one. */
  groups: ReadonlyMap<string, GroupDefinition>;
}

/**
 * Whether a person matches a parsed condition, in memory (decide, webhooks). Never throws; the
 * same meaning as the SQL `personsMatching` compiles. A group that names itself, directly or
 * through others, does not match inside itself.
 */
export function evaluateCondition(
  condition: Condition,
  facts: PersonFacts,
  context: EvaluationContext,
): boolean {
  return evaluate(condition, facts, context, new Set());
}

function evaluate(
  condition: Condition,
  facts: PersonFacts,
  context: EvaluationContext,
  enclosingGroups: Set<string>,
): boolean {
  const recurse = (c: Condition) => evaluate(c, facts, context, enclosingGroups);
  if ('all' in condition) return condition.all.every(recurse);
  if ('any' in condition) return condition.any.some(recurse);
  if ('not' in condition) return !recurse(condition.not);
  if ('attr' in condition) {
    return matchesValueTest(
      condition.test,
      condition.type,
      facts.attributes.get(condition.attr),
      context.now,
    );
  }
  if ('visit' in condition) {
    const type = condition.visit === 'new_visitor' ? 'boolean' : 'string';
    const test = (visit: VisitFacts) =>
      matchesValueTest(condition.test, type, typedScalar(visit[condition.visit]), context.now);
    return context.visit ? test(context.visit) : facts.devices.some(test);
  }
  if ('in_group' in condition) {
    const id = condition.in_group;
    const group = context.groups.get(id);
    if (!group || enclosingGroups.has(id)) return false;
    if (group.kind === 'static') return facts.staticGroupIds.has(id);
    return evaluate(group.condition, facts, context, new Set([...enclosingGroups, id]));
  }
  if ('identified' in condition) return facts.identified === condition.identified;
  if ('imported' in condition) return facts.imported === condition.imported;
  if ('bound' in condition) return facts.bound === condition.bound;
  if ('experience_seen' in condition) {
    return facts.events.some(
      (e) =>
        e.type === 'track' &&
        e.name === EXPERIENCE_IMPRESSION &&
        e.experienceId === condition.experience_seen,
    );
  }
  const inWindow = (days: number | null) => (e: PersonEventFact) =>
    days === null || (e.timestamp >= context.now - days * DAY_MS && e.timestamp <= context.now);
  if ('sessions' in condition) {
    const sessions = new Set(
      facts.events
        .filter((e) => e.session !== null && inWindow(condition.within_days)(e))
        .map((e) => e.session),
    );
    return countPasses(condition.sessions, sessions.size);
  }
  const matches =
    'event' in condition
      ? (e: PersonEventFact) => e.type === 'track' && e.name === condition.event
      : (e: PersonEventFact) => e.type === 'page' && e.url !== null && pageMatches(condition.page, e.url);
  const count = facts.events.filter((e) => matches(e) && inWindow(condition.within_days)(e)).length;
  return countPasses(condition.count, count);
}

export function countPasses(test: CountTest, count: number): boolean {
  const v = test.value;
  switch (test.op) {
    case 'eq':
      return count === v;
    case 'neq':
      return count !== v;
    case 'gt':
      return count > (v as number);
    case 'gte':
      return count >= (v as number);
    case 'lt':
      return count < (v as number);
    case 'lte':
      return count <= (v as number);
    case 'between':
      return count >= (v as number[])[0] && count <= (v as number[])[1];
  }
}

/** Whether a page URL passes a page rule (exact, case-sensitive text; regex as ECMAScript). */
export function pageMatches(rule: { op: PageOp; value: string }, url: string): boolean {
  switch (rule.op) {
    case 'equals':
      return url === rule.value;
    case 'contains':
      return url.includes(rule.value);
    case 'starts_with':
      return url.startsWith(rule.value);
    case 'regex':
      return regexMatches(rule.value, url);
  }
}
