import { describe, expect, it } from 'vitest';
import { sanitizeAttributes } from '../src/sanitize.js';

describe('sanitizeAttributes', () => {
  it('turns dates into ISO strings, at any depth', () => {
    const signedUp = new Date('2026-03-01T10:00:00.000Z');
    expect(sanitizeAttributes({ last_active_date: signedUp, history: [{ at: signedUp }] })).toEqual({
      last_active_date: '2026-03-01T10:00:00.000Z',
      history: [{ at: '2026-03-01T10:00:00.000Z' }],
    });
  });

  it('keeps what JSON keeps and drops what it cannot carry', () => {
    expect(
      sanitizeAttributes({
        email: 'a@example.com',
        age: 34,
        vip: false,
        coupon: null,
        infinite: Number.POSITIVE_INFINITY,
        invalidDate: new Date('not a date'),
        big: 12n,
        callback: () => 1,
        missing: undefined,
        list: [1, undefined, 'x'],
      }),
    ).toEqual({
      email: 'a@example.com',
      age: 34,
      vip: false,
      coupon: null,
      infinite: null,
      invalidDate: null,
      big: '12',
      list: [1, null, 'x'],
    });
  });

  it('drops circular references instead of throwing', () => {
    const profile: Record<string, unknown> = { name: 'Ann' };
    profile.self = profile;
    profile.friends = [profile, { name: 'Bob' }];
    expect(sanitizeAttributes(profile)).toEqual({ name: 'Ann', friends: [null, { name: 'Bob' }] });
  });

  it('keeps a shared (not circular) object in both places', () => {
    const address = { city: 'Osaka' };
    expect(sanitizeAttributes({ home: address, billing: address })).toEqual({
      home: address,
      billing: address,
    });
  });

  it('cuts nesting deeper than 10 levels instead of overflowing the stack', () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 10000; i++) deep = { child: deep };
    const copy = sanitizeAttributes(deep);
    expect(JSON.stringify(copy).match(/child/g)).toHaveLength(9);
  });

  it('refuses anything but an object', () => {
    expect(sanitizeAttributes('age=34')).toBeUndefined();
    expect(sanitizeAttributes([1, 2])).toBeUndefined();
    expect(sanitizeAttributes(undefined)).toBeUndefined();
  });
});
