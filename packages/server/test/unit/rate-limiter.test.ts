import { expect, it } from 'vitest';
import { RateLimiter } from '../../src/http/rate-limiter.js';

it('a project may burst, then sends at the steady rate; the wait is whole seconds', () => {
  let now = 0;
  const limiter = new RateLimiter(2, 4, () => now);
  expect([1, 2, 3, 4].map(() => limiter.take('prj_a'))).toEqual([0, 0, 0, 0]);
  expect(limiter.take('prj_a')).toBe(1);
  expect(limiter.take('prj_b')).toBe(0);
  now += 500;
  expect(limiter.take('prj_a')).toBe(0);
  expect(limiter.take('prj_a')).toBe(1);
  now += 10_000;
  expect([1, 2, 3, 4].map(() => limiter.take('prj_a'))).toEqual([0, 0, 0, 0]);
  expect(limiter.take('prj_a')).toBe(1);
});

it('a slow rate asks for a longer wait', () => {
  const limiter = new RateLimiter(0.1, 1, () => 0);
  expect(limiter.take('prj_a')).toBe(0);
  expect(limiter.take('prj_a')).toBe(10);
});
