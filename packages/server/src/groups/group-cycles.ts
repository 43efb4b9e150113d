/** An `in_group` edge: group `from`'s condition names group `to`. */
export interface GroupUse {
  from: string;
  to: string;
}

/**
 * The cycle that giving `groupId` the uses `uses` would close, as the path of group ids from
 * `groupId` back to itself; null when there is none.
 * strategy: replace `groupId`'s edges by the new ones, then search depth first from each group it
 * would use, remembering visited groups, for a way back to `groupId`. Groups are few (hundreds),
 * so a walk over all edges is cheap.
 */
export function findGroupCycle(
  edges: readonly GroupUse[],
  groupId: string,
  uses: readonly string[],
): string[] | null {
  const next = new Map<string, string[]>();
  for (const edge of edges) {
    if (edge.from === groupId) continue;
    next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to]);
  }
  next.set(groupId, [...uses]);
  const visited = new Set<string>();
  const walk = (id: string, path: string[]): string[] | null => {
    if (id === groupId) return [...path, id];
    if (visited.has(id)) return null;
    visited.add(id);
    for (const to of next.get(id) ?? []) {
      const found = walk(to, [...path, id]);
      if (found) return found;
    }
    return null;
  };
  for (const used of uses) {
    const found = walk(used, [groupId]);
    if (found) return found;
  }
  return null;
}

/**
 * The JSON pointer of the first `in_group` leaf naming `groupId` inside a condition as the user sent
 * it (`/condition/all/1/in_group`), or `base` when there is none.
 */
export function inGroupPointer(node: unknown, groupId: string, base: string): string {
  const search = (value: unknown, pointer: string): string | null => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    const object = value as Record<string, unknown>;
    if (object.in_group === groupId) return `${pointer}/in_group`;
    for (const key of ['all', 'any'] as const) {
      const list = object[key];
      if (!Array.isArray(list)) continue;
      for (const [i, child] of list.entries()) {
        const found = search(child, `${pointer}/${key}/${i}`);
        if (found) return found;
      }
    }
    return object.not === undefined ? null : search(object.not, `${pointer}/not`);
  };
  return search(node, base) ?? base;
}
