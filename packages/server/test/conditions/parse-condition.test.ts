import { describe, expect, it } from 'vitest';
import type { AttributeType } from '../../src/attributes/attribute-types.js';
import { parseCondition } from '../../src/conditions/parse-condition.js';

const attributeTypes = new Map<string, AttributeType>([
  ['age', 'number'],
  ['membership_level', 'string'],
  ['signed_up', 'datetime'],
  ['vip', 'boolean'],
  ['tags', 'list'],
]);
const parse = (condition: unknown) => parseCondition(condition, { attributeTypes });

function nested(depth: number): unknown {
  let node: unknown = { attr: 'age', op: 'gt', value: 1 };
  for (let i = 1; i < depth; i++) node = { not: node };
  return node;
}

describe('parseCondition refuses bad input with a pointer at the bad part', () => {
  it.each([
    [
      'an unknown operator',
      {
        all: [
          { attr: 'age', op: 'gte', value: 1 },
          { attr: 'age', op: 'greater', value: 1 },
        ],
      },
      '/condition/all/1/op',
      /unknown operator "greater"/,
    ],
    [
      'a value not fitting a number',
      { attr: 'age', op: 'gt', value: 'old' },
      '/condition/value',
      /"old" is not a number/,
    ],
    ['a boolean for a number', { attr: 'age', op: 'eq', value: true }, '/condition/value', /not a number/],
    [
      'a text operator on a number',
      { attr: 'age', op: 'contains', value: '3' },
      '/condition/op',
      /does not apply/,
    ],
    [
      'an order operator on text',
      { attr: 'membership_level', op: 'gt', value: 'a' },
      '/condition/op',
      /does not apply/,
    ],
    [
      'a date that does not parse',
      { attr: 'signed_up', op: 'before', value: 'yesterday' },
      '/condition/value',
      /not a datetime/,
    ],
    [
      'a null value',
      { attr: 'membership_level', op: 'eq', value: null },
      '/condition/value',
      /null is not a string/,
    ],
    [
      'between the wrong way round',
      { attr: 'age', op: 'between', value: [40, 30] },
      '/condition/value',
      /low ≤ high/,
    ],
    ['an empty in list', { attr: 'age', op: 'in', value: [] }, '/condition/value', /list of 1 to/],
    [
      'a bad element of an in list',
      { attr: 'age', op: 'in', value: [1, 'x'] },
      '/condition/value/1',
      /not a number/,
    ],
    ['a misspelt key', { attr: 'age', opp: 'gt', value: 1 }, '/condition/opp', /unknown key "opp"/],
    ['an unknown leaf', { atr: 'age' }, '/condition', /unknown condition/],
    ['not an object', ['age'], '/condition', /must be an object/],
    ['all that is not a list', { all: { attr: 'age' } }, '/condition/all', /list of conditions/],
    [
      'nesting deeper than 10 levels',
      nested(11),
      '/condition/not/not/not/not/not/not/not/not/not/not',
      /at most 10 levels/,
    ],
    [
      'a runaway regex',
      { attr: 'membership_level', op: 'regex', value: '(a+)+$' },
      '/condition/value',
      /run away/,
    ],
    [
      'an invalid regex',
      { attr: 'membership_level', op: 'regex', value: '(a' },
      '/condition/value',
      /not a valid regex/,
    ],
    [
      'a back-reference',
      { attr: 'membership_level', op: 'regex', value: '(a)\\1' },
      '/condition/value',
      /not supported/,
    ],
    [
      'look-ahead',
      { attr: 'membership_level', op: 'regex', value: 'a(?=b)' },
      '/condition/value',
      /look-around/,
    ],
    [
      'too many unbounded repetitions',
      { page: { op: 'regex', value: 'a.*b.*c.*d.*' } },
      '/condition/page/value',
      /at most 3/,
    ],
    ['an unknown page op', { page: { op: 'eq', value: '/x' } }, '/condition/page/op', /page op must be/],
    [
      'a bad count',
      { event: 'purchase', count: { op: 'gte', value: -1 } },
      '/condition/count/value',
      /whole number/,
    ],
    ['a zero window', { event: 'purchase', within_days: 0 }, '/condition/within_days', /at least 1/],
    [
      'a fractional window',
      { sessions: { op: 'gte', value: 2 }, within_days: 1.5 },
      '/condition/within_days',
      /whole number/,
    ],
    [
      'an unknown visit field',
      { visit: 'country', op: 'eq', value: 'JP' },
      '/condition/visit',
      /visit must be one of/,
    ],
    [
      'a text for new_visitor',
      { visit: 'new_visitor', op: 'eq', value: 'maybe' },
      '/condition/value',
      /not a boolean/,
    ],
    [
      'an unknown $ attribute',
      { attr: '$favourite', op: 'is_set' },
      '/condition/attr',
      /not a default attribute/,
    ],
    ['identified that is not a boolean', { identified: 'yes' }, '/condition/identified', /true or false/],
    ['an empty group id', { in_group: '' }, '/condition/in_group', /group id/],
  ])('%s', (_name, condition, pointer, message) => {
    const parsed = parse(condition);
    expect(parsed).toMatchObject({ ok: false, pointer });
    expect(parsed.ok ? '' : parsed.message).toMatch(message);
  });

  it('refuses more than 200 leaves, pointing at the 201st', () => {
    const leaves = Array.from({ length: 201 }, () => ({ identified: true }));
    expect(parse({ any: leaves })).toMatchObject({ ok: false, pointer: '/condition/any/200' });
    expect(parse({ any: leaves.slice(0, 200) }).ok).toBe(true);
  });

  it('accepts 10 levels of nesting', () => {
    expect(parse(nested(10)).ok).toBe(true);
  });

  it('points below the pointer it is given', () => {
    const parsed = parseCondition({ attr: 'age', op: 'bad' }, { pointer: '/target/condition' });
    expect(parsed).toMatchObject({ ok: false, pointer: '/target/condition/op' });
  });
});

