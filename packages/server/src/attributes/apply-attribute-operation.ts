import type { AttributeOperation, AttributeValue, Scalar } from './attribute-operation.js';

/** An attribute as stored: a live value, or a tombstone (`value` undefined) left by unset. */
export interface StoredAttribute {
  value: AttributeValue | undefined;
  /** Message time of the write that produced it. */
  updatedAt: number;
}

/**
 * Applies one operation at message time `at` to the stored attribute; returns the new state, or
 * null when nothing changes.
 * strategy: set and unset are last-writer-wins by message time, so a late or replayed message
 * never overwrites a newer value (ties go to the later arrival). set_once writes only where there
 * is no live value. increment, append, union and remove build on the current value whatever its
 * time (they commute with each other) and move the time forward to the newest write.
 */
export function applyAttributeOperation(
  current: StoredAttribute | undefined,
  operation: AttributeOperation,
  at: number,
): StoredAttribute | null {
  const live = current?.value;
  const newest = Math.max(current?.updatedAt ?? at, at);
  switch (operation.op) {
    case 'set':
      if (current && current.updatedAt > at) return null;
      return { value: operation.value, updatedAt: at };
    case 'unset':
      if (current && current.updatedAt > at) return null;
      // A tombstone still moves forward in time, so a late older set cannot bring the value back.
      if (current && live === undefined && current.updatedAt === at) return null;
      return { value: undefined, updatedAt: at };
    case 'set_once':
      if (live !== undefined || (current && current.updatedAt > at)) return null;
      return { value: operation.value, updatedAt: at };
    case 'increment': {
      const base =
        typeof live === 'number' ? live : typeof live === 'string' && live.trim() !== '' ? Number(live) : 0;
      if (!Number.isFinite(base)) return null;
      return { value: base + operation.by, updatedAt: newest };
    }
    case 'append':
      return { value: [...asList(live), operation.value], updatedAt: newest };
    case 'union': {
      const list = asList(live);
      const added = operation.values.filter((v, i) => !list.includes(v) && operation.values.indexOf(v) === i);
      if (added.length === 0 && Array.isArray(live)) return null;
      return { value: [...list, ...added], updatedAt: newest };
    }
    case 'remove': {
      if (live === undefined) return null;
      const list = asList(live);
      const kept = list.filter((v) => !operation.values.includes(v));
      if (kept.length === list.length) return null;
      return { value: kept, updatedAt: newest };
    }
  }
}

function asList(value: AttributeValue | undefined): Scalar[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
