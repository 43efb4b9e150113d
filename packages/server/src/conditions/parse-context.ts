import type { AttributeType } from '../attributes/attribute-types.js';

/** A refused condition: where (a JSON pointer into the request body) and why. */
export interface ConditionRefusal {
  ok: false;
  pointer: string;
  message: string;
}

/** Something allowed but worth telling the user (an attribute no person holds yet). */
export interface ConditionWarning {
  pointer: string;
  code: 'UNKNOWN_ATTRIBUTE';
  message: string;
}

/** What the leaf parsers share while one condition is parsed. */
export interface ParseContext {
  attributeTypes: ReadonlyMap<string, AttributeType>;
  warnings: ConditionWarning[];
  groupIds: Set<string>;
}

export function refuse(pointer: string, message: string): ConditionRefusal {
  return { ok: false, pointer, message };
}

export function isRefusal(value: unknown): value is ConditionRefusal {
  return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first key of `node` that is not in `allowed`, as a refusal; null when all are known. */
export function unknownKey(
  node: Record<string, unknown>,
  allowed: readonly string[],
  pointer: string,
  what: string,
): ConditionRefusal | null {
  for (const key of Object.keys(node)) {
    if (!allowed.includes(key)) {
      return refuse(
        `${pointer}/${escapePointer(key)}`,
        `unknown key "${key}" in ${what} (expected ${allowed.join(', ')})`,
      );
    }
  }
  return null;
}

export function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** Longest text value or pattern a condition may hold. */
export const MAX_TEXT_LENGTH = 4096;
/** Most values of an `in` / `nin` list. */
export const MAX_LIST_VALUES = 1000;
/** Longest window or age in days (100 years). */
export const MAX_DAYS = 36_500;

/** A whole number of days from 0 to MAX_DAYS, or a refusal. */
export function parseDays(value: unknown, pointer: string, what: string): number | ConditionRefusal {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_DAYS) {
    return refuse(pointer, `${what} must be a whole number of days from 0 to ${MAX_DAYS}`);
  }
  return value;
}
