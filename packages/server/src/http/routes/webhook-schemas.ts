import { WEBHOOK_EVENT_TYPES } from '../../webhooks/webhook-events.js';

/** Schema pieces of the webhook routes. */

export const webhookParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 100 } },
} as const;

export const deliveryParams = {
  type: 'object',
  required: ['id', 'delivery_id'],
  properties: { id: { type: 'string', maxLength: 100 }, delivery_id: { type: 'string', maxLength: 100 } },
} as const;

const subscriptionFields = {
  url: {
    type: 'string',
    minLength: 1,
    maxLength: 2048,
    description:
      'The receiver: http or https; loopback and private addresses are refused unless the server allows them.',
  },
  events: {
    type: 'array',
    minItems: 1,
    uniqueItems: true,
    items: { type: 'string', enum: [...WEBHOOK_EVENT_TYPES] },
  },
  group_ids: {
    type: ['array', 'null'],
    maxItems: 100,
    uniqueItems: true,
    items: { type: 'string', maxLength: 100 },
    description: 'Group events only for these groups (default: every group).',
  },
  attributes: {
    type: 'array',
    maxItems: 50,
    uniqueItems: true,
    items: { type: 'string', minLength: 1, maxLength: 128 },
    description: 'Attributes sent with each event; `user.attributes_changed` fires when one of them changes.',
  },
} as const;

export const createWebhookBody = {
  type: 'object',
  required: ['url', 'events'],
  additionalProperties: false,
  properties: subscriptionFields,
} as const;

export const changeWebhookBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    ...subscriptionFields,
    active: {
      type: 'boolean',
      description: 'false pauses the subscription; true resumes it (also after it was paused for failing).',
    },
  },
} as const;

export const webhookView = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    url: { type: 'string' },
    events: { type: 'array', items: { type: 'string' } },
    group_ids: { type: ['array', 'null'], items: { type: 'string' } },
    attributes: { type: 'array', items: { type: 'string' } },
    status: { type: 'string', enum: ['active', 'paused'] },
    failing_since: { type: ['string', 'null'], format: 'date-time' },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  },
} as const;

export const deliveryView = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'The `id` of the payload, the same on every attempt.' },
    type: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'delivered', 'failed'] },
    person_id: { type: ['integer', 'null'] },
    created_at: { type: 'string', format: 'date-time' },
    next_attempt_at: { type: ['string', 'null'], format: 'date-time' },
    finished_at: { type: ['string', 'null'], format: 'date-time' },
    attempts: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          at: { type: 'string', format: 'date-time' },
          status: {
            type: ['integer', 'null'],
            description: 'HTTP status of the answer; null when none came.',
          },
          duration_ms: { type: 'integer' },
          error: { type: ['string', 'null'] },
        },
      },
    },
  },
} as const;
