import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../src/http/paging-cursor.js';

describe('paging cursors', () => {
  it('give back the position they were made from', () => {
    const cursor = encodeCursor('members', { personId: 42, at: 1_700_000_000_000 });
    expect(decodeCursor('members', cursor)).toEqual({ personId: 42, at: 1_700_000_000_000 });
  });

  it('refuse a cursor that was edited, cut, or made by another list', () => {
    const cursor = encodeCursor('members', { personId: 42 });
    const text = Buffer.from(cursor, 'base64url').toString('utf8').replace('42', '43');
    const edited = Buffer.from(text, 'utf8').toString('base64url');
    for (const bad of [edited, cursor.slice(0, -3), 'not-a-cursor', '']) {
      expect(() => decodeCursor('members', bad)).toThrow(/cursor/);
    }
    expect(() => decodeCursor('deliveries', cursor)).toThrow(/cursor/);
  });
});
