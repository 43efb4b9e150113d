import { warn } from './debug-log.js';
import type { Attributes } from './types.js';

const MAX_DEPTH = 10;

/**
 * A JSON-safe copy of attributes or properties, or `undefined` when nothing usable is left.
 *
 * strategy: one depth-first copy. A value with `toJSON` (Date, Luxon, Moment...) is replaced by
 * what it returns, so dates become ISO strings and invalid dates null; non-finite numbers become
 * null and bigints strings; functions, symbols and `undefined` are dropped as JSON.stringify
 * would. Two things JSON.stringify would throw on or overflow with are dropped with a debug
 * warning instead: a reference back to an object on the current path (a cycle) and nesting past
 * MAX_DEPTH levels. The size of the result is checked later, on the whole message.
 */
export function sanitizeAttributes(value: unknown): Attributes | undefined {
  if (value === undefined || value === null) return undefined;
  const copy = copyJson(value, []);
  if (copy && typeof copy === 'object' && !Array.isArray(copy)) return copy as Attributes;
  warn('attributes and properties must be an object, got', value);
  return undefined;
}

function copyJson(value: unknown, path: object[]): unknown {
  if (value && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON(): unknown }).toJSON();
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return String(value);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value !== 'object') return undefined;
  if (path.includes(value) || path.length >= MAX_DEPTH) {
    warn(
      path.includes(value) ? 'dropped a circular reference' : `dropped data nested over ${MAX_DEPTH} levels`,
    );
    return undefined;
  }
  path.push(value);
  let copy: unknown;
  if (Array.isArray(value)) {
    copy = value.map((item) => copyJson(item, path) ?? null);
  } else {
    const object: Attributes = {};
    for (const key of Object.keys(value)) {
      const item = copyJson((value as Attributes)[key], path);
      if (item !== undefined) object[key] = item;
    }
    copy = object;
  }
  path.pop();
  return copy;
}
