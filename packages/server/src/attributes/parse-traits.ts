import {
  type AttributeOperation,
  type AttributeValue,
  attributeNameProblem,
  attributeValueProblem,
  type Scalar,
} from './attribute-operation.js';

/** The reserved keys of `traits` that carry operations other than set. */
const OPERATION_KEYS = new Set(['$set', '$set_once', '$unset', '$increment', '$append', '$union', '$remove']);
/** Nested objects are flattened to dotted names (`address.city`) down to this depth. */
const MAX_FLATTEN_DEPTH = 3;

export interface ParsedTraits {
  operations: AttributeOperation[];
  /** Attributes that were skipped, each with why; the rest of the traits still apply. */
  problems: string[];
}

/**
 * Turns Segment `traits` into attribute operations.
 * strategy: plain keys are `set` (null means unset, nested objects flatten to dotted names); the
 * reserved keys `$set_once {name: v}`, `$unset [names]`, `$increment {name: n}`, `$append {name: v}`,
 * `$union {name: [v]}` and `$remove {name: [v]}` carry the other operations. A bad attribute is
 * skipped with a problem named, never the whole message.
 */
export function parseTraits(traits: Record<string, unknown>): ParsedTraits {
  const operations: AttributeOperation[] = [];
  const problems: string[] = [];
  const add = (operation: AttributeOperation, value?: unknown) => {
    const problem =
      attributeNameProblem(operation.name) ?? (value === undefined ? null : attributeValueProblem(value));
    if (problem) problems.push(`${operation.name}: ${problem}`);
    else operations.push(operation);
  };

  const setFlattened = (prefix: string, value: unknown, depth: number) => {
    if (value === null) return add({ op: 'unset', name: prefix });
    if (value === undefined) return;
    if (typeof value === 'object' && !Array.isArray(value)) {
      if (depth >= MAX_FLATTEN_DEPTH)
        return problems.push(`${prefix}: nested deeper than ${MAX_FLATTEN_DEPTH} levels`);
      for (const [key, inner] of Object.entries(value)) setFlattened(`${prefix}.${key}`, inner, depth + 1);
      return;
    }
    add({ op: 'set', name: prefix, value: value as AttributeValue }, value);
  };

  for (const [key, value] of Object.entries(traits)) {
    if (!OPERATION_KEYS.has(key)) {
      setFlattened(key, value, 1);
      continue;
    }
    if (key === '$unset') {
      const names = Array.isArray(value) ? value : typeof value === 'string' ? [value] : null;
      if (!names) problems.push('$unset: expected a list of attribute names');
      else for (const name of names) add({ op: 'unset', name: String(name) });
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(`${key}: expected an object of attribute name to value`);
      continue;
    }
    for (const [name, inner] of Object.entries(value)) {
      switch (key) {
        case '$set':
          setFlattened(name, inner, 1);
          break;
        case '$set_once':
          add({ op: 'set_once', name, value: inner as AttributeValue }, inner);
          break;
        case '$increment':
          if (typeof inner === 'number' && Number.isFinite(inner)) add({ op: 'increment', name, by: inner });
          else problems.push(`${name}: $increment needs a number`);
          break;
        case '$append':
          add({ op: 'append', name, value: inner as Scalar }, [inner]);
          break;
        case '$union':
        case '$remove': {
          const values = (Array.isArray(inner) ? inner : [inner]) as Scalar[];
          add(key === '$union' ? { op: 'union', name, values } : { op: 'remove', name, values }, values);
          break;
        }
      }
    }
  }
  return { operations, problems };
}
