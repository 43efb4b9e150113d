import { RequestError } from '../../errors/error-codes.js';
import type { Checked } from '../../groups/group-input.js';

/** Schema pieces of the group routes (DESIGN §4 "User groups"), and how they answer refusals. */

/** The value of a result, or its refusal as a 4xx answer (with the pointer into the body). */
export function orRefuse<T>(result: Checked<T>): T {
  if (!result.ok) throw new RequestError(result.code, result.message, {}, result.pointer);
  return result.value;
}

export const groupParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string' } },
} as const;

const userIds = {
  type: 'array',
  items: { type: 'string' },
  description: 'User ids; those no person holds yet are kept pending and join when that user appears.',
} as const;

export const userIdsBody = {
  type: 'object',
  required: ['user_ids'],
  additionalProperties: false,
  properties: { user_ids: userIds },
} as const;

const condition = {
  type: 'object',
  description:
    'A condition (DESIGN §5): `all` / `any` / `not`, attribute, behaviour, visit and group leaves.',
} as const;

export const newGroupBody = {
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        description:
          'A dynamic group (`condition`) or a static one (`user_ids`, or `import_id`: the users of that import job). Exactly one of the three.',
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 200 },
          condition,
          user_ids: userIds,
          import_id: { type: 'string' },
        },
      },
    },
    'text/csv': {
      schema: {
        description:
          'A static group from CSV: the first column of each row is a user id (a header row such as `user_id` is skipped); name it with `?name=`.',
      },
    },
  },
} as const;

export const newGroupQuery = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200, description: 'The group name, for a CSV body.' },
    encoding: {
      type: 'string',
      description:
        'utf-8, shift_jis (cp932), windows-1252 or utf-16le/utf-16be; detected when absent (byte-order mark, UTF-8 checked over the whole file, else Shift_JIS or Windows-1252 by scoring). A named encoding overrides detection.',
    },
    delimiter: { type: 'string', enum: ['comma', 'tab', 'semicolon'], description: 'Detected when absent.' },
  },
} as const;

export const groupChangesBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    condition,
    user_ids: { ...userIds, description: "A static group's new list of user ids (replaces the old one)." },
  },
} as const;

export const groupSummary = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    type: { type: 'string', enum: ['dynamic', 'static'] },
    users: { type: 'integer', description: 'Persons in the group now (pending user ids not counted).' },
  },
} as const;

export const groupOverview = {
  type: 'object',
  properties: {
    ...groupSummary.properties,
    condition,
    pending: { type: 'integer', description: 'Static groups: user ids no person holds yet.' },
    import_id: { type: 'string', description: 'The import job a static group was made from.' },
    new_users_7d: { type: 'integer', description: 'Members first seen in the last 7 days.' },
    active_users_7d: { type: 'integer', description: 'Members with any event in the last 7 days.' },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
    warnings: {
      type: 'array',
      description: 'Things allowed but worth knowing, such as an attribute no person holds yet.',
      items: {
        type: 'object',
        properties: { pointer: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
} as const;

export const member = {
  type: 'object',
  properties: {
    person_id: { type: 'integer' },
    user_id: { type: ['string', 'null'], description: 'null for anonymous persons' },
    first_seen: { type: 'string', format: 'date-time' },
    last_seen: { type: 'string', format: 'date-time' },
  },
} as const;
