import { describe, expect, it } from 'vitest';
import { findGroupCycle, inGroupPointer } from '../../src/groups/group-cycles.js';

describe('group cycles', () => {
  const edges = [
    { from: 'b', to: 'a' },
    { from: 'c', to: 'b' },
    { from: 'd', to: 'a' },
  ];

  it('finds the path back to the group through the groups it would use', () => {
    expect(findGroupCycle(edges, 'a', ['c'])).toEqual(['a', 'c', 'b', 'a']);
    expect(findGroupCycle(edges, 'a', ['d', 'c'])).toEqual(['a', 'd', 'a']);
    expect(findGroupCycle(edges, 'a', ['a'])).toEqual(['a', 'a']);
  });

  it('allows shared uses without a cycle, and replaces the group own old uses', () => {
    expect(findGroupCycle(edges, 'e', ['b', 'c', 'd'])).toBeNull();
    expect(findGroupCycle(edges, 'b', ['d'])).toBeNull();
    expect(findGroupCycle([...edges, { from: 'a', to: 'c' }], 'a', [])).toBeNull();
  });

  it('points at the in_group leaf as the user sent it', () => {
    const condition = {
      all: [{ attr: 'x', op: 'eq', value: 1 }, { not: { any: [{ identified: true }, { in_group: 'g1' }] } }],
    };
    expect(inGroupPointer(condition, 'g1', '/condition')).toBe('/condition/all/1/not/any/1/in_group');
    expect(inGroupPointer({ in_group: 'g2' }, 'g2', '/condition')).toBe('/condition/in_group');
    expect(inGroupPointer(condition, 'missing', '/condition')).toBe('/condition');
  });
});
