import { expect, it } from 'vitest';
import type { GroupDefinition } from '../../src/conditions/condition.js';
import { parseCondition } from '../../src/conditions/parse-condition.js';
import { emptyTouch, groupFootprint, touchReaches } from '../../src/groups/group-footprint.js';

const dynamic = (json: unknown): GroupDefinition => {
  const parsed = parseCondition(json, { attributeTypes: new Map() });
  if (!parsed.ok) throw new Error(parsed.message);
  return { kind: 'dynamic', condition: parsed.condition };
};

const groups = new Map<string, GroupDefinition>([
  ['grp_vip', { kind: 'static' }],
  ['grp_diamond', dynamic({ attr: 'plan', op: 'eq', value: 'diamond' })],
  ['grp_buyers', dynamic({ event: 'purchase', within_days: 30 })],
  [
    'grp_either',
    dynamic({
      any: [{ in_group: 'grp_diamond' }, { not: { in_group: 'grp_vip' } }, { in_group: 'grp_buyers' }],
    }),
  ],
  ['grp_recent', dynamic({ attr: 'signed_up', op: 'within_last_days', value: 7 })],
  ['grp_known', dynamic({ identified: true })],
]);

it('a footprint follows in_group into the groups used, and knows when time alone can change it', () => {
  expect(groupFootprint('grp_diamond', groups)).toEqual({
    groups: new Set(['grp_diamond']),
    attributes: new Set(['plan']),
    activity: false,
    timed: false,
  });
  expect(groupFootprint('grp_either', groups)).toEqual({
    groups: new Set(['grp_either', 'grp_diamond', 'grp_vip', 'grp_buyers']),
    attributes: new Set(['plan']),
    activity: true,
    timed: true,
  });
  expect(groupFootprint('grp_recent', groups).timed).toBe(true);
  expect(groupFootprint('grp_known', groups)).toMatchObject({ activity: false, timed: false });
});

it('a touch reaches a group only through what the group depends on; identity changes reach all', () => {
  const city = { ...emptyTouch(), attributes: new Set(['city']) };
  const plan = { ...emptyTouch(), attributes: new Set(['plan']) };
  const activity = { ...emptyTouch(), activity: true };
  const identity = { ...emptyTouch(), all: true };
  const diamond = groupFootprint('grp_diamond', groups);
  const either = groupFootprint('grp_either', groups);
  const known = groupFootprint('grp_known', groups);
  expect(touchReaches(city, diamond)).toBe(false);
  expect(touchReaches(plan, diamond)).toBe(true);
  expect(touchReaches(activity, diamond)).toBe(false);
  expect(touchReaches(activity, either)).toBe(true);
  expect(touchReaches(plan, known)).toBe(false);
  expect(touchReaches(identity, known)).toBe(true);
});
