import fc from 'fast-check';

/**
 * Inputs that look like what clients send, and like what they send by mistake. Ids come from a
 * small pool so that generated messages bind, merge and reach the device cap; every field may also
 * be any JSON value.
 */
const anyJson = fc.jsonValue({ maxDepth: 3 });

export const idLike = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom('user-1', 'user-2', 'user-3', 'anon-1', 'anon-2', 'anon-3', 'anon-4'),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', ' ', 'null', 'undefined', '0', 'anonymous', '__proto__', 'a'.repeat(300)),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: anyJson },
);

const attributeName = fc.oneof(
  fc.constantFrom('plan', 'age', 'email', '$email', '__proto__', 'constructor', '', 'a.b', 'x'.repeat(200)),
  fc.string({ maxLength: 10 }),
);

const traits = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(attributeName, anyJson, { maxKeys: 5 }) },
  { weight: 1, arbitrary: anyJson },
);

const time = fc.oneof(
  fc
    .date({ noInvalidDate: true, min: new Date('1960-01-01'), max: new Date('2100-01-01') })
    .map((d) => d.toISOString()),
  fc.string({ maxLength: 30 }),
  fc.integer(),
  anyJson,
);

/** A Segment message, any of whose fields may be missing or wrong. */
export const trackingMessage = fc.record(
  {
    type: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('identify', 'track', 'page', 'screen', 'group', 'alias') },
      { weight: 1, arbitrary: anyJson },
    ),
    userId: idLike,
    anonymousId: idLike,
    previousId: idLike,
    groupId: idLike,
    event: fc.oneof(fc.string({ maxLength: 20 }), anyJson),
    name: fc.oneof(fc.string({ maxLength: 20 }), anyJson),
    traits,
    properties: traits,
    context: fc.oneof(
      fc.record(
        {
          traits,
          userAgent: fc.oneof(fc.string({ maxLength: 40 }), anyJson),
          page: fc.oneof(fc.record({ url: fc.webUrl(), referrer: fc.string({ maxLength: 30 }) }), anyJson),
          campaign: fc.dictionary(fc.constantFrom('source', 'medium', 'name'), anyJson),
        },
        { requiredKeys: [] },
      ),
      anyJson,
    ),
    timestamp: time,
    sentAt: time,
    messageId: fc.oneof(fc.string({ maxLength: 8 }), anyJson),
    userHash: fc.oneof(
      fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }),
      anyJson,
    ),
  },
  { requiredKeys: [] },
);

/** `/v1/batch` bodies: a batch of messages (or of anything), or a body that is not a batch. */
export const batchBody = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record(
      { batch: fc.array(fc.oneof(trackingMessage, anyJson), { maxLength: 8 }), sentAt: time },
      { requiredKeys: ['batch'] },
    ),
  },
  { weight: 1, arbitrary: anyJson },
);

/** Bytes that are no JSON, or JSON in a wrong wrapper, with the labels clients put on them. */
export const rawBody = fc.record({
  payload: fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  ),
  contentType: fc.constantFrom(
    'application/json',
    'text/plain',
    'application/x-www-form-urlencoded',
    'text/csv',
    'image/png',
  ),
  gzipLabel: fc.boolean(),
});

/** `POST /v1/user/profiles` bodies. */
export const uploadBody = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record(
      {
        field_name: fc.oneof(
          fc
            .array(fc.oneof(fc.constant('user_id'), attributeName), { maxLength: 5 })
            .map((names) => ['user_id', ...names]),
          fc.array(attributeName, { maxLength: 4 }),
          anyJson,
        ),
        values: fc.oneof(
          fc.array(fc.array(fc.oneof(idLike, anyJson, fc.string({ maxLength: 10 })), { maxLength: 6 }), {
            maxLength: 6,
          }),
          anyJson,
        ),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: anyJson },
);

/** CSV files: a header (usually a good one), rows of tricky cells, any separator and line end. */
export const csvFile = fc
  .record({
    header: fc.oneof(
      fc.constant(['user_id', 'plan', 'age']),
      fc.array(attributeName, { minLength: 1, maxLength: 4 }),
    ),
    rows: fc.array(
      fc.array(
        fc.oneof(
          idLike.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))),
          fc.constantFrom(
            '',
            '"',
            '""',
            '"a,b"',
            'a,b',
            '\t=1+2',
            '=cmd',
            '\r',
            '1e400',
            'true',
            '2024-13-45',
          ),
          fc.string({ maxLength: 8 }),
        ),
        { minLength: 1, maxLength: 5 },
      ),
      { maxLength: 8 },
    ),
    separator: fc.constantFrom(',', '\t', ';'),
    lineEnd: fc.constantFrom('\n', '\r\n'),
    bom: fc.boolean(),
  })
  .map(
    ({ header, rows, separator, lineEnd, bom }) =>
      `${bom ? '\ufeff' : ''}${[header, ...rows].map((r) => r.join(separator)).join(lineEnd)}${lineEnd}`,
  );

