import type { AttributeType } from '../attributes/attribute-types.js';

/**
 * A parsed, checked condition (DESIGN §5). `parseCondition` turns the JSON a user sends into this
 * form: operators checked, values read through the attribute's type (datetimes as milliseconds),
 * defaults filled in. Save the JSON the user sent and parse it again when it is used, so a type
 * the owner declares later applies.
 */
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | AttributeCondition
  | EventCondition
  | PageCondition
  | SessionsCondition
  | ExperienceSeenCondition
  | VisitCondition
  | { in_group: string }
  | { identified: boolean }
  | { imported: boolean }
  | { bound: boolean };

/** Operators on values (DESIGN §5). */
export const VALUE_OPS = [
  'eq',
  'neq',
  'in',
  'nin',
  'contains',
  'not_contains',
  'starts_with',
  'ends_with',
  'regex',
  'gt',
  'gte',
  'lt',
  'lte',
  'between',
  'is_set',
  'is_not_set',
  'before',
  'after',
  'within_last_days',
  'more_than_days_ago',
] as const;
export type ValueOp = (typeof VALUE_OPS)[number];

/** Each negative operator is exactly the negation of its positive one. */
export const NEGATION_OF: Partial<Record<ValueOp, ValueOp>> = {
  neq: 'eq',
  nin: 'in',
  not_contains: 'contains',
  is_not_set: 'is_set',
};

/** A comparison whose value was read through the compared type: a number, an instant (ms), a boolean or text. */
export type TestValue = string | number | boolean;

/**
 * One operator with its value: `in`/`nin` take a list, `between` `[low, high]`, `is_set` and
 * `is_not_set` none; `within_last_days`/`more_than_days_ago` a number of days.
 */
export interface ValueTest {
  op: ValueOp;
  value: TestValue | TestValue[] | null;
}

/**
 * How a value is compared: numerically, as an instant, as a boolean, as exact text, or as a list
 * (whose elements are compared as text; a scalar value is a list of one).
 */
export type ComparedAs = AttributeType;

export interface AttributeCondition {
  attr: string;
  /** The attribute's type when the condition was parsed. */
  type: ComparedAs;
  test: ValueTest;
}

/** How many matching events a behaviour leaf needs; defaults to at least one. */
export interface CountTest {
  op: 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'between';
  value: number | [number, number];
}

export interface EventCondition {
  event: string;
  count: CountTest;
  /** Rolling window: from now − D × 24 h to now; null for all time. */
  within_days: number | null;
}

export const PAGE_OPS = ['equals', 'contains', 'starts_with', 'regex'] as const;
export type PageOp = (typeof PAGE_OPS)[number];

export interface PageCondition {
  page: { op: PageOp; value: string };
  count: CountTest;
  within_days: number | null;
}

export interface SessionsCondition {
  sessions: CountTest;
  within_days: number | null;
}

export interface ExperienceSeenCondition {
  experience_seen: string;
}

export const VISIT_FIELDS = [
  'device_type',
  'os',
  'browser',
  'new_visitor',
  'landing_page',
  'referrer_host',
  'utm_source',
  'utm_medium',
  'utm_campaign',
] as const;
export type VisitField = (typeof VISIT_FIELDS)[number];

export interface VisitCondition {
  visit: VisitField;
  test: ValueTest;
}

/** What is known of the visit being decided (or of one device, when counting in SQL). */
export interface VisitFacts {
  device_type: string | null;
  os: string | null;
  browser: string | null;
  new_visitor: boolean;
  landing_page: string | null;
  referrer_host: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
}

/** A group a condition may name with `in_group`. */
export type GroupDefinition = { kind: 'dynamic'; condition: Condition } | { kind: 'static' };

export const DAY_MS = 24 * 60 * 60 * 1000;
