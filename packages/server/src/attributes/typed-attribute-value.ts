import type { AttributeValue } from './attribute-operation.js';
import { readAsType } from './attribute-types.js';

/**
 * One stored attribute value read through every type at once, so that a condition compares it
 * through whichever type the attribute has (declared or inferred), without re-reading JSON. The
 * same function fills the typed columns of `person_attributes` and the facts of the in-memory
 * evaluator, so SQL and memory see identical values. A field is null when the value does not read
 * as that type.
 */
export interface TypedAttributeValue {
  /** The value as text (`readAsType(value, 'string')`; a list joined with ", "). */
  text: string;
  /** The value as a number, or null. */
  num: number | null;
  /** The value as an instant (milliseconds since the epoch), or null. */
  time: number | null;
  /** The value as a boolean, or null. */
  bool: boolean | null;
  /** The elements of a list value as text; null for a scalar (which is then its one element). */
  items: string[] | null;
}

export function typedAttributeValue(value: AttributeValue): TypedAttributeValue {
  const text = readAsType(value, 'string');
  const num = readAsType(value, 'number');
  const time = readAsType(value, 'datetime');
  const bool = readAsType(value, 'boolean');
  return {
    text: text.ok ? (text.value as string) : '',
    num: num.ok ? (num.value as number) : null,
    time: time.ok ? Date.parse(time.value as string) : null,
    bool: bool.ok ? (bool.value as boolean) : null,
    items: Array.isArray(value) ? value.map((item) => String(item)) : null,
  };
}

/** The typed columns of `person_attributes` for a stored value (all null for a tombstone). */
export interface TypedAttributeColumns {
  text_value: string | null;
  num_value: number | null;
  time_value: number | null;
  bool_value: number | null;
  items: string | null;
}

export const TYPED_COLUMNS = ['text_value', 'num_value', 'time_value', 'bool_value', 'items'] as const;

export function typedAttributeColumns(value: AttributeValue | undefined): TypedAttributeColumns {
  if (value === undefined) {
    return { text_value: null, num_value: null, time_value: null, bool_value: null, items: null };
  }
  const typed = typedAttributeValue(value);
  return {
    text_value: typed.text,
    num_value: typed.num,
    time_value: typed.time,
    bool_value: typed.bool === null ? null : typed.bool ? 1 : 0,
    items: typed.items === null ? null : JSON.stringify(typed.items),
  };
}

/** The typed columns of a value stored as JSON text (null: a tombstone). */
export function typedColumnsOfJson(json: string | null): TypedAttributeColumns {
  return typedAttributeColumns(json === null ? undefined : (JSON.parse(json) as AttributeValue));
}
