import { describe, expect, it } from 'vitest';
import { isLegalId, readUserIdArgument } from '../src/user-id.js';

describe('user ids (DESIGN §3 rule 1)', () => {
  it.each([
    '',
    '   ',
    'undefined',
    'null',
    'NULL',
    ' "null" ',
    "'undefined'",
    '[object Object]',
    'anonymous',
    'Guest',
    'none',
    'nil',
    'NaN',
    '0',
    '-1',
    '000-000',
    'true',
    'false',
    'id',
    'user_id',
    'userId',
    'distinct_id',
    'distinctId',
    'not_authenticated',
    'email',
    'unknown',
    'x'.repeat(256),
  ])('refuses %j', (id) => {
    expect(isLegalId(id)).toBe(false);
  });

  it.each(['user-42', 'alice@example.com', '12345', '0042', 'x'.repeat(255), 'null-pointer'])(
    'accepts %j',
    (id) => {
      expect(isLegalId(id)).toBe(true);
    },
  );

  it('reads what identify got as its first argument', () => {
    expect(readUserIdArgument('user-42')).toBe('user-42');
    expect(readUserIdArgument(42)).toBe('42');
    expect(readUserIdArgument('')).toBeNull();
    expect(readUserIdArgument(null)).toBeNull();
    expect(readUserIdArgument(undefined)).toBeNull();
    expect(readUserIdArgument('undefined')).toBe(false);
    expect(readUserIdArgument(0)).toBe(false);
    expect(readUserIdArgument(Number.NaN)).toBe(false);
    expect(readUserIdArgument(true)).toBe(false);
    expect(readUserIdArgument(['user-42'])).toBe(false);
  });
});
