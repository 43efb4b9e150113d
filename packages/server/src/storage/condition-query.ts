import { type RawBuilder, sql } from 'kysely';
import type {
  AttributeCondition,
  Condition,
  GroupDefinition,
  VisitCondition,
  VisitField,
} from '../conditions/condition.js';
import { NEGATION_OF } from '../conditions/condition.js';
import { countPasses } from '../conditions/evaluate-condition.js';
import { behaviourSql } from './condition-sql-behaviour.js';
import { type ConditionSqlDialect, conditionSqlDialect } from './condition-sql-dialect.js';
import {
  type IdWindow,
  idWindowSql,
  positivePredicate,
  type SqlBool,
  typedColumn,
} from './condition-sql-values.js';

export type { IdWindow };

import type { Db } from './store.js';

export interface MatchOptions {
  /** The time windows end here (ms). */
  now: number;
  /** The groups `in_group` may name; an unknown one matches no one. */
  groups: ReadonlyMap<string, GroupDefinition>;
  /**
   * Only the persons with ids in `(after, upTo]` (`upTo` null: no end), a window of a member page.
   * The restriction reaches inside the condition's subqueries, so a window costs what its persons
   * cost rather than what the whole project does.
   */
  ids?: IdWindow;
}

/** What compiling one condition needs. */
export interface CompileContext extends MatchOptions {
  projectId: string;
  dialect: ConditionSqlDialect;
  /** Dynamic groups being expanded: one naming itself matches no one inside itself. */
  enclosingGroups: ReadonlySet<string>;
  /**
   * The caller restricts `p` to a few ids (`groupMembersAmong`): attribute and static-group leaves
   * then look up each person's own row by key, in a subquery that names `p.id`. PostgreSQL keeps
   * such a subquery per row; the uncorrelated form becomes a join that, without statistics (rows
   * of this very transaction), it drove from every holder of the attribute in the project.
   */
  perPerson?: boolean;
}

/**
 * The persons of a project matching a parsed condition: a select over `persons as p` that callers
 * count, page (`order by p.id`, `p.id > cursor`) or join. Names and values are bound parameters.
 * Same meaning as `evaluateCondition` in memory; a visit leaf matches when any of the person's
 * devices does.
 */
export function personsMatching(db: Db, projectId: string, condition: Condition, options: MatchOptions) {
  const context: CompileContext = {
    ...options,
    projectId,
    dialect: conditionSqlDialect(db),
    enclosingGroups: new Set(),
  };
  const driven = options.ids !== undefined || startsFromPersons(condition, options.groups, new Set());
  return db
    .selectFrom('persons as p')
    .where(projectOfPersons(projectId, driven))
    .$if(options.ids !== undefined, (q) => q.where(idWindowSql(sql.ref('p.id'), options.ids)))
    .where(compileCondition(condition, context));
}

/**
 * `p.project_id = ?`; when the persons come from elsewhere (`driven`: a window of ids, or a set of
 * persons a behaviour leaf finds), written so that no index can serve it. Without ANALYZE
 * statistics SQLite would otherwise walk every person of the project by the `(project_id, …)`
 * indexes and test each, instead of reading the window or the set by primary key.
 */
export function projectOfPersons(projectId: string, driven: boolean): SqlBool {
  return driven ? sql<boolean>`p.project_id || '' = ${projectId}` : sql<boolean>`p.project_id = ${projectId}`;
}

/** Whether every person the condition matches is in the set of a leaf that `drivesPersons`. */
function startsFromPersons(
  condition: Condition,
  groups: ReadonlyMap<string, GroupDefinition>,
  expanding: ReadonlySet<string>,
): boolean {
  if ('all' in condition) return condition.all.some((c) => startsFromPersons(c, groups, expanding));
  if ('in_group' in condition) {
    const group = groups.get(condition.in_group);
    if (group?.kind !== 'dynamic' || expanding.has(condition.in_group)) return false;
    return startsFromPersons(group.condition, groups, new Set([...expanding, condition.in_group]));
  }
  return drivesPersons(condition);
}

