import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { evaluateCondition } from '../../src/conditions/evaluate-condition.js';
import { parseCondition } from '../../src/conditions/parse-condition.js';
import { personsMatching } from '../../src/storage/condition-query.js';
import { loadPersonFacts } from '../../src/storage/person-facts-repository.js';
import type { Store } from '../../src/storage/store.js';
import { describeEachBackend, openTestStore } from '../support/test-stores.js';
import type { CasePerson, ConditionCase } from './case-file.js';
import { seedCase } from './seed-case.js';
import { matchingInWindows } from './windowed-sql.js';

const NOW = Date.parse('2026-06-15T12:00:00.000Z');
const TYPES = { n: 'number', s: 'string', d: 'datetime', b: 'boolean', l: 'list' } as const;

// Small pools, so that random values often meet the random conditions' values.
const TEXTS = ['gold', 'Gold', 'gö', '', "o'k", '"q"', '12', '7.5', 'yes', '2026-06-01', '2026/06/10 08:00'];
const NUMBERS = [0, 7, 7.5, 12, -3, 1e6];
const DATES = [
  '2026-06-01T12:00:00Z',
  '2026-06-08T12:00:00.000Z',
  '2026-05-16T12:00:00Z',
  '2025-01-01',
  '2026/06/14',
];
const anyValue = fc.oneof(
  fc.constantFrom(...TEXTS),
  fc.constantFrom(...NUMBERS),
  fc.constantFrom(...DATES),
  fc.boolean(),
  fc.array(fc.oneof(fc.constantFrom(...TEXTS), fc.constantFrom(...NUMBERS), fc.boolean()), { maxLength: 3 }),
  fc.constant(null),
);
const URLS = [
  'https://shop.example/p/1',
  'https://shop.example/p/22?x=1',
  'https://shop.example/',
  'http://blog.example/Gold',
];

const person = (index: number) =>
  fc
    .record({
      user: fc.boolean(),
      imported: fc.boolean(),
      attributes: fc.dictionary(fc.constantFrom('n', 's', 'd', 'b', 'l', 'x'), anyValue, { maxKeys: 5 }),
      devices: fc.array(
        fc.record({
          device_type: fc.constantFrom('mobile', 'desktop'),
          utm_source: fc.constantFrom('ads', 'news'),
          session_count: fc.integer({ min: 1, max: 3 }),
        }),
        { maxLength: 2 },
      ),
      events: fc.array(
        fc.record({
          kind: fc.constantFrom('purchase', 'signup', 'page'),
          url: fc.constantFrom(...URLS),
          days_ago: fc.constantFrom(0.5, 1, 6.9, 7, 7.1, 30, 45),
          signed_in: fc.boolean(),
          device: fc.nat(1),
          session: fc.constantFrom('s1', 's2'),
        }),
        { maxLength: 4 },
      ),
    })
    .map(({ user, imported, attributes, devices, events }): CasePerson => {
      const anonymousIds = devices.map((_, d) => `p${index}-d${d}`);
      return {
        id: `p${index}`,
        user_id: user ? `u${index}` : null,
        imported: user && imported,
        attributes,
        devices: devices.map((d, i) => ({ anonymous_id: anonymousIds[i], ...d })),
        events: events
          .map((e) => ({
            ...(e.kind === 'page' ? { type: 'page', url: e.url } : { name: e.kind }),
            days_ago: e.days_ago,
            signed_in: user && e.signed_in,
            device: anonymousIds[e.device % Math.max(1, anonymousIds.length)] ?? null,
            session: e.session,
          }))
          .filter((e) => e.device !== null || e.signed_in),
      };
    });

