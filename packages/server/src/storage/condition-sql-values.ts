import { type RawBuilder, sql } from 'kysely';
import {
  type ComparedAs,
  type CountTest,
  DAY_MS,
  type PageOp,
  type TestValue,
  type ValueTest,
} from '../conditions/condition.js';
import type { ConditionSqlDialect } from './condition-sql-dialect.js';

export type SqlBool = RawBuilder<boolean>;

/** Person ids `after < id <= upTo` (no upper end when `upTo` is null): a member page's window. */
export interface IdWindow {
  after: number;
  upTo: number | null;
}

/** `column` (a person id) inside the window; always true without one. */
export function idWindowSql(column: RawBuilder<unknown>, ids: IdWindow | undefined): SqlBool {
  if (!ids) return sql<boolean>`1 = 1`;
  return ids.upTo === null
    ? sql<boolean>`${column} > ${ids.after}`
    : sql<boolean>`(${column} > ${ids.after} and ${column} <= ${ids.upTo})`;
}

/** The typed column of `person_attributes` a value compared as `type` is read from. */
export function typedColumn(type: ComparedAs): 'text_value' | 'num_value' | 'time_value' | 'bool_value' {
  switch (type) {
    case 'number':
      return 'num_value';
    case 'datetime':
      return 'time_value';
    case 'boolean':
      return 'bool_value';
    default:
      return 'text_value';
  }
}

/** A test value as bound to SQL: booleans are stored as 1 and 0. */
function param(value: TestValue): string | number {
  return typeof value === 'boolean' ? (value ? 1 : 0) : value;
}

/**
 * The SQL of a positive operator on `expr`, which the caller has checked is not null (so the
 * answer is never NULL and `not (…)` is an exact negation). Mirrors `matchesOne` in match-value.ts.
 */
export function positivePredicate(
  test: ValueTest,
  expr: RawBuilder<unknown>,
  dialect: ConditionSqlDialect,
  now: number,
): SqlBool {
  const v = test.value;
  switch (test.op) {
    case 'eq':
      return sql<boolean>`${expr} = ${param(v as TestValue)}`;
    case 'in':
      return sql<boolean>`${expr} in (${sql.join((v as TestValue[]).map(param))})`;
    case 'contains':
      return sql<boolean>`${dialect.position(expr, v as string)} > 0`;
    case 'starts_with':
      return sql<boolean>`${dialect.position(expr, v as string)} = 1`;
    case 'ends_with': {
      const needle = sql`cast(${v as string} as text)`;
      return sql<boolean>`(length(${expr}) >= length(${needle}) and substr(${expr}, length(${expr}) - length(${needle}) + 1) = ${needle})`;
    }
    case 'regex':
      return dialect.regex(expr, v as string);
    case 'gt':
    case 'after':
      return sql<boolean>`${expr} > ${v as number}`;
    case 'gte':
      return sql<boolean>`${expr} >= ${v as number}`;
    case 'lt':
    case 'before':
      return sql<boolean>`${expr} < ${v as number}`;
    case 'lte':
      return sql<boolean>`${expr} <= ${v as number}`;
    case 'between': {
      const [low, high] = v as number[];
      return sql<boolean>`${expr} between ${low} and ${high}`;
    }
    case 'within_last_days':
      return sql<boolean>`${expr} between ${now - (v as number) * DAY_MS} and ${now}`;
    case 'more_than_days_ago':
      return sql<boolean>`${expr} < ${now - (v as number) * DAY_MS}`;
    default:
      return sql<boolean>`1 = 1`;
  }
}

/** A count compared by a count test (never NULL). */
export function countPredicate(test: CountTest, count: RawBuilder<unknown>): SqlBool {
  const v = test.value;
  switch (test.op) {
    case 'between': {
      const [low, high] = v as number[];
      return sql<boolean>`${count} between ${low} and ${high}`;
    }
    case 'eq':
      return sql<boolean>`${count} = ${v as number}`;
    case 'neq':
      return sql<boolean>`${count} <> ${v as number}`;
    case 'gt':
      return sql<boolean>`${count} > ${v as number}`;
    case 'gte':
      return sql<boolean>`${count} >= ${v as number}`;
    case 'lt':
      return sql<boolean>`${count} < ${v as number}`;
    case 'lte':
      return sql<boolean>`${count} <= ${v as number}`;
  }
}

/** A page URL rule on `url` (not null). */
export function pagePredicate(
  rule: { op: PageOp; value: string },
  url: RawBuilder<unknown>,
  dialect: ConditionSqlDialect,
): SqlBool {
  const op = rule.op === 'equals' ? 'eq' : rule.op;
  return positivePredicate({ op, value: rule.value }, url, dialect, 0);
}
