import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { regexMatches, regexProblem } from '../../src/conditions/safe-regex.js';
import { conditionSqlDialect } from '../../src/storage/condition-sql-dialect.js';
import type { Store } from '../../src/storage/store.js';
import { describeEachBackend, openTestStore } from '../support/test-stores.js';

// Characters where the engines could differ: Unicode letters and digits, spaces and line breaks.
const ALPHABET = [
  'a',
  'b',
  'A',
  'é',
  'É',
  'ß',
  '😀',
  '0',
  '9',
  '٣',
  '_',
  '-',
  '.',
  ' ',
  '\u00a0',
  '\u2028',
  '\n',
  '\t',
  ']',
  '\\',
];
const literal = fc.constantFrom(...ALPHABET).map((c) => (/[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c));
const classItem = fc.constantFrom(
  'a',
  'b-z',
  '0-9',
  'é',
  '_',
  '\\d',
  '\\w',
  '\\s',
  '\\]',
  '\\-',
  '😀',
  'A-Z',
);
const atom = fc.oneof(
  { weight: 4, arbitrary: literal },
  fc.constantFrom('.', '\\d', '\\D', '\\w', '\\W', '\\s', '\\S'),
  fc
    .tuple(fc.boolean(), fc.array(classItem, { minLength: 1, maxLength: 3 }))
    .map(([negated, items]) => `[${negated ? '^' : ''}${items.join('')}]`),
);
const quantifier = fc.constantFrom(
  '',
  '',
  '',
  '',
  '',
  '*',
  '+',
  '?',
  '?',
  '{2}',
  '{1,3}',
  '{2,}',
  '*?',
  '+?',
);
const pattern = fc.letrec((tie) => ({
  sequence: fc.array(tie('piece'), { minLength: 1, maxLength: 3 }).map((pieces) => pieces.join('')),
  piece: fc.oneof(
    { maxDepth: 2 },
    fc.tuple(atom, quantifier).map(([a, q]) => a + q),
    fc.tuple(tie('sequence'), fc.constantFrom('', '?')).map(([s, q]) => `(${s})${q}`),
    fc.tuple(tie('sequence'), tie('sequence')).map(([a, b]) => `(?:${a}|${b})`),
  ),
  whole: fc
    .tuple(fc.constantFrom('', '^'), tie('sequence'), fc.constantFrom('', '$'))
    .map(([s, p, e]) => s + p + e),
})).whole as fc.Arbitrary<string>;
const text = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 8 }).map((chars) => chars.join(''));

/**
 * The regex subset means the same on both engines: for random accepted patterns and random texts,
 * the backend's SQL (PostgreSQL `~` on the translated pattern, SQLite's registered function)
 * answers as JavaScript does in memory.
 */
describeEachBackend('regex: SQL agrees with JavaScript', (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await openTestStore(backend));
  });
  afterAll(() => cleanup());

  it(`${backend}: random accepted patterns on random texts`, async () => {
    const dialect = conditionSqlDialect(store.db);
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(pattern, fc.array(text, { minLength: 5, maxLength: 12 }), async (p, texts) => {
        if (regexProblem(p) !== null) return;
        accepted += 1;
        const inMemory = texts.map((t) => regexMatches(p, t));
        const inSql: boolean[] = [];
        for (const t of texts) {
          const row = await sql<{
            m: unknown;
          }>`select (case when ${dialect.regex(sql`cast(${t} as text)`, p)} then 1 else 0 end) as m`.execute(
            store.db,
          );
          inSql.push(Number(row.rows[0].m) === 1);
        }
        expect({ pattern: p, texts, inSql }).toEqual({ pattern: p, texts, inSql: inMemory });
      }),
      { seed: 424242, numRuns: 300, endOnFailure: true },
    );
    expect(accepted).toBeGreaterThan(150);
  }, 120_000);
});
