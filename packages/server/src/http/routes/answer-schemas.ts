/**
 * What the server API answers, as the OpenAPI document describes it. These routes build their
 * answers in code and send them as built (`documentedAsSent`): the schemas document, they do not
 * re-serialise. test/api/openapi-answers.test.ts checks real answers against them.
 */

const time = { type: 'string', format: 'date-time' } as const;
const nullableTime = { type: 'string', format: 'date-time', nullable: true } as const;
const nullableString = { type: 'string', nullable: true } as const;
const count = { type: 'integer', minimum: 0 } as const;
const object = (properties: Record<string, unknown>, description?: string) =>
  ({ type: 'object', ...(description ? { description } : {}), properties }) as const;
const list = (items: unknown) => ({ type: 'array', items }) as const;
const nextCursor = {
  type: 'string',
  nullable: true,
  description: 'Opaque cursor of the next page; null at the end.',
} as const;

/** Route options: the answer goes out as the route built it; its schema only documents it. */
export const documentedAsSent = {
  serializerCompiler: () => (data: unknown) => JSON.stringify(data),
};

const personSummary = {
  person_id: { type: 'integer' },
  user_id: { ...nullableString, description: 'Null for an anonymous person.' },
  identified: { type: 'boolean' },
  bound: { type: 'boolean', description: 'Its user id was seen from website traffic.' },
  imported: { type: 'boolean' },
  first_seen: time,
  last_seen: time,
};

const device = object({
  anonymous_id: { type: 'string' },
  device_type: nullableString,
  os: nullableString,
  browser: nullableString,
  first_seen: time,
  last_seen: time,
  sessions: count,
  screen: nullableString,
  locale: nullableString,
  first_referrer: nullableString,
  first_landing_page: nullableString,
  utm_source: nullableString,
  utm_medium: nullableString,
  utm_campaign: nullableString,
});

export const profileAnswer = object(
  {
    ...personSummary,
    bound_at: nullableTime,
    imported_at: nullableTime,
    attributes: {
      type: 'object',
      description: 'Stored attributes read through their types, and the `$` default attributes.',
      additionalProperties: true,
    },
    devices: list(device),
  },
  'A profile: the person, its attributes and its devices.',
);

const timelineEvent = object({
  message_id: { type: 'string' },
  type: { type: 'string' },
  name: nullableString,
  anonymous_id: nullableString,
  user_id: nullableString,
  timestamp: time,
  received_at: time,
  session_id: nullableString,
  url: nullableString,
  referrer: nullableString,
  properties: { type: 'object', additionalProperties: true },
  context: { type: 'object', additionalProperties: true },
});

const offsetPage = { total: count, limit: count, offset: count };

export const timelineAnswer = object({ ...offsetPage, events: list(timelineEvent) });
export const userListAnswer = object({ ...offsetPage, users: list(object(personSummary)) });
export const personListAnswer = object({
  persons: list(object({ ...personSummary, attributes: { type: 'object', additionalProperties: true } })),
  next_cursor: nextCursor,
});
export const attributeChangesAnswer = object({
  attributes: list(
    object({
      name: { type: 'string' },
      value: { description: 'The stored value (any JSON value; null for an unset).' },
      updated_at: time,
      source: { type: 'string', nullable: true, enum: ['sdk', 'server', 'import', null] },
      source_id: nullableString,
    }),
  ),
});
export const exportAnswer = object(
  { exported_at: time, profile: profileAnswer, events: list(timelineEvent) },
  'Everything stored about one person (right of access).',
);
export const deletedUserAnswer = object({
  deleted: { type: 'boolean' },
  person_id: { type: 'integer' },
  user_id: nullableString,
  deleted_events: count,
  deleted_devices: count,
});
export const recentEventsAnswer = object({
  events: list(
    object({
      id: { type: 'integer' },
      type: { type: 'string' },
      name: nullableString,
      anonymous_id: nullableString,
      user_id: nullableString,
      url: nullableString,
      timestamp: time,
      received_at: time,
    }),
  ),
  next_cursor: nextCursor,
});
export const identificationStatsAnswer = object({
  persons: count,
  identified: count,
  anonymous: count,
  bound: count,
  imported: count,
  imported_not_bound: count,
  devices: count,
  devices_per_identified_user: { type: 'number' },
});
export const attributeListAnswer = object({
  attributes: list(
    object({
      name: { type: 'string' },
      type: { type: 'string', enum: ['string', 'number', 'boolean', 'datetime', 'list'] },
      type_source: { type: 'string', enum: ['inferred', 'declared', 'system'] },
      sources: list({ type: 'string' }),
      persons: { type: 'integer', nullable: true, description: 'Null for `$` default attributes.' },
      first_seen: nullableTime,
      last_seen: nullableTime,
      samples: list({}),
    }),
  ),
});
export const attributeTypeAnswer = object({
  name: { type: 'string' },
  type: { type: 'string' },
  values: { ...count, description: 'Stored values of the attribute.' },
  misfits: { ...count, description: 'Values that do not read as the type.' },
  misfit_samples: list({}),
});

const breakdownRow = object({
  key: {
    description: 'The value read through its type (null: persons lacking it), a group id or a device type.',
  },
  name: { type: 'string' },
  visitors: count,
  value: { type: 'number', nullable: true },
  series: list(
    object({ start: { type: 'string' }, visitors: count, value: { type: 'number', nullable: true } }),
  ),
});
export const breakdownAnswer = object({
  rows: list(breakdownRow),
  other: { ...breakdownRow, nullable: true, description: 'The rows past 50, summed; `rows` says how many.' },
  timezone: { type: 'string' },
});
const touches = list(object({ source: { type: 'string' }, conversions: count }));
export const crossDeviceAnswer = object({
  identified_visitors: count,
  with_2_or_more_devices: count,
  share: { type: 'number' },
  paths: list(object({ path: list({ type: 'string' }), visitors: count })),
  first_touch: touches,
  last_touch: touches,
  timezone: { type: 'string' },
});