/** A value to compare with: well-formed for some operator, or any JSON. */
const conditionValue = fc.oneof(
  fc.constantFrom('gold', 'x', '', '^g', '(a+)+$', '[', '2026-01-01', '2026-01-01T00:00:00Z', 'not a date'),
  fc.constantFrom(0, -1, 7, 1e308, Number.MAX_SAFE_INTEGER, 0.5),
  fc.boolean(),
  fc.array(fc.oneof(fc.string({ maxLength: 6 }), fc.integer()), { maxLength: 3 }),
  anyJson,
);
const valueOp = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('eq', 'neq', 'in', 'nin', 'contains', 'not_contains') },
  {
    weight: 6,
    arbitrary: fc.constantFrom('starts_with', 'ends_with', 'regex', 'gt', 'gte', 'lt', 'lte', 'between'),
  },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'is_set',
      'is_not_set',
      'before',
      'after',
      'within_last_days',
      'more_than_days_ago',
    ),
  },
  { weight: 1, arbitrary: anyJson },
);
const countTest = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constantFrom('eq', 'neq', 'gte', 'gt', 'lt', 'lte'),
      value: fc.integer({ min: -2, max: 5 }),
    }),
  },
  { weight: 1, arbitrary: anyJson },
);
const withinDays = fc.oneof(fc.constantFrom(1, 7, 30, 0, -1, 1e9, null), anyJson);
const conditionLeaf = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record(
      {
        attr: fc.oneof(
          attributeName,
          fc.constantFrom('$first_seen', '$device_count', '$last_device_type', '$nope'),
        ),
        op: valueOp,
        value: conditionValue,
      },
      { requiredKeys: ['attr'] },
    ),
  },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        event: fc.oneof(fc.constantFrom('purchase', ''), anyJson),
        count: countTest,
        within_days: withinDays,
      },
      { requiredKeys: ['event'] },
    ),
  },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        page: fc.oneof(
          fc.record({
            op: fc.oneof(fc.constantFrom('equals', 'contains', 'starts_with', 'regex'), anyJson),
            value: fc.oneof(fc.constantFrom('/p/', 'https://shop', '^https://x\\.y/\\d+$', '(', ''), anyJson),
          }),
          anyJson,
        ),
        count: countTest,
        within_days: withinDays,
      },
      { requiredKeys: ['page'] },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record({ sessions: countTest, within_days: withinDays }, { requiredKeys: ['sessions'] }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      visit: fc.oneof(
        fc.constantFrom(
          'device_type',
          'os',
          'browser',
          'new_visitor',
          'landing_page',
          'referrer_host',
          'utm_source',
          'nope',
        ),
        anyJson,
      ),
      op: valueOp,
      value: conditionValue,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.record({ identified: fc.oneof(fc.boolean(), anyJson) }),
      fc.record({ imported: fc.oneof(fc.boolean(), anyJson) }),
      fc.record({ bound: fc.oneof(fc.boolean(), anyJson) }),
      fc.record({ in_group: fc.oneof(fc.constantFrom('grp_nope', ''), anyJson) }),
      fc.record({ experience_seen: fc.oneof(fc.constantFrom('exp_nope', ''), anyJson) }),
    ),
  },
  { weight: 1, arbitrary: anyJson },
);

/** A random condition tree (DESIGN §5): nested all/any/not over leaves, any part of which may be wrong. */
export const conditionTree: fc.Arbitrary<unknown> = fc.letrec<{
  node: unknown;
  all: unknown;
  any: unknown;
  not: unknown;
}>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    conditionLeaf,
    tie('all'),
    tie('any'),
    tie('not'),
  ),
  all: fc.record({
    all: fc.oneof({ weight: 5, arbitrary: fc.array(tie('node'), { maxLength: 4 }) }, anyJson),
  }),
  any: fc.record({
    any: fc.oneof({ weight: 5, arbitrary: fc.array(tie('node'), { maxLength: 4 }) }, anyJson),
  }),
  not: fc.record({ not: tie('node') }),
})).node;