/**
 * strategy: every leaf compiles to an expression that is true or false, never NULL, so `not`
 * is an exact negation: attribute leaves are `p.id in (…)` over the typed columns, or a probe of
 * the person's row by primary key when a sibling behaviour leaf already bounds the persons (or in
 * a page's window), behaviour leaves compare a count of the person's events, the rest test
 * `persons` and `devices` directly.
 */
export function compileCondition(condition: Condition, context: CompileContext): SqlBool {
  const recurse = (c: Condition) => compileCondition(c, context);
  if ('all' in condition) {
    if (condition.all.length === 0) return sql<boolean>`1 = 1`;
    // A sibling that is a bounded set drives: attribute leaves probe its persons one by one.
    const probe = context.ids !== undefined || condition.all.some(drivesPersons);
    const parts = condition.all.map((c) => ('attr' in c ? attributeSql(c, context, probe) : recurse(c)));
    return sql<boolean>`(${sql.join(parts, sql` and `)})`;
  }
  if ('any' in condition) {
    return condition.any.length === 0
      ? sql<boolean>`1 = 0`
      : sql<boolean>`(${sql.join(condition.any.map(recurse), sql` or `)})`;
  }
  if ('not' in condition) return sql<boolean>`not (${recurse(condition.not)})`;
  if ('attr' in condition) return attributeSql(condition, context, context.ids !== undefined);
  if ('visit' in condition) return visitSql(condition, context);
  if ('in_group' in condition) {
    const id = condition.in_group;
    const group = context.groups.get(id);
    if (!group || context.enclosingGroups.has(id)) return sql<boolean>`1 = 0`;
    if (group.kind === 'static') {
      if (context.perPerson) {
        return sql<boolean>`p.id in (select gm.person_id from group_members gm where gm.person_id = p.id and gm.group_id = ${id})`;
      }
      return sql<boolean>`exists (select 1 from group_members gm where gm.group_id = ${id} and gm.person_id = p.id)`;
    }
    return compileCondition(group.condition, {
      ...context,
      enclosingGroups: new Set([...context.enclosingGroups, id]),
    });
  }
  if ('identified' in condition) return isSet(sql`p.user_id`, condition.identified);
  if ('imported' in condition) return isSet(sql`p.imported_at`, condition.imported);
  if ('bound' in condition) return isSet(sql`p.bound_at`, condition.bound);
  return behaviourSql(condition, context);
}

function isSet(column: RawBuilder<unknown>, set: boolean): SqlBool {
  return set ? sql<boolean>`${column} is not null` : sql<boolean>`${column} is null`;
}

/** Default attributes, computed from the person and its devices as profiles/default-attributes.ts does. */
const DEFAULT_ATTRIBUTE_SQL: Record<string, RawBuilder<unknown>> = {
  $first_seen: sql`p.first_seen`,
  $last_seen: sql`p.last_seen`,
  $total_sessions: sql`(select coalesce(sum(d.session_count), 0) from devices d where d.person_id = p.id)`,
  $device_count: sql`(select count(*) from devices d where d.person_id = p.id)`,
  $first_referrer: firstDevice('first_referrer'),
  $first_landing_page: firstDevice('first_landing_page'),
  $first_utm_source: firstDevice('utm_source'),
  $first_utm_medium: firstDevice('utm_medium'),
  $first_utm_campaign: firstDevice('utm_campaign'),
  $last_device_type: sql`(select d.device_type from devices d where d.person_id = p.id order by d.last_seen desc, d.first_seen, d.anonymous_id limit 1)`,
};

function firstDevice(column: string): RawBuilder<unknown> {
  return sql`(select ${sql.ref(`d.${column}`)} from devices d where d.person_id = p.id order by d.first_seen, d.anonymous_id limit 1)`;
}

/**
 * Whether a leaf compiles to a set of persons small enough to start from: a behaviour leaf that a
 * person without matching events fails (its persons are those with such events, read from the
 * rollup or the events).
 */
function drivesPersons(condition: Condition): boolean {
  if ('experience_seen' in condition) return true;
  if ('event' in condition || 'page' in condition) return !countPasses(condition.count, 0);
  if ('sessions' in condition) return !countPasses(condition.sessions, 0);
  return false;
}