const scopes = list({ type: 'string', enum: ['upload', 'query', 'admin'] });
export const createdKeyAnswer = object(
  {
    id: { type: 'string' },
    key: { type: 'string' },
    prefix: { type: 'string' },
    created_at: time,
    name: { type: 'string' },
    scopes,
  },
  'The new key; `key` is shown only this once.',
);
export const keyListAnswer = object({
  keys: list(
    object({
      id: { type: 'string' },
      name: { type: 'string' },
      prefix: { type: 'string' },
      scopes,
      created_at: time,
      last_used_at: nullableTime,
      revoked_at: nullableTime,
    }),
  ),
});
export const revokedKeyAnswer = object({ revoked: { type: 'boolean' }, id: { type: 'string' } });

export const importJobAnswer = object({
  id: { type: 'string' },
  source: { type: 'string', enum: ['csv', 'json'] },
  file_name: nullableString,
  dry_run: { type: 'boolean' },
  status: { type: 'string' },
  encoding: nullableString,
  delimiter: nullableString,
  columns: list({ type: 'string' }),
  progress: object({
    rows: count,
    bytes: count,
    size_bytes: { type: 'integer', nullable: true },
    percent: { type: 'number', nullable: true },
  }),
  counts: object({
    received: count,
    valid: count,
    created: count,
    updated: count,
    unchanged: count,
    failed: count,
    duplicates: count,
  }),
  error: nullableString,
  errors: list(
    object({
      row: { type: 'integer' },
      user_id: nullableString,
      field: nullableString,
      code: { type: 'string' },
      message: { type: 'string' },
    }),
  ),
  errors_total: count,
  errors_csv: nullableString,
  created_at: time,
  started_at: nullableTime,
  finished_at: nullableTime,
});
export const importListAnswer = object({
  imports: list(importJobAnswer),
  limit: count,
  offset: count,
  next_cursor: nextCursor,
});
export const importUsersAnswer = object({
  user_ids: list({ type: 'string' }),
  next: { type: 'integer', nullable: true, description: 'The `after` of the next page; null at the end.' },
});

export const ingestionStatusAnswer = object({
  mode: { type: 'string', enum: ['direct', 'log'] },
  backlog: count,
  backlog_age_seconds: { type: 'number' },
  applier_alive: { type: 'boolean' },
});
export const ingestionWarningsAnswer = object({
  warnings: list(
    object({
      id: { type: 'integer' },
      message_id: { type: 'string' },
      code: { type: 'string' },
      message: { type: 'string' },
      received_at: { type: 'integer', description: 'Milliseconds since the epoch.' },
    }),
  ),
});
export const auditLogAnswer = object({
  entries: list(
    object({
      at: time,
      actor: { type: 'string' },
      action: { type: 'string' },
      details: { type: 'object', additionalProperties: true },
    }),
  ),
});
export const projectAnswer = object({
  project_id: { type: 'string' },
  name: { type: 'string' },
  write_key: { type: 'string' },
  verify_identity: { type: 'boolean' },
  allow_scripts: { type: 'boolean' },
  identity_secret: { type: 'string' },
  timezone: { type: 'string' },
  created_at: time,
});
export const updatedAnswer = object({ updated: { type: 'boolean' } });
/** A rotated write key or identity secret, answered once: the field named by the route. */
export const rotatedKeyAnswer = object({
  project_id: { type: 'string' },
  write_key: { type: 'string', description: 'Only when the write key was rotated.' },
  identity_secret: { type: 'string', description: 'Only when the identity secret was rotated.' },
});

/** A non-JSON answer: its media type and a string body. */
export const textAnswer = (mediaType: string, description: string) => ({
  description,
  content: { [mediaType]: { schema: { type: 'string' } } },
});

export const mergeAnswer = object({
  merged: { type: 'boolean' },
  person_id: { type: 'integer', description: 'The surviving person.' },
  moved_anonymous_ids: count,
});
export const splitAnswer = object({
  split: { type: 'boolean' },
  anonymous_id: { type: 'string' },
  person_id: { type: 'integer', description: 'The new person holding the anonymous id.' },
  from_person_id: { type: 'integer' },
});
export const deletedIdAnswer = object({ deleted: { type: 'boolean' }, id: { type: 'string' } });
export const rotatedSecretAnswer = object(
  { id: { type: 'string' }, secret: { type: 'string' } },
  'The new signing secret, shown only this once.',
);
export const signedOutAnswer = object({ signed_out: { type: 'boolean' } });

/** `POST /v1/decide`. */
export const decideAnswer = object({
  experiences: list(
    object({
      id: { type: 'string' },
      type: { type: 'string' },
      variant: { type: 'string' },
      content: { type: ['object', 'null'] },
      frequency: { type: 'string' },
    }),
  ),
});

export const personExperiencesAnswer = object({
  experiences: list(
    object({
      id: { type: 'string' },
      name: { type: 'string' },
      type: { type: 'string' },
      status: { type: 'string' },
      variant: { type: 'string' },
      first_shown_at: time,
      last_shown_at: time,
    }),
  ),
});
