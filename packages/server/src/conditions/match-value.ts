import type { TypedAttributeValue } from '../attributes/typed-attribute-value.js';
import { type ComparedAs, DAY_MS, NEGATION_OF, type TestValue, type ValueTest } from './condition.js';
import { regexMatches } from './safe-regex.js';

/**
 * Whether a value passes a test, compared as `type` (DESIGN §5). strategy: a negative operator is
 * the negation of its positive one, so it also matches a missing value; a positive operator needs
 * a value that reads as the type, and on a list any element will do.
 */
export function matchesValueTest(
  test: ValueTest,
  type: ComparedAs,
  value: TypedAttributeValue | undefined,
  now: number,
): boolean {
  const positive = NEGATION_OF[test.op];
  if (positive) return !matchesValueTest({ op: positive, value: test.value }, type, value, now);
  if (value === undefined) return false;
  if (test.op === 'is_set') return true;
  return elementsOf(value, type).some((element) => matchesOne(test, element, now));
}

function elementsOf(value: TypedAttributeValue, type: ComparedAs): TestValue[] {
  const present = <T>(x: T | null): T[] => (x === null ? [] : [x]);
  switch (type) {
    case 'list':
      return value.items ?? [value.text];
    case 'string':
      return [value.text];
    case 'number':
      return present(value.num);
    case 'datetime':
      return present(value.time);
    case 'boolean':
      return present(value.bool);
  }
}

function matchesOne(test: ValueTest, element: TestValue, now: number): boolean {
  const v = test.value;
  // Order operators only reach numbers and instants (parseValueTest checks the type).
  const n = element as number;
  switch (test.op) {
    case 'eq':
      return element === v;
    case 'in':
      return (v as TestValue[]).includes(element);
    case 'contains':
      return String(element).includes(v as string);
    case 'starts_with':
      return String(element).startsWith(v as string);
    case 'ends_with':
      return String(element).endsWith(v as string);
    case 'regex':
      return regexMatches(v as string, String(element));
    case 'gt':
    case 'after':
      return n > (v as number);
    case 'gte':
      return n >= (v as number);
    case 'lt':
    case 'before':
      return n < (v as number);
    case 'lte':
      return n <= (v as number);
    case 'between': {
      const [low, high] = v as number[];
      return n >= low && n <= high;
    }
    case 'within_last_days':
      return n >= now - (v as number) * DAY_MS && n <= now;
    case 'more_than_days_ago':
      return n < now - (v as number) * DAY_MS;
    default:
      return false;
  }
}

/** A scalar as a typed value, for comparing visit fields like attributes. */
export function typedScalar(value: string | boolean | null): TypedAttributeValue | undefined {
  if (value === null) return undefined;
  return typeof value === 'boolean'
    ? { text: String(value), num: null, time: null, bool: value, items: null }
    : { text: value, num: null, time: null, bool: null, items: null };
}
