/**
 * Every refusal Acquaint answers with: a stable code, its HTTP status when it refuses a whole
 * request, and what it means. The OpenAPI document lists them all (a test checks it).
 */
export const ERROR_CODES = {
  INVALID_JSON: { status: 400, description: 'The body is not valid JSON (or gzip that does not inflate).' },
  INVALID_BODY: {
    status: 400,
    description: 'The body is JSON but not of the expected shape; the message says where.',
  },
  MISSING_WRITE_KEY: {
    status: 401,
    description: 'No write key: send it as the Basic auth user name or as `writeKey` in the body.',
  },
  UNKNOWN_WRITE_KEY: { status: 401, description: 'The write key belongs to no project.' },
  MISSING_API_KEY: { status: 401, description: 'No secret API key: send `Authorization: Bearer <api key>`.' },
  INVALID_API_KEY: { status: 401, description: 'The API key is unknown or revoked.' },
  API_KEY_SCOPE: { status: 403, description: 'The API key lacks the scope this route needs.' },
  PAYLOAD_TOO_LARGE: { status: 413, description: 'The request body is over the size limit.' },
  RATE_LIMITED: {
    status: 429,
    description: 'Too many requests for this project; retry after `Retry-After` seconds.',
  },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, description: 'Send JSON (`application/json` or `text/plain`).' },
  NOT_FOUND: { status: 404, description: 'No such resource in this project.' },
  USER_NOT_FOUND: { status: 404, description: 'No person holds this user id in this project.' },
  PERSON_NOT_FOUND: { status: 404, description: 'No such person in this project.' },
  MERGE_REFUSED: {
    status: 409,
    description: 'The merge would break an identity rule (both identified, or over the cap).',
  },
  SPLIT_REFUSED: {
    status: 409,
    description: 'The anonymous id cannot be split off (unknown, or the only id of its person).',
  },
  INVALID_ATTRIBUTE_TYPE: {
    status: 400,
    description: 'Attribute types are string, number, boolean, datetime and list.',
  },
  INTERNAL_ERROR: { status: 500, description: 'A fault on our side; the request can be retried.' },

  // Per-message rejections inside a 200 answer of the tracking API.
  INVALID_MESSAGE: {
    status: 400,
    description: 'The message is not an object or a field has the wrong type.',
  },
  UNKNOWN_MESSAGE_TYPE: {
    status: 400,
    description: '`type` must be identify, track, page, screen, group or alias.',
  },
  MESSAGE_TOO_LARGE: { status: 413, description: 'One message is over the per-message size limit.' },
  MISSING_ID: {
    status: 400,
    description: 'The message carries neither a legal userId nor a legal anonymousId.',
  },
  ILLEGAL_USER_ID: {
    status: 400,
    description: 'An identify or alias names an illegal user id (DESIGN §3 rule 1).',
  },
  MISSING_EVENT_NAME: { status: 400, description: 'A track message needs a non-empty `event`.' },
  INVALID_TIMESTAMP: { status: 400, description: 'A timestamp is not an ISO-8601 date.' },
  INVALID_USER_HASH: {
    status: 401,
    description: 'Identity verification is on and the identify lacks a valid `userHash`.',
  },
  TOO_DEEPLY_NESTED: { status: 400, description: 'Properties or traits are nested deeper than allowed.' },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An expected refusal of a whole request, turned into a 4xx answer by the HTTP layer. */
export class RequestError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = ERROR_CODES[code].status;
  }
}
