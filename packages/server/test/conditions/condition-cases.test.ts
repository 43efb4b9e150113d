import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { evaluateCondition } from '../../src/conditions/evaluate-condition.js';
import { parseCondition } from '../../src/conditions/parse-condition.js';
import { personsMatching } from '../../src/storage/condition-query.js';
import { loadPersonFacts } from '../../src/storage/person-facts-repository.js';
import type { Store } from '../../src/storage/store.js';
import { groupMembersAmong } from '../../src/storage/watched-group-repository.js';
import { describeEachBackend, openTestStore } from '../support/test-stores.js';
import { loadCaseFile } from './case-file.js';
import { seedCase } from './seed-case.js';
import { matchingInWindows } from './windowed-sql.js';

const file = loadCaseFile(join(import.meta.dirname, 'condition-cases.json'));

it('the case file holds enough cases', () => {
  expect(file.cases.length).toBeGreaterThanOrEqual(150);
});

/**
 * The shared case file, run three ways on each backend: compiled to SQL, once over the project and
 * once restricted to its persons' ids (as webhooks evaluate the persons a change touched, each leaf
 * looking up the person's own rows), and evaluated in memory on the facts loaded for each person
 * (the visit being decided is the person's device when it has exactly one). All must give the
 * expected members.
 */
describeEachBackend('condition cases', (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await openTestStore(backend));
  });
  afterAll(() => cleanup());

  it.each(file.cases.map((c, index) => [c.name, c, index] as const))('%s', async (_name, c, index) => {
    const projectId = `case-${index}`;
    const seeded = await seedCase(store, projectId, c, file.now);
    const parsed = parseCondition(c.condition, { attributeTypes: seeded.attributeTypes });
    if (!parsed.ok) throw new Error(`${parsed.message} at ${parsed.pointer}`);
    const labelOf = new Map([...seeded.personIds].map(([label, id]) => [id, label]));
    const options = { now: file.now, groups: seeded.groups };

    const rows = await personsMatching(store.db, projectId, parsed.condition, options)
      .select('p.id')
      .execute();
    const inSql = rows.map((r) => labelOf.get(Number(r.id)) as string).sort();
    const asGroup = new Map(seeded.groups).set('case', { kind: 'dynamic', condition: parsed.condition });
    const among = await groupMembersAmong(store.db, projectId, 'case', asGroup, file.now, [
      ...labelOf.keys(),
    ]);
    const perPerson = [...among].map((id) => labelOf.get(id) as string).sort();

    const inMemory: string[] = [];
    for (const [label, personId] of seeded.personIds) {
      const facts = await loadPersonFacts(store.db, projectId, personId);
      if (!facts) throw new Error(`no facts for ${label}`);
      const visit = facts.devices.length === 1 ? facts.devices[0] : undefined;
      if (evaluateCondition(parsed.condition, facts, { ...options, visit })) inMemory.push(label);
    }
    const windowed = await matchingInWindows(store.db, projectId, parsed.condition, options, labelOf.keys());
    const inWindows = windowed.map((id) => labelOf.get(id) as string).sort();
    const expected = [...c.expected].sort();
    expect({ sql: inSql, perPerson, memory: inMemory.sort(), windows: inWindows }).toEqual({
      sql: expected,
      perPerson: expected,
      memory: expected,
      windows: expected,
    });
  });
});
