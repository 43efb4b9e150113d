/** JSON schemas of the experience routes (DESIGN §4); the domain checks every detail again with pointers. */

const urlRule = {
  type: 'object',
  required: ['op', 'value'],
  properties: {
    op: { type: 'string', enum: ['equals', 'contains', 'starts_with', 'regex'] },
    value: {
      type: 'string',
      description:
        'A value holding `://` is compared with the whole URL, any other with its path (plus `?query` unless `ignore_query`). A regex is an ECMAScript pattern; one that could run away is refused.',
    },
    ignore_query: { type: 'boolean' },
  },
} as const;

const variant = {
  type: 'object',
  required: ['name', 'weight', 'content'],
  properties: {
    name: { type: 'string', description: 'Unique in the experience; `control` is reserved.' },
    weight: {
      type: 'number',
      description: 'Percent of the visitors outside the control; the weights add up to 100.',
    },
    content: {
      type: 'object',
      description:
        '`{"html"}` (banner, popup, bar), `{"edits": [{"selector", "text" | "html" | "attr" + "value"}]}` (page_edit) or `{"redirect_url"}` (redirect). `{{attribute}}` placeholders are filled at decide time, HTML-escaped.',
    },
  },
} as const;

const properties = {
  name: { type: 'string' },
  type: { type: 'string', enum: ['banner', 'popup', 'bar', 'page_edit', 'redirect'] },
  pages: {
    type: 'object',
    description: '`{"match": "all"}` (default) or `{"rules": [url rule, ...]}` (any rule matching).',
    properties: { match: { type: 'string', enum: ['all'] }, rules: { type: 'array', items: urlRule } },
  },
  target: {
    type: 'object',
    description:
      '`{"everyone": true}` (default), `{"groups": [group id, ...]}` (OR\'ed) or `{"condition": {...}}` (DESIGN §5).',
  },
  variants: { type: 'array', items: variant },
  control_weight: {
    type: 'number',
    description: 'Percent of targeted visitors who see nothing (default 0).',
  },
  goal: {
    type: ['object', 'null'],
    description: '`{"event": name}` or `{"url_rule": url rule}`: a conversion for the report.',
  },
  frequency: { type: 'string', enum: ['every_page', 'once_per_session', 'once_per_user'] },
  priority: { type: 'integer', description: 'Higher first (default 0).' },
  starts_at: { type: ['string', 'null'], description: 'ISO time; null for no start.' },
  ends_at: { type: ['string', 'null'], description: 'ISO time; null for no end.' },
} as const;

export const experienceBody = { type: 'object', required: ['name', 'type', 'variants'], properties } as const;
export const experiencePatchBody = { type: 'object', minProperties: 1, properties } as const;

export const experienceParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string' } },
} as const;

/** An experience as the API answers it. */
export const experienceResponse = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    status: { type: 'string', enum: ['draft', 'published', 'paused'] },
    ...properties,
    created_at: { type: 'string' },
    updated_at: { type: 'string' },
    published_at: { type: ['string', 'null'] },
  },
} as const;

export const checkUrlBody = {
  type: 'object',
  required: ['pages', 'url'],
  properties: { pages: properties.pages, url: { type: 'string' } },
} as const;
