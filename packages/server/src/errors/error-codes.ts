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
  REQUEST_TIMEOUT: {
    status: 408,
    description:
      'The request body came too slowly: a body must arrive within the body timeout, and an upload must keep bringing bytes. Send it again.',
  },
  PAYLOAD_TOO_LARGE: { status: 413, description: 'The request body is over the size limit.' },
  RATE_LIMITED: {
    status: 429,
    description: 'Too many requests for this project; retry after `Retry-After` seconds.',
  },
  MESSAGE_RATE_LIMITED: {
    status: 429,
    description:
      "Too many tracking messages per second for this project (a batch's messages each count); nothing of the request was kept: send it again after `Retry-After` seconds.",
  },
  INGESTION_BACKLOG_FULL: {
    status: 429,
    description:
      'The ingestion log holds its most messages waiting to be applied; nothing of the request was kept: send it again after `Retry-After` seconds.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    description:
      'The server API takes JSON as `application/json` or `text/plain` (CSV files as `text/csv` or multipart); tracking routes read any body as JSON.',
  },
  NOT_FOUND: { status: 404, description: 'No such resource in this project.' },
  INGESTION_BEHIND: {
    status: 503,
    description:
      'Tracking messages sent before this change are still waiting to be applied (a large backlog); retry after `Retry-After` seconds so the change does not overtake them.',
  },
  QUEUE_UNAVAILABLE: {
    status: 503,
    description:
      'The ingestion queue (NATS JetStream, `ACQUAINT_QUEUE`) is unreachable or did not confirm the request: nothing was acknowledged; send it again after `Retry-After` seconds (messages with a `messageId` are never applied twice).',
  },
  QUEUE_FULL: {
    status: 429,
    description:
      'The ingestion queue (JetStream stream) is at its size limit while appliers catch up: nothing was acknowledged; retry after `Retry-After` seconds.',
  },
  QUEUE_MESSAGE_TOO_LARGE: {
    status: 413,
    description: 'The ingestion queue refused the request as too large: send fewer or smaller messages.',
  },
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
  NOT_SIGNED_IN: { status: 401, description: 'No dashboard session (none, expired or signed out): sign in.' },
  INVALID_CREDENTIALS: { status: 401, description: 'The e-mail address or the password is wrong.' },
  CSRF_REFUSED: {
    status: 403,
    description:
      "A change with a session cookie came from another origin or without the session's `X-CSRF-Token` header.",
  },
  ROLE_FORBIDDEN: { status: 403, description: "The account's role may not do this (a viewer only reads)." },
  PROJECT_REQUIRED: {
    status: 400,
    description: 'A dashboard session must name its project in the `X-Acquaint-Project` header.',
  },
  SETUP_DONE: { status: 409, description: 'The install already has an owner account; sign in instead.' },
  INVALID_SETUP_TOKEN: {
    status: 403,
    description: 'The first-run setup link is wrong or expired; use the one `acquaint start` printed.',
  },
  INVALID_INVITATION: {
    status: 404,
    description: 'The invitation link is unknown, already used or expired.',
  },
  INVALID_EMAIL: { status: 400, description: 'The e-mail address is not valid.' },
  WEAK_PASSWORD: { status: 400, description: 'The password is too short (at least 10 characters).' },
  EMAIL_TAKEN: { status: 409, description: 'An account with this e-mail address already exists.' },
  ACCOUNT_NOT_FOUND: {
    status: 404,
    description: 'No such account (or it is the owner, who cannot be removed).',
  },
  INVALID_CONDITION: {
    status: 400,
    description:
      'The condition is not valid (unknown operator, a value that does not fit the attribute type, nested deeper than 10 levels, more than 200 leaves, a regex that could run away); `pointer` names the bad part.',
  },
  INTERNAL_ERROR: { status: 500, description: 'A fault on our side; the request can be retried.' },
  DATABASE_UNAVAILABLE: {
    status: 503,
    description:
      'The database cannot be reached (down, restarting, or the connection dropped); nothing of the request was kept. Retry after `Retry-After` seconds.',
  },
  NOT_READY: {
    status: 503,
    description:
      '`GET /ready`: a check failed (database, migrations, ingestion applier or backlog); the message names it. Retry after `Retry-After` seconds.',
  },

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

  // Bulk attribute upload and CSV import: refusals of a whole request or file (the message names
  // the column or row at fault).
  FIELD_NAME_MISSING_USER_ID: {
    status: 400,
    description: '`field_name` of a bulk upload must contain `user_id`.',
  },
  MISSING_ID_COLUMN: {
    status: 400,
    description: 'The first column of a CSV header is blank; it must name the user identifier column.',
  },
  DUPLICATE_FIELD_NAME: { status: 400, description: 'A field or column name appears twice.' },
  INVALID_ATTRIBUTE_NAME: {
    status: 400,
    description: 'An attribute name is empty, longer than 128 characters or starts with the reserved `$`.',
  },
  TOO_MANY_FIELDS: { status: 413, description: 'More fields than the limit per upload (200 by default).' },
  TOO_MANY_PROFILES: {
    status: 413,
    description: 'More users than the limit per bulk upload request (10,000 by default).',
  },
  NOT_CSV: { status: 400, description: 'The file is not CSV text (binary data, a workbook, a PDF...).' },
  EMPTY_FILE: { status: 400, description: 'The file is empty: it has no header row.' },
  NO_ROWS: { status: 400, description: 'The file has a header row but no data rows.' },
  UNKNOWN_ENCODING: {
    status: 400,
    description:
      'The encoding named is not supported (use utf-8, shift_jis (cp932), windows-1252, utf-16le or utf-16be).',
  },
  INVALID_ENCODING: {
    status: 400,
    description:
      'Bytes not valid in the encoding named or detected: a row with them is refused (named with its row and the encoding; the header or a UTF-16 file stops the job). Save the file as UTF-8 or pass its `encoding`.',
  },
  INVALID_DELIMITER: { status: 400, description: 'The delimiter named is not comma, tab or semicolon.' },
  UNTERMINATED_QUOTE: { status: 400, description: 'A quoted field is opened and never closed.' },
  RECORD_TOO_LONG: { status: 400, description: 'A row of the file is longer than any real row can be.' },
  HEADER_MISMATCH: {
    status: 409,
    description: 'A resumed import was sent a file whose header differs from the one it started with.',
  },
  IMPORT_NOT_RESUMABLE: {
    status: 409,
    description: 'Data can be sent only to a pending import job, or to an interrupted one to resume it.',
  },
  IMPORT_INTERRUPTED: {
    status: 409,
    description:
      'The import stopped before the end of the file (server stopped, upload broken); the rows counted are written. Send the file again to resume.',
  },
  KEY_NOT_FOUND: { status: 404, description: 'No live API key with this id in this project.' },
  INGESTION_ENTRY_NOT_FOUND: {
    status: 404,
    description: 'No set-aside ingestion log entry with this id in this project.',
  },
  INGESTION_REPLAY_FAILED: {
    status: 409,
    description:
      'The set-aside ingestion log entry failed again when replayed; it stays set aside with the new error.',
  },
  WEBHOOK_URL_REFUSED: {
    status: 400,
    description:
      'The webhook URL cannot receive deliveries: not http(s), does not resolve, or resolves to a loopback, private or link-local address (server-side request forgery).',
  },
  WEBHOOK_NOT_FOUND: { status: 404, description: 'No webhook subscription with this id in this project.' },
  DELIVERY_NOT_FOUND: { status: 404, description: 'No delivery with this id for this webhook.' },
  LAST_ADMIN_KEY: {
    status: 409,
    description:
      "The key is the project's last live admin key: revoking it would leave no way to manage the project.",
  },
  INVALID_CURSOR: {
    status: 400,
    description:
      'The paging `cursor` is not one this list gave out (changed or cut); start again without it.',
  },
  INVALID_DATE_RANGE: {
    status: 400,
    description:
      'A report range is not ISO dates, `to` is not after `from`, or it spans more than 400 days; `pointer` names the field.',
  },
  MISSING_METRIC_EVENT: {
    status: 400,
    description:
      'The metrics `event_count` and `conversion_rate` count one event: name it in `metric.event`.',
  },
  UNKNOWN_GROUP: {
    status: 400,
    description: 'A report names a group id this project does not have; `pointer` names it.',
  },
  INVALID_TIMEZONE: {
    status: 400,
    description: '`timezone` must be an IANA time zone name such as `UTC` or `Asia/Tokyo`.',
  },

  // User groups (DESIGN §4).
  GROUP_NAME_TAKEN: { status: 409, description: 'Another group of this project has this name.' },
  GROUP_IN_USE: {
    status: 409,
    description:
      "The group is used by another group's condition (`in_group`) or by an experience; change those first.",
  },
  GROUP_CYCLE: {
    status: 400,
    description:
      'The condition would make groups use each other in a cycle (`in_group`); the pointer names the leaf.',
  },
  GROUP_TYPE_MISMATCH: {
    status: 400,
    description:
      'The change does not fit the group: a dynamic group has a condition, a static group a list of user ids.',
  },
  UNKNOWN_REFERENCE: {
    status: 400,
    description: 'The body names a group or an import job that does not exist in this project.',
  },
  IMPORT_NOT_FINISHED: {
    status: 409,
    description: 'The import job is still pending or running; its users can be taken once it ends.',
  },
  TOO_MANY_USER_IDS: { status: 413, description: 'More than 1,000,000 user ids in one request.' },
  // Experiences (DESIGN §4 "Personalisation"): refusals when saved, each with a `pointer`.
  EXPERIENCE_NOT_FOUND: { status: 404, description: 'No experience with this id in this project.' },
  INVALID_EXPERIENCE: {
    status: 400,
    description: 'A field of the experience is missing or of the wrong shape; `pointer` says which.',
  },
  UNSAFE_REGEX: {
    status: 400,
    description:
      'A URL rule regex is invalid, too long, or could run away (nested quantifiers, backreferences).',
  },
  INVALID_SELECTOR: { status: 400, description: 'A page edit selector is not valid CSS selector syntax.' },
  WEIGHTS_DO_NOT_ADD_UP: {
    status: 400,
    description:
      "The variants' weights are not percents from 0 to 100 adding up to 100 (the share of the visitors outside the control).",
  },
  SCRIPTS_NOT_ALLOWED: {
    status: 400,
    description:
      'Experience HTML holds a script, an inline event handler or a javascript: URL, and the project does not allow scripts (`allow_scripts`).',
  },
  TARGET_GROUP_NOT_FOUND: {
    status: 400,
    description: 'A target group does not exist in this project.',
  },

  // Per-row problems of a bulk upload or CSV import (`errors` of the answer, the job's errors CSV).
  RAGGED_ROW: {
    status: 400,
    description: 'A row has more or fewer cells than the header; the row is refused.',
  },
  VALUE_TOO_LONG: {
    status: 400,
    description: 'A value is longer than 4,096 characters; the row is refused.',
  },
  INVALID_VALUE: {
    status: 400,
    description: 'A value is not a string, number, boolean or null; the row is refused.',
  },
  VALUE_TYPE_MISMATCH: {
    status: 400,
    description:
      'A value does not read as the type the owner declared for its attribute; the row is refused.',
  },
  DUPLICATE_USER_ID: {
    status: 200,
    description: 'A warning: the user id appeared in an earlier row too; the later row wins.',
  },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An expected refusal of a whole request, turned into a 4xx answer by the HTTP layer. */
export class RequestError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
    /** JSON pointer of the bad part of the request body (`/condition/all/1/op`), when there is one. */
    readonly pointer?: string,
  ) {
    super(message);
    this.status = ERROR_CODES[code].status;
  }
}