describe('parseCondition accepts', () => {
  it('an attribute no one holds yet, with a warning, compared as its value suggests', () => {
    const parsed = parse({ all: [{ attr: 'favourite_team', op: 'gte', value: 3 }] });
    expect(parsed).toMatchObject({
      ok: true,
      condition: { all: [{ attr: 'favourite_team', type: 'number', test: { op: 'gte', value: 3 } }] },
      warnings: [{ pointer: '/condition/all/0/attr', code: 'UNKNOWN_ATTRIBUTE' }],
    });
  });

  it('values read through the attribute type: datetimes as instants, numeric text as numbers', () => {
    expect(parse({ attr: 'signed_up', op: 'after', value: '2026-01-02T09:00:00+09:00' })).toMatchObject({
      ok: true,
      condition: { test: { op: 'after', value: Date.parse('2026-01-02T00:00:00Z') } },
    });
    expect(parse({ attr: 'age', op: 'in', value: ['30', 31] })).toMatchObject({
      ok: true,
      condition: { test: { value: [30, 31] } },
    });
  });

  it('the groups it names, and behaviour defaults', () => {
    const parsed = parse({
      any: [{ in_group: 'grp_a' }, { not: { in_group: 'grp_b' } }, { event: 'purchase' }],
    });
    expect(parsed).toMatchObject({
      ok: true,
      groupIds: ['grp_a', 'grp_b'],
      condition: { any: [{}, {}, { event: 'purchase', count: { op: 'gte', value: 1 }, within_days: null }] },
    });
  });

  it.each([
    '^https://shop\\.example/(?:products|sale)/[0-9]+$',
    '[a-z]+@[a-z]+\\.[a-z]+',
    '(ab)*c',
    '(https?)?://',
    '\\d{2,4}-\\w+\\s',
    '[^\\]\\-]',
    '',
  ])('the regex %s', (pattern) => {
    expect(parse({ attr: 'membership_level', op: 'regex', value: pattern }).ok).toBe(true);
  });
});
