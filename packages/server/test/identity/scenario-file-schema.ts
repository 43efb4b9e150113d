/**
 * The shape of identity-scenarios.json: `[name, steps, expected persons, options?]` tuples. Every
 * object is closed (`additionalProperties: false`), so a misspelt key fails the file instead of
 * silently removing a check.
 */
const message = {
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { enum: ['identify', 'track', 'page', 'screen', 'group', 'alias'] },
    // Ids are sent as written: scenarios also send numbers, objects and arrays to test refusals.
    anonymousId: {},
    userId: {},
    previousId: {},
    groupId: {},
    userHash: { type: 'string' },
    messageId: { type: 'string' },
    event: { type: 'string' },
    name: { type: 'string' },
    traits: { type: 'object' },
    properties: { type: 'object' },
    context: { type: 'object' },
    timestamp: { type: 'string' },
    sentAt: { type: 'string' },
    /** The codes (rejections and warnings) this message must get, all of them and no other. */
    $expect: {
      anyOf: [
        { type: 'string', pattern: '^[A-Z_]+$' },
        { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[A-Z_]+$' } },
      ],
    },
    /** Send with no timestamp, so the receive time is the message's time. */
    $now: { const: true },
  },
} as const;

const expectedPerson = {
  type: 'object',
  additionalProperties: false,
  required: ['user_id', 'anonymous_ids'],
  properties: {
    user_id: { type: ['string', 'null'] },
    anonymous_ids: { type: 'array', items: { type: 'string' } },
    attributes: { type: 'object' },
    events: { type: 'integer', minimum: 0 },
    first_seen: { type: 'string' },
    bound: { type: 'boolean' },
  },
} as const;

const options = {
  type: 'object',
  additionalProperties: false,
  properties: {
    maxAnonymousIdsPerPerson: { type: 'integer', minimum: 1 },
    verifyIdentity: { type: 'boolean' },
  },
} as const;

export const scenarioFileSchema = {
  type: 'array',
  minItems: 1,
  items: {
    type: 'array',
    minItems: 3,
    maxItems: 4,
    items: [
      { type: 'string', minLength: 1 },
      {
        type: 'array',
        minItems: 1,
        items: { anyOf: [message, { type: 'array', minItems: 1, items: message }] },
      },
      { type: 'array', items: expectedPerson },
      options,
    ],
    additionalItems: false,
  },
} as const;