const value = fc.oneof(
  fc.constantFrom(...TEXTS),
  fc.constantFrom(...NUMBERS),
  fc.constantFrom(...DATES),
  fc.boolean(),
);
const ops = fc.constantFrom(
  'eq',
  'neq',
  'in',
  'nin',
  'contains',
  'not_contains',
  'starts_with',
  'ends_with',
  'regex',
  'gt',
  'gte',
  'lt',
  'lte',
  'between',
  'is_set',
  'is_not_set',
  'before',
  'after',
  'within_last_days',
  'more_than_days_ago',
);
const attrLeaf = fc.record({
  attr: fc.constantFrom('n', 's', 'd', 'b', 'l', 'x', '$first_seen', '$device_count', '$last_device_type'),
  op: ops,
  value: fc.oneof(
    value,
    fc.array(value, { minLength: 1, maxLength: 3 }),
    fc.constantFrom(0, 7, 14),
    fc.constantFrom('^g', 'o.?d$', '[0-9]+'),
  ),
});
const count = fc.record({ op: fc.constantFrom('eq', 'neq', 'gte', 'lt', 'lte'), value: fc.nat(3) });
const leaf = fc.oneof(
  { weight: 5, arbitrary: attrLeaf },
  fc.record({ event: fc.constantFrom('purchase', 'signup'), count, within_days: fc.constantFrom(1, 7, 30) }),
  fc.record({
    page: fc.record({
      op: fc.constantFrom('equals', 'contains', 'starts_with', 'regex'),
      value: fc.constantFrom(...URLS, '/p/', 'https://shop', '^https://shop\\.example/p/\\d+$'),
    }),
    count,
  }),
  fc.record({ sessions: count, within_days: fc.constantFrom(1, 7, 30) }),
  fc.record({
    visit: fc.constantFrom('device_type', 'utm_source'),
    op: fc.constantFrom('eq', 'neq', 'is_set'),
    value: fc.constantFrom('mobile', 'ads'),
  }),
  fc.record({ visit: fc.constant('new_visitor'), op: fc.constantFrom('eq', 'neq'), value: fc.boolean() }),
  fc.constantFrom(
    { identified: true },
    { identified: false },
    { imported: true },
    { bound: false },
    { in_group: 'g_static' },
    { in_group: 'g_dynamic' },
  ),
);
const condition = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('all'), tie('any'), tie('not')),
  all: fc.record({ all: fc.array(tie('node'), { maxLength: 3 }) }),
  any: fc.record({ any: fc.array(tie('node'), { maxLength: 3 }) }),
  not: fc.record({ not: tie('node') }),
})).node;

/**
 * Random conditions over random persons: SQL on this backend and the in-memory evaluator on the
 * facts loaded for each person agree (with a fixed seed and a bounded number of runs).
 */
describeEachBackend('conditions: memory and SQL agree', (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await openTestStore(backend));
  });
  afterAll(() => cleanup());

  it(`${backend}: random conditions over random persons`, async () => {
    let run = 0;
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(condition, { minLength: 1, maxLength: 4 }),
        fc.tuple(person(0), person(1), person(2), person(3)),
        fc.subarray(['p0', 'p1', 'p2', 'p3']),
        async (conditions, persons, staticMembers) => {
          run += 1;
          const projectId = `prop-${run}`;
          const c: ConditionCase = {
            name: projectId,
            condition: null,
            persons,
            expected: [],
            options: {
              types: TYPES,
              groups: {
                g_static: { static: staticMembers },
                g_dynamic: { condition: { attr: 'n', op: 'gte', value: 7 } },
              },
            },
          };
          const seeded = await seedCase(store, projectId, c, NOW);
          for (const input of conditions) {
            const parsed = parseCondition(input, { attributeTypes: seeded.attributeTypes });
            if (!parsed.ok) continue;
            checked += 1;
            const options = { now: NOW, groups: seeded.groups };
            const rows = await personsMatching(store.db, projectId, parsed.condition, options)
              .select('p.id')
              .execute();
            const inSql = rows.map((r) => Number(r.id)).sort((a, b) => a - b);
            const inMemory: number[] = [];
            for (const personId of seeded.personIds.values()) {
              const facts = await loadPersonFacts(store.db, projectId, personId);
              if (!facts) throw new Error('no facts');
              const visit = facts.devices.length === 1 ? facts.devices[0] : undefined;
              if (evaluateCondition(parsed.condition, facts, { ...options, visit })) inMemory.push(personId);
            }
            const inWindows = await matchingInWindows(
              store.db,
              projectId,
              parsed.condition,
              options,
              seeded.personIds.values(),
            );
            const expected = inMemory.sort((a, b) => a - b);
            expect({ condition: input, sql: inSql, windows: inWindows }).toEqual({
              condition: input,
              sql: expected,
              windows: expected,
            });
          }
        },
      ),
      { seed: 20261130, numRuns: 60, endOnFailure: true },
    );
    expect(checked).toBeGreaterThan(60);
  }, 240_000);
});
