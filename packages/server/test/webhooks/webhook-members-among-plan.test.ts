import { afterAll, beforeAll, expect, it } from 'vitest';
import type { GroupDefinition } from '../../src/conditions/condition.js';
import type { Store } from '../../src/storage/store.js';
import { membersAmongQuery } from '../../src/storage/watched-group-repository.js';
import { describeEachBackend, openTestStore } from '../support/test-stores.js';

const HOLDERS = 5_000;
const groups = new Map<string, GroupDefinition>([
  [
    'diamond',
    { kind: 'dynamic', condition: { attr: 'plan', type: 'string', test: { op: 'eq', value: 'diamond' } } },
  ],
  ['listed', { kind: 'static' }],
  [
    'either',
    { kind: 'dynamic', condition: { any: [{ in_group: 'diamond' }, { not: { in_group: 'listed' } }] } },
  ],
]);

/**
 * Webhooks evaluate the persons an upload touched inside its transaction, where PostgreSQL has
 * no statistics for the rows just written. The membership query of a chunk of ids must look up
 * those persons' own rows by key, not read every holder of the attribute in the project (which
 * made each 10,000-row upload cost time in proportion to the project: 74 s a request at 100,000).
 */
describeEachBackend('membership of touched persons reads their rows only', (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await openTestStore(backend));
  });
  afterAll(() => cleanup?.());

  it(`${backend}: in the writing transaction, by key, and as many rows as persons`, async () => {
    await store.db.transaction().execute(async (trx) => {
      const persons = Array.from({ length: HOLDERS }, (_, i) => ({
        project_id: 'p1',
        user_id: `u${i}`,
        created_at: 1,
        first_seen: 1,
        last_seen: 1,
        bound_at: null,
        imported_at: 1,
      }));
      const ids: number[] = [];
      for (let i = 0; i < HOLDERS; i += 500) {
        const rows = await trx
          .insertInto('persons')
          .values(persons.slice(i, i + 500))
          .returning('id')
          .execute();
        ids.push(...rows.map((r) => Number(r.id)));
      }
      for (let i = 0; i < HOLDERS; i += 500) {
        await trx
          .insertInto('person_attributes')
          .values(
            ids.slice(i, i + 500).map((person_id, k) => ({
              project_id: 'p1',
              person_id,
              name: 'plan',
              value: k % 2 === 0 ? '"diamond"' : '"gold"',
              updated_at: 1,
              text_value: k % 2 === 0 ? 'diamond' : 'gold',
              num_value: null,
              time_value: null,
              bool_value: null,
              items: null,
            })),
          )
          .execute();
      }
      await trx
        .insertInto('group_members')
        .values(ids.slice(0, 10).map((person_id) => ({ project_id: 'p1', group_id: 'listed', person_id })))
        .execute();
      const touched = ids.slice(-20);
      const query = membersAmongQuery(trx, 'p1', 'either', groups, 1, touched);
      const members = (await query.execute()).map((r) => Number(r.id));
      expect(members.sort((a, b) => a - b)).toEqual(touched);
      const diamonds = await membersAmongQuery(trx, 'p1', 'diamond', groups, 1, touched).execute();
      expect(diamonds).toHaveLength(10);

      const compiled = query.compile();
      if (backend === 'postgres') {
        const [row] = (
          await trx.executeQuery<{ 'QUERY PLAN': unknown }>({
            ...compiled,
            sql: `explain (analyze, format json) ${compiled.sql}`,
          })
        ).rows;
        const plan = JSON.stringify(row?.['QUERY PLAN']);
        expect(plan).toContain('person_attributes_pk');
        expect(plan).not.toContain('person_attributes_name');
        // Every node reading person_attributes reads at most one row per touched person.
        const read = attributeRowsRead(row?.['QUERY PLAN']);
        expect(read).toBeLessThanOrEqual(touched.length);
      } else {
        const plan = JSON.stringify(
          (await trx.executeQuery({ ...compiled, sql: `explain query plan ${compiled.sql}` })).rows,
        );
        expect(plan).not.toMatch(/SCAN pa\b|person_attributes_name/);
      }
    });
  });
});

/** Rows the plan's person_attributes nodes read (returned or filtered out), all loops counted. */
function attributeRowsRead(plan: unknown): number {
  let total = 0;
  const visit = (node: Record<string, unknown>) => {
    if (node['Relation Name'] === 'person_attributes') {
      const rows = Number(node['Actual Rows']) + Number(node['Rows Removed by Filter'] ?? 0);
      total += rows * Number(node['Actual Loops']);
    }
    for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) visit(child);
  };
  for (const entry of plan as { Plan: Record<string, unknown> }[]) visit(entry.Plan);
  return total;
}
