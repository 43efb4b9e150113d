import type { Condition, GroupDefinition } from './condition.js';

/**
 * Whether judging a condition reads the person's events: a behaviour leaf (an event, a page, a
 * sessions count, an experience seen), in the condition itself or in a dynamic group it names.
 * Only the leaves known to read no event say no, so a leaf kind added later counts as reading them.
 */
export function readsEvents(
  condition: Condition,
  groups: ReadonlyMap<string, GroupDefinition>,
  followed: Set<string> = new Set(),
): boolean {
  if ('all' in condition) return condition.all.some((c) => readsEvents(c, groups, followed));
  if ('any' in condition) return condition.any.some((c) => readsEvents(c, groups, followed));
  if ('not' in condition) return readsEvents(condition.not, groups, followed);
  if ('in_group' in condition) {
    const group = groups.get(condition.in_group);
    if (!group || group.kind === 'static' || followed.has(condition.in_group)) return false;
    followed.add(condition.in_group);
    return readsEvents(group.condition, groups, followed);
  }
  return !(
    'attr' in condition ||
    'visit' in condition ||
    'identified' in condition ||
    'imported' in condition ||
    'bound' in condition
  );
}