/**
 * An attribute leaf, as the set of persons whose value passes (`p.id in (…)`: one scan of the
 * attribute's rows), or with `probe` as a test of this person's one row by primary key
 * (`person_id`, `name`) — cheaper when few persons are tested: a member page's window, or the
 * persons of a sibling leaf that drives. The same rows pass either way.
 */
function attributeSql(condition: AttributeCondition, context: CompileContext, probe: boolean): SqlBool {
  const { test, type } = condition;
  const positiveOp = NEGATION_OF[test.op];
  if (positiveOp) {
    const positive = { ...condition, test: { op: positiveOp, value: test.value } };
    return sql<boolean>`not (${attributeSql(positive, context, probe)})`;
  }
  const defaultExpr = DEFAULT_ATTRIBUTE_SQL[condition.attr];
  if (defaultExpr) {
    if (test.op === 'is_set') return sql<boolean>`(${defaultExpr} is not null)`;
    const predicate = positivePredicate(test, defaultExpr, context.dialect, context.now);
    return sql<boolean>`(${defaultExpr} is not null and ${predicate})`;
  }
  const column = sql.ref(`pa.${typedColumn(type)}`);
  let predicate: SqlBool;
  if (test.op === 'is_set') {
    predicate = sql<boolean>`1 = 1`;
  } else if (type === 'list') {
    const scalar = positivePredicate(test, column, context.dialect, context.now);
    const element = positivePredicate(test, sql.ref('j.value'), context.dialect, context.now);
    predicate = sql<boolean>`((pa.items is null and ${column} is not null and ${scalar}) or (pa.items is not null and exists (select 1 from ${context.dialect.listElements(sql.ref('pa.items'))} where ${element})))`;
  } else {
    predicate = sql<boolean>`(${column} is not null and ${positivePredicate(test, column, context.dialect, context.now)})`;
  }
  const passes = sql`pa.name = ${condition.attr} and pa.value is not null and ${predicate}`;
  // The touched persons of a change (`perPerson`): a correlated `in` by primary key, with no project
  // filter, which PostgreSQL cannot turn into one hashed read of every holder of the attribute (it
  // does so with `exists` when the rows, written in the same transaction, have no statistics).
  if (context.perPerson)
    return sql<boolean>`p.id in (select pa.person_id from person_attributes pa where pa.person_id = p.id and ${passes})`;
  // A probe reads the one row by primary key; the project is only checked (no index serves it).
  return probe
    ? sql<boolean>`exists (select 1 from person_attributes pa where pa.person_id = p.id and ${passes} and pa.project_id || '' = ${context.projectId})`
    : sql<boolean>`p.id in (select pa.person_id from person_attributes pa where pa.project_id = ${context.projectId} and ${passes})`;
}

/** Each visit field as a column of the person's devices. */
const VISIT_SQL: Record<VisitField, (dialect: ConditionSqlDialect) => RawBuilder<unknown>> = {
  device_type: () => sql`d.device_type`,
  os: () => sql`d.os`,
  browser: () => sql`d.browser`,
  new_visitor: () => sql`(case when d.session_count <= 1 then 1 else 0 end)`,
  landing_page: () => sql`d.first_landing_page`,
  referrer_host: (dialect) => dialect.urlHost(sql`d.first_referrer`),
  utm_source: () => sql`d.utm_source`,
  utm_medium: () => sql`d.utm_medium`,
  utm_campaign: () => sql`d.utm_campaign`,
};

/** A visit leaf in SQL: any of the person's devices passes it (negative operators per device). */
function visitSql(condition: VisitCondition, context: CompileContext): SqlBool {
  const expr = VISIT_SQL[condition.visit](context.dialect);
  const positiveOp = NEGATION_OF[condition.test.op];
  const positive = (op: typeof condition.test.op) =>
    op === 'is_set'
      ? sql<boolean>`${expr} is not null`
      : sql<boolean>`(${expr} is not null and ${positivePredicate({ op, value: condition.test.value }, expr, context.dialect, context.now)})`;
  const test = positiveOp ? sql<boolean>`not (${positive(positiveOp)})` : positive(condition.test.op);
  return sql<boolean>`exists (select 1 from devices d where d.person_id = p.id and ${test})`;
}
