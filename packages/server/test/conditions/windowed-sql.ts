import type { Condition } from '../../src/conditions/condition.js';
import { type MatchOptions, personsMatching } from '../../src/storage/condition-query.js';
import type { Db } from '../../src/storage/store.js';

/**
 * The persons a condition matches as a member page finds them: the condition compiled for a
 * window of ids (attribute leaves probed by primary key, behaviour leaves read by person), here
 * one window per person — `(id - 1, id]`, the last with no upper end — so a window that let in
 * another person's rows, or left out its own, changes the answer.
 */
export async function matchingInWindows(
  db: Db,
  projectId: string,
  condition: Condition,
  options: MatchOptions,
  personIds: Iterable<number>,
): Promise<number[]> {
  const ids = [...personIds].sort((a, b) => a - b);
  const found: number[] = [];
  for (const [i, id] of ids.entries()) {
    const upTo = i === ids.length - 1 ? null : id;
    const rows = await personsMatching(db, projectId, condition, { ...options, ids: { after: id - 1, upTo } })
      .select('p.id')
      .execute();
    found.push(...rows.map((r) => Number(r.id)));
  }
  return found;
}
