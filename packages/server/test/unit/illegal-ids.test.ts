import { describe, expect, it } from 'vitest';
import { illegalIdReason, legalId } from '../../src/identity/illegal-ids.js';

describe('illegal ids (DESIGN §3 rule 1)', () => {
  const placeholders = [
    'anonymous',
    'guest',
    'undefined',
    'null',
    'none',
    'nil',
    'nan',
    '0',
    '-1',
    'true',
    'false',
    '[object object]',
    'id',
    'user_id',
    'userid',
    'distinct_id',
    'distinctid',
    'not_authenticated',
    'email',
    'unknown',
  ];

  it.each(placeholders)('"%s" is a placeholder, in any case, quoted or padded', (id) => {
    for (const variant of [id, id.toUpperCase(), ` ${id} `, `"${id}"`, `'${id}'`]) {
      expect(illegalIdReason(variant), variant).not.toBeNull();
    }
  });

  it('empty, whitespace, quotes only, over 255 characters and 0/- strings are illegal', () => {
    for (const id of ['', '   ', '""', "''", '000', '0-0', '--', '-0-', 'x'.repeat(256)]) {
      expect(illegalIdReason(id), JSON.stringify(id)).not.toBeNull();
    }
  });

  it('non-strings are illegal, except finite numbers which become strings', () => {
    for (const id of [null, undefined, {}, [], true, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(illegalIdReason(id), String(id)).not.toBeNull();
    }
    expect(legalId(42)).toBe('42');
    expect(legalId(0)).toBeNull();
    expect(legalId(-1)).toBeNull();
  });

  it('real ids are legal and kept exactly as sent', () => {
    for (const id of [
      'user-42',
      'anon-phone',
      'hana@example.com',
      '00000001',
      'Guest-7',
      'x'.repeat(255),
      '会員123',
    ]) {
      expect(illegalIdReason(id), id).toBeNull();
      expect(legalId(id)).toBe(id);
    }
  });
});
