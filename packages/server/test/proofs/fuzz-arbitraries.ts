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
