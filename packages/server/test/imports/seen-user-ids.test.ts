import { expect, it } from 'vitest';
import { SeenUserIds } from '../../src/imports/seen-user-ids.js';

it('remembers ids exactly, as a Set does, through growth and in every script', () => {
  const seen = new SeenUserIds();
  const reference = new Set<string>();
  const alphabet = ['a', 'B', '0', '-', 'é', 'ÿ', '日', '😀', '\ud800', ' '];
  let state = 42;
  const random = (n: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state % n;
  };
  for (let i = 0; i < 50_000; i++) {
    let id = '';
    if (random(3) === 0) id = `member-${random(20_000)}`;
    else for (let j = 0, length = 1 + random(5); j < length; j++) id += alphabet[random(alphabet.length)];
    expect(seen.add(id)).toBe(reference.has(id));
    reference.add(id);
  }
  expect(seen.size).toBe(reference.size);
});
