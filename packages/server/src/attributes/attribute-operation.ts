/** A scalar an attribute can hold; lists hold scalars. */
export type Scalar = string | number | boolean;
export type AttributeValue = Scalar | Scalar[];

/** One change to one attribute of a person (DESIGN §3 rule 7). */
export type AttributeOperation =
  | { op: 'set'; name: string; value: AttributeValue }
  | { op: 'set_once'; name: string; value: AttributeValue }
  | { op: 'unset'; name: string }
  | { op: 'increment'; name: string; by: number }
  | { op: 'append'; name: string; value: Scalar }
  | { op: 'union'; name: string; values: Scalar[] }
  | { op: 'remove'; name: string; values: Scalar[] };

export const MAX_ATTRIBUTE_NAME_LENGTH = 128;
export const MAX_ATTRIBUTE_VALUE_LENGTH = 4096;
export const MAX_LIST_LENGTH = 1000;

/** Why an attribute name cannot be written, or null. `$` names are the system's default attributes. */
export function attributeNameProblem(name: string): string | null {
  if (name.trim().length === 0) return 'attribute name is empty';
  if (name.length > MAX_ATTRIBUTE_NAME_LENGTH)
    return `attribute name "${name.slice(0, 40)}…" is longer than ${MAX_ATTRIBUTE_NAME_LENGTH} characters`;
  if (name.startsWith('$'))
    return `attribute name "${name}" starts with $, which is reserved for default attributes`;
  // A key that plain JavaScript objects treat as their prototype: it would be stored and counted,
  // then vanish from profiles and exports built as objects.
  if (name === '__proto__') return 'attribute name "__proto__" is reserved';
  return null;
}

/** Why a value cannot be stored, or null. Dates arrive as ISO strings (JSON has no date type). */
export function attributeValueProblem(value: unknown): string | null {
  if (typeof value === 'string') {
    return value.length > MAX_ATTRIBUTE_VALUE_LENGTH
      ? `value is longer than ${MAX_ATTRIBUTE_VALUE_LENGTH} characters`
      : null;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? null : 'value is not a finite number';
  if (typeof value === 'boolean') return null;
  if (Array.isArray(value)) {
    if (value.length > MAX_LIST_LENGTH) return `list has more than ${MAX_LIST_LENGTH} items`;
    for (const item of value) {
      if (Array.isArray(item) || (typeof item === 'object' && item !== null))
        return 'lists may hold only scalars';
      const problem = attributeValueProblem(item);
      if (problem) return problem;
    }
    return null;
  }
  return `unsupported value of type ${value === null ? 'null' : typeof value}`;
}
